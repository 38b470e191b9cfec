// An update from a USB stick, through the staff's local API (issue 13
// section 3, "offline update from a USB stick (a folder path) with the same
// checks"): staff only; every bundle on the stick is examined, highest
// version first, with the same refusals as a download; the first that
// passes is staged and switches only once the staff card is out.
import express from 'express';
import { mkdirSync, readdirSync, writeFileSync, copyFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { UpdateAgent, staffUpdateRoutes, type ChildMessage } from '@nongbao/terminal/updates';
import { installedKiosk, type KioskFixture } from './kiosk-fixture.js';

const silent = pino({ level: 'silent' });

describe('the staff update routes', () => {
  let fixture: KioskFixture;
  let http: Server;
  let base: string;
  let staff = false;
  let changed: () => void = () => undefined;
  const requests: ChildMessage[] = [];

  async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: any }> {
    const res = await fetch(`${base}${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, ...(body ? { body: JSON.stringify(body) } : {}) });
    return { status: res.status, json: await res.json() };
  }

  beforeAll(async () => {
    fixture = await installedKiosk('1.0.0');
    const agent = new UpdateAgent({
      root: fixture.root,
      runningVersion: '1.0.0',
      serverUrl: 'http://127.0.0.1:9',
      link: { connected: false, request: async () => ({ ok: false, error: { code: 'unavailable', message: 'offline village' } }) },
      supervisor: { send: (m) => requests.push(m), onMessage: () => undefined },
      boundary: { atBoundary: () => !staff, onChange: (l) => (changed = l) },
      gatewayConnected: () => false,
      logger: silent,
    });
    const app = express();
    app.use(express.json());
    const mount = staffUpdateRoutes({ root: fixture.root, agent, staffPresent: () => staff, logger: silent });
    app.use(mount.path, mount.router);
    http = createServer(app);
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
  });

  afterAll(() => new Promise<void>((r) => http.close(() => r())));

  it('answers staff only', async () => {
    expect(await call('GET', '/api/staff/updates')).toMatchObject({ status: 403, json: { error: { code: 'staff-only' } } });
    expect(await call('POST', '/api/staff/updates/usb', { folder: '/tmp' })).toMatchObject({ status: 403, json: { error: { code: 'staff-only' } } });
  });

  it('refuses a path that is no folder, and a folder without bundles', async () => {
    staff = true;
    expect(await call('POST', '/api/staff/updates/usb', { folder: '/definitely/not/here' })).toMatchObject({ status: 409, json: { error: { code: 'not-a-folder' } } });
    const empty = join(fixture.base, 'empty-stick');
    mkdirSync(empty);
    expect(await call('POST', '/api/staff/updates/usb', { folder: empty })).toMatchObject({ status: 409, json: { error: { code: 'no-bundles' } } });
    expect(await call('POST', '/api/staff/updates/usb', { folder: 'relative/path' })).toMatchObject({ status: 400 });
  });

  it('stages the highest bundle that passes, says why each other was not, and switches once the staff card is out', async () => {
    const stick = join(fixture.base, 'stick');
    mkdirSync(stick);
    copyFileSync(await fixture.bundle('1.3.0', {}, { model: 'nb-other' }), join(stick, 'other-model.nbundle'));
    copyFileSync(await fixture.bundle('1.2.0', {}, { signers: ['k1'] }), join(stick, 'one-signature.nbundle'));
    copyFileSync(await fixture.bundle('1.1.0'), join(stick, 'good.nbundle'));
    copyFileSync(await fixture.bundle('1.0.5'), join(stick, 'older-good.nbundle'));
    copyFileSync(await fixture.bundle('0.9.0', {}, { minVersion: '0.1.0' }), join(stick, 'old.nbundle'));
    writeFileSync(join(stick, 'junk.nbundle'), 'junk');
    const { status, json } = await call('POST', '/api/staff/updates/usb', { folder: stick });
    expect(status).toBe(200);
    expect(json.staged).toBe('1.1.0');
    const byFile = Object.fromEntries(json.bundles.map((b: { file: string; result: string }) => [b.file.split('/').pop(), b.result]));
    expect(byFile).toEqual({
      'other-model.nbundle': 'wrong-model',
      'one-signature.nbundle': 'too-few-signatures',
      'good.nbundle': 'staged',
      'older-good.nbundle': 'not-tried',
      'old.nbundle': 'not-tried',
      'junk.nbundle': 'malformed',
    });
    expect(readdirSync(fixture.root.releasesDir).sort()).toEqual(['1.0.0', '1.1.0']);
    expect((await call('GET', '/api/staff/updates')).json).toMatchObject({ supervised: true, runningVersion: '1.0.0', job: { version: '1.1.0', phase: 'waiting-for-session-end', rolloutId: null } });
    expect(await call('POST', '/api/staff/updates/usb', { folder: stick })).toMatchObject({ status: 409, json: { error: { code: 'update-in-progress' } } });
    expect(requests).toEqual([]);
    staff = false;
    changed();
    // Offline: the gateway is not required by the new version's health gate.
    expect(requests).toEqual([{ type: 'switch', version: '1.1.0', rolloutId: null, gatewayRequired: false }]);
  });
});
