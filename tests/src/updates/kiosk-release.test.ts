// The real path, as README "Updating a kiosk in the demo village" walks it
// (issue 13 section 3): this checkout's kiosk software packed as release
// 0.2.0 (`release pack-kiosk`), signed by two of three keys, installed on a
// kiosk root and run by its supervisor (`nongbao kiosk run -- demo-kiosk`);
// 0.2.1 published and rolled out through the office API; the running
// terminal downloads, verifies and stages it, switches at the session
// boundary, 0.2.1 passes its health gate (journal, devices, gateway) and the
// office sees the terminal healthy on /api/v1/rollouts and 0.2.1 in the fleet.
import { execFile } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createRelease, signRelease } from '@nongbao/protocol/release';
import { makeKeySet, tempDir, type KeySet } from '@nongbao/protocol/release/test-support';
import { createServerServices, startServer, type RunningServer } from '@nongbao/server';
import { KioskRoot, installKiosk, readSupervisorState } from '@nongbao/terminal/updates';
import { EXPIRES, REPO_ROOT, startSupervisor, type SupervisorProcess } from './kiosk-fixture.js';

const run = promisify(execFile);
const silent = pino({ level: 'silent' });
const PASSWORD = 'kiosk-release-password-9';
const TERMINAL = 'demo-kiosk-02';
const MODEL = 'nb-demo-kiosk';

describe('updating a kiosk that runs this software', () => {
  let base: string;
  let keys: KeySet;
  let server: RunningServer;
  let supervisor: SupervisorProcess;
  let token: string;

  async function api(method: 'GET' | 'POST', path: string, body?: unknown): Promise<any> {
    const res = await fetch(`${server.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return res.json();
  }

  async function release(version: string): Promise<string> {
    const folder = join(base, `release-${version}`);
    await run(process.execPath, [join(REPO_ROOT, 'bin/nongbao.mjs'), 'release', 'pack-kiosk', '--version', version, '--out', folder], { timeout: 120_000 });
    const bundle = join(base, `${version}.nbundle`);
    await createRelease({ version, model: MODEL, minVersion: '0.1.0', expires: EXPIRES, payload: folder, out: bundle });
    signRelease(bundle, keys.keys.k1!);
    signRelease(bundle, keys.keys.k3!);
    return bundle;
  }

  beforeAll(async () => {
    base = tempDir('nongbao-kiosk-release-');
    keys = makeKeySet(base);
    server = await startServer({
      db: join(base, 'server.sqlite'),
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
  }, 120_000);

  afterAll(async () => {
    if (supervisor && supervisor.child.exitCode === null) {
      supervisor.child.kill('SIGTERM');
      await supervisor.exited;
    }
    await server?.close();
  });

  it('installs 0.2.0, rolls out 0.2.1, and the kiosk ends on 0.2.1, healthy', async () => {
    const root = new KioskRoot(join(base, 'kiosk'));
    mkdirSync(root.dir, { recursive: true });
    // The kiosk image's third-party packages, below every release.
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(root.dir, 'node_modules'));
    const installed = await installKiosk(root.dir, keys.trustedDir, { model: MODEL, threshold: 2 }, await release('0.2.0'));
    expect(installed).toEqual({ ok: true, version: '0.2.0' });
    const { code } = server.terminals.createTerminal({ terminalId: TERMINAL, villageCode: null, location: 'demo village, second kiosk' }, 'test');
    const dataDir = join(base, 'kiosk-data');
    // The release is the real kiosk: `demo-kiosk`, enrolling with its one-time code at its first start.
    supervisor = startSupervisor({ root, base, dataDir }, 120_000, ['demo-kiosk', '--server-url', server.url, '--terminal-id', TERMINAL, '--code', code, '--data-dir', dataDir, '--port', '0']);

    await expect.poll(async () => (await api('GET', `/terminals/${TERMINAL}`)).softwareVersion, { timeout: 120_000, interval: 500 }).toBe('0.2.0');
    await server.updates.releases.publish(await release('0.2.1'), { trustedKeys: keys.trusted, threshold: 2 }, join(base, 'server-releases'), 'test');
    const rollout = await api('POST', '/rollouts', { version: '0.2.1', terminalIds: [TERMINAL], canaryPercent: 100 });
    expect(rollout).toMatchObject({ version: '0.2.1', phase: 'canary' });
    await expect
      .poll(async () => (await api('GET', `/rollouts/${rollout.rolloutId}`)).terminals[0].state, { timeout: 180_000, interval: 1_000 })
      .toBe('healthy');
    // The new version's first connection is offered 0.2.1 again before the gateway hears it switched: no failure, no halt.
    expect(await api('GET', `/rollouts/${rollout.rolloutId}`)).toMatchObject({ phase: 'canary', complete: true, counts: { healthy: 1, failed: 0 } });
    expect(readSupervisorState(root)).toMatchObject({ current: '0.2.1', previous: '0.2.0', highestTrusted: '0.2.1', trial: null });
    expect(readSupervisorState(root)!.switches.at(-1)).toMatchObject({ from: '0.2.0', to: '0.2.1', outcome: 'healthy' });
    await expect.poll(async () => (await api('GET', `/terminals/${TERMINAL}`)).softwareVersion, { timeout: 60_000, interval: 500 }).toBe('0.2.1');
    // 0.2.0 stopped by itself when asked, journal closed: the supervisor did not have to kill it.
    expect(supervisor.output()).not.toContain('supervisor.child_killed');
  }, 420_000);
});
