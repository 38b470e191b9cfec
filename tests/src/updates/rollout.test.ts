// A rollout end to end over real ports (issue 13 sections 3 and 4): the
// county server publishes a signed bundle and rolls it out through its office
// API; the gateway offers it to the connected terminal; the terminal's update
// agent downloads it through a link that breaks halfway (the download
// resumes with Range), verifies and stages it, waits for the session to end,
// asks its supervisor to switch, and reports each step, which the office sees
// on /api/v1/rollouts. A halted rollout is withdrawn; a bundle the kiosk
// refuses is reported with its reason and halts the rollout.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createServerServices, startServer, type RunningServer } from '@nongbao/server';
import { Uplink, enrol, loadOrCreateIdentity } from '@nongbao/terminal';
import { UpdateAgent, readSupervisorState, type ChildMessage, type SupervisorMessage } from '@nongbao/terminal/updates';
import { installedKiosk, waitFor, type KioskFixture } from './kiosk-fixture.js';
import { startCuttingProxy, type CuttingProxy } from './cutting-proxy.js';

const silent = pino({ level: 'silent' });
const PASSWORD = 'rollout-test-password-7';
const TERMINAL = 'kiosk-rollout-01';

describe('a rollout reaching a kiosk', () => {
  let server: RunningServer;
  let fixture: KioskFixture;
  let proxy: CuttingProxy;
  let uplink: Uplink;
  let agent: UpdateAgent;
  let token: string;
  const requests: ChildMessage[] = [];
  let toAgent: (m: SupervisorMessage) => void = () => undefined;
  let sessionOpen = true;
  let boundaryChanged: () => void = () => undefined;

  async function api(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: any }> {
    const res = await fetch(`${server.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, json: await res.json() };
  }

  async function terminalState(rolloutId: string): Promise<{ state: string; reason: string | null }> {
    const { json } = await api('GET', `/rollouts/${rolloutId}`);
    return json.terminals.find((t: { terminalId: string }) => t.terminalId === TERMINAL);
  }

  async function publish(version: string, options: Parameters<KioskFixture['bundle']>[2] = {}): Promise<void> {
    const bundle = await fixture.bundle(version, {}, options);
    await server.updates.releases.publish(bundle, { trustedKeys: fixture.keys.trusted, threshold: 2 }, join(fixture.base, 'server-releases'), 'test');
  }

  beforeAll(async () => {
    fixture = await installedKiosk('1.0.0');
    server = await startServer({
      db: join(fixture.base, 'server.sqlite'),
      host: '127.0.0.1',
      port: 0,
      logger: silent,
      services: (db, gateway) => {
        const services = createServerServices(db, { logger: silent }, gateway);
        services.registry.users.createUser('operator', PASSWORD, 'operator');
        return services;
      },
    });
    const login = await fetch(`${server.url}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'operator', password: PASSWORD }) });
    token = ((await login.json()) as { token: string }).token;
    const dataDir = join(fixture.base, 'terminal');
    const identity = loadOrCreateIdentity(dataDir, TERMINAL);
    server.terminals.createTerminal({ terminalId: TERMINAL, villageCode: null, location: null }, 'test');
    await enrol(dataDir, server.url, identity, server.terminals.issueEnrolCode(TERMINAL));
    proxy = await startCuttingProxy(server.port, 1_000_000);
    uplink = new Uplink({ serverUrl: server.url, terminalId: TERMINAL, privateKey: identity.privateKey, logger: silent, softwareVersion: '1.0.0' });
    agent = new UpdateAgent({
      root: fixture.root,
      runningVersion: '1.0.0',
      // Downloads go through the proxy that breaks the first one; the socket.io link goes straight.
      serverUrl: `http://127.0.0.1:${proxy.port}`,
      link: uplink,
      supervisor: { send: (m) => requests.push(m), onMessage: (l) => (toAgent = l) },
      boundary: { atBoundary: () => !sessionOpen, onChange: (l) => (boundaryChanged = l) },
      gatewayConnected: () => uplink.connected,
      logger: silent,
      downloadRetryFirstMs: 50,
    });
    uplink.onPush('update.offer', (o) => agent.onOffer(o));
    uplink.onPush('update.withdraw', (w) => agent.onWithdraw(w));
    uplink.onConnect(() => void agent.onConnect(undefined));
    uplink.start();
    await waitFor('the uplink', () => uplink.connected);
  });

  afterAll(async () => {
    uplink?.stop();
    await proxy?.close();
    await server?.close();
  });

  it('downloads with resume, stages, and asks to switch only when the session is over', async () => {
    // About 3 MB of incompressible payload, so the download takes many packets.
    const big = join(fixture.base, 'payloads', '1.1.0');
    mkdirSync(big, { recursive: true });
    writeFileSync(join(big, 'blob.bin'), randomBytes(3 * 1024 * 1024));
    await publish('1.1.0');
    const created = await api('POST', '/rollouts', { version: '1.1.0', terminalIds: [TERMINAL], canaryPercent: 100 });
    expect(created.status).toBe(201);
    const rolloutId: string = created.json.rolloutId;
    const staged = await waitFor('staging', () => (readdirSync(fixture.root.releasesDir).includes('1.1.0') ? true : undefined), 30_000);
    expect(staged).toBe(true);
    await expect.poll(async () => (await terminalState(rolloutId)).state, { timeout: 10_000 }).toBe('staged');
    // The first download was cut at 1 000 000 bytes; the second asked for the rest.
    expect(proxy.cuts).toBe(1);
    const ranges = proxy.requestHeads.filter((h) => h.startsWith('GET /updates/v1/bundles/1.1.0')).map((h) => /range: bytes=(\d+)-/i.exec(h)?.[1] ?? 'none');
    expect(ranges[0]).toBe('none');
    expect(Number(ranges[1])).toBeGreaterThan(0);
    expect(Number(ranges[1])).toBeLessThanOrEqual(1_000_000);
    expect(readdirSync(fixture.root.stagingDir)).toEqual([]);
    // A card is in: no switch yet.
    await new Promise((r) => setTimeout(r, 300));
    expect(requests).toEqual([]);
    sessionOpen = false;
    boundaryChanged();
    expect(requests).toEqual([{ type: 'switch', version: '1.1.0', rolloutId, gatewayRequired: true }]);
  });

  it('reports the switch outcome the supervisor recorded, once acknowledged', async () => {
    const rolloutId = (await api('GET', '/rollouts')).json.rollouts[0].rolloutId as string;
    const state = readSupervisorState(fixture.root)!;
    // What the supervisor writes at commit point B (switch-faults.test.ts runs the real one).
    const { withSwitchForTest } = await import('./supervisor-state-writer.js');
    withSwitchForTest(fixture.root, state, { from: '1.0.0', to: '1.1.0', rolloutId, outcome: 'healthy', reason: null, detail: 'passed its health gate' });
    toAgent({ type: 'committed', version: '1.1.0' });
    await expect.poll(async () => (await terminalState(rolloutId)).state, { timeout: 10_000 }).toBe('healthy');
    const rollout = (await api('GET', `/rollouts/${rolloutId}`)).json;
    expect(rollout).toMatchObject({ complete: true, counts: { healthy: 1 } });
  });

  it('drops a staged release when its rollout is halted', async () => {
    sessionOpen = true;
    await publish('1.2.0');
    const created = await api('POST', '/rollouts', { version: '1.2.0', terminalIds: [TERMINAL], canaryPercent: 100 });
    const rolloutId: string = created.json.rolloutId;
    await expect.poll(async () => (await terminalState(rolloutId)).state, { timeout: 20_000 }).toBe('staged');
    expect(readdirSync(fixture.root.releasesDir)).toContain('1.2.0');
    const halted = await api('POST', `/rollouts/${rolloutId}/halt`, { reason: 'a fault found at the office' });
    expect(halted.json.phase).toBe('halted');
    await expect.poll(async () => terminalState(rolloutId), { timeout: 10_000 }).toMatchObject({ state: 'failed', reason: 'withdrawn' });
    expect(readdirSync(fixture.root.releasesDir)).not.toContain('1.2.0');
    sessionOpen = false;
    boundaryChanged();
    expect(requests.filter((r) => r.type === 'switch' && r.version === '1.2.0')).toEqual([]);
  });

  it('reports a bundle it refuses with the reason, which halts the rollout', async () => {
    await publish('1.3.0', { model: 'nb-other' });
    const created = await api('POST', '/rollouts', { version: '1.3.0', terminalIds: [TERMINAL], canaryPercent: 100 });
    const rolloutId: string = created.json.rolloutId;
    await expect.poll(async () => terminalState(rolloutId), { timeout: 20_000 }).toMatchObject({ state: 'failed', reason: 'wrong-model' });
    expect((await api('GET', `/rollouts/${rolloutId}`)).json).toMatchObject({ phase: 'halted' });
    expect(readdirSync(fixture.root.releasesDir)).not.toContain('1.3.0');
    expect(readdirSync(fixture.root.stagingDir)).toEqual([]);
  });
});
