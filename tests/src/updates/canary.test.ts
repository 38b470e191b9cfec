// A rollout over the office API and the gateway, four terminals connected
// over socket.io on a real port (issue 13 section 3: "a canary share first,
// then everyone, with the rollout's state per terminal visible on
// /api/v1/rollouts"): only the canary is offered the release; promotion is
// refused until it reports healthy; then the others are offered it, and
// each terminal's state is on /api/v1/rollouts as the terminals report.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { PROTOCOL_VERSION, type UpdateOffer, type UpdateReport } from '@nongbao/protocol';
import { createServerServices, startServer, type RunningServer } from '@nongbao/server';
import { Uplink, enrol, loadOrCreateIdentity } from '@nongbao/terminal';
import { makeKioskFixture, waitFor, type KioskFixture } from './kiosk-fixture.js';

const silent = pino({ level: 'silent' });
const PASSWORD = 'canary-test-password-3';
const TERMINALS = ['kiosk-canary-01', 'kiosk-canary-02', 'kiosk-canary-03', 'kiosk-canary-04'];

interface Kiosk {
  terminalId: string;
  uplink: Uplink;
  offers: UpdateOffer[];
}

describe('a rollout to four kiosks, a quarter of them canaries', () => {
  let server: RunningServer;
  let fixture: KioskFixture;
  let token: string;
  const kiosks: Kiosk[] = [];

  async function api(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: any }> {
    const res = await fetch(`${server.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, json: await res.json() };
  }

  /** Each terminal's state as /api/v1/rollouts lists it. */
  async function states(): Promise<Record<string, string>> {
    const { json } = await api('GET', '/rollouts');
    return Object.fromEntries(json.rollouts[0].terminals.map((t: { terminalId: string; state: string }) => [t.terminalId, t.state]));
  }

  async function report(kiosk: Kiosk, rolloutId: string, state: UpdateReport['state'], runningVersion = '1.0.0'): Promise<void> {
    const reply = await kiosk.uplink.request('update.report', { v: PROTOCOL_VERSION, rolloutId, version: '1.1.0', state, runningVersion, at: new Date().toISOString() });
    expect(reply.ok).toBe(true);
  }

  beforeAll(async () => {
    fixture = makeKioskFixture();
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
    for (const terminalId of TERMINALS) {
      const dataDir = join(fixture.base, terminalId);
      const identity = loadOrCreateIdentity(dataDir, terminalId);
      server.terminals.createTerminal({ terminalId, villageCode: null, location: null }, 'test');
      await enrol(dataDir, server.url, identity, server.terminals.issueEnrolCode(terminalId));
      const uplink = new Uplink({ serverUrl: server.url, terminalId, privateKey: identity.privateKey, logger: silent, softwareVersion: '1.0.0' });
      const kiosk: Kiosk = { terminalId, uplink, offers: [] };
      uplink.onPush('update.offer', (offer) => kiosk.offers.push(offer));
      uplink.start();
      kiosks.push(kiosk);
    }
    await waitFor('every kiosk connected', () => kiosks.every((k) => k.uplink.connected));
    await server.updates.releases.publish(await fixture.bundle('1.1.0'), { trustedKeys: fixture.keys.trusted, threshold: 2 }, join(fixture.base, 'server-releases'), 'test');
  });

  afterAll(async () => {
    for (const k of kiosks) k.uplink.stop();
    await server?.close();
  });

  it('offers the canary first, the others after promotion, and shows each terminal on /api/v1/rollouts', async () => {
    const created = await api('POST', '/rollouts', { version: '1.1.0', terminalIds: TERMINALS, canaryPercent: 25 });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ phase: 'canary', counts: { offered: 1, waiting: 3 } });
    const rolloutId: string = created.json.rolloutId;
    const canaryId: string = created.json.terminals.find((t: { wave: string }) => t.wave === 'canary').terminalId;
    const canary = kiosks.find((k) => k.terminalId === canaryId)!;
    const others = kiosks.filter((k) => k !== canary);

    await waitFor('the offer to the canary', () => canary.offers.length === 1);
    expect(canary.offers[0]).toMatchObject({ rolloutId, version: '1.1.0', downloadPath: '/updates/v1/bundles/1.1.0' });
    // Give a wrong push time to arrive: the others hear nothing yet.
    await new Promise((r) => setTimeout(r, 300));
    expect(others.map((k) => k.offers.length)).toEqual([0, 0, 0]);
    expect(await states()).toEqual(Object.fromEntries(TERMINALS.map((t) => [t, t === canaryId ? 'offered' : 'waiting'])));

    await report(canary, rolloutId, 'staged');
    expect(await api('POST', `/rollouts/${rolloutId}/promote`)).toMatchObject({ status: 409, json: { error: { code: 'canary-not-healthy' } } });
    await report(canary, rolloutId, 'switched', '1.1.0');
    await report(canary, rolloutId, 'healthy', '1.1.0');
    expect((await states())[canaryId]).toBe('healthy');

    const promoted = await api('POST', `/rollouts/${rolloutId}/promote`);
    expect(promoted).toMatchObject({ status: 200, json: { phase: 'everyone', counts: { healthy: 1, offered: 3 } } });
    await waitFor('the offer to everyone', () => others.every((k) => k.offers.length === 1));
    expect(others.map((k) => k.offers[0]!.rolloutId)).toEqual([rolloutId, rolloutId, rolloutId]);
    expect(canary.offers).toHaveLength(1);

    await report(others[0]!, rolloutId, 'downloading');
    await report(others[1]!, rolloutId, 'staged');
    expect(await states()).toEqual({ [canaryId]: 'healthy', [others[0]!.terminalId]: 'downloading', [others[1]!.terminalId]: 'staged', [others[2]!.terminalId]: 'offered' });
  });
});
