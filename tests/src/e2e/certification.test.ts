// Proof of life at the kiosk (ARCHITECTURE.md journey 3): a pensioner whose
// certification lapsed confirms receipt with card and PIN; the kiosk queues
// it, the gateway records it, and the office statement shows it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_OFFICE_PASSWORD } from '@nongbao/server';
import { startDemoProcess, waitForKioskState, type DemoProcess } from '../support/demo-process.js';
import { pensionersLapsed, today } from '../support/demo-residents.js';

describe('proof of life at the kiosk', () => {
  let demo: DemoProcess;
  const post = (path: string, body?: unknown, method = 'POST') =>
    fetch(`${demo.kioskUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });

  beforeAll(async () => {
    demo = await startDemoProcess(['--data-dir', mkdtempSync(join(tmpdir(), 'nb-cert-')), '--server-port', '0', '--kiosk-port', '0', '--card-path', 'in-process']);
    await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'idle' && s.serverConnected === true);
  });
  afterAll(async () => {
    await demo?.stop();
  });

  it('lets a pensioner with a lapsed certification confirm, and the office sees it', async () => {
    expect(pensionersLapsed.length).toBeGreaterThan(0);
    const pensioner = pensionersLapsed[0]!;
    await post('/api/demo/card', { cardNumber: pensioner.card.cardNumber });
    await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'pin');
    await post('/api/pin', { pin: pensioner.card.pin });
    await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'menu');
    await post('/api/action', { action: 'confirm' });
    const confirm = await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'confirm');
    expect(confirm).toMatchObject({ canConfirm: true, refusal: null });

    // Proof of life alone (no camera here): card and PIN.
    expect((await post('/api/certify', { month: null, photoJpegBase64: null })).status).toBe(200);
    expect(await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'certified')).toMatchObject({ certifiedOn: today, photo: false });

    const login = await fetch(`${demo.serverUrl}/api/v1/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'auditor', password: DEMO_OFFICE_PASSWORD }),
    });
    const { token } = (await login.json()) as { token: string };
    const deadline = Date.now() + 20_000;
    let statement: { certification: { lastCertifiedOn: string | null; current: boolean } } | undefined;
    while (Date.now() < deadline) {
      const response = await fetch(`${demo.serverUrl}/api/v1/persons/${pensioner.citizenNumber}/statement`, { headers: { authorization: `Bearer ${token}` } });
      statement = (await response.json()) as typeof statement;
      if (statement?.certification.lastCertifiedOn === today) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(statement?.certification).toMatchObject({ lastCertifiedOn: today, current: true });

    // Back on the account screen the pension is no longer suspended.
    await post('/api/action', { action: 'done' });
    await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'menu');
    await post('/api/action', { action: 'account' });
    const after = await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'account');
    expect(after.summary.certifiedThrough > today.slice(0, 7)).toBe(true);
    await post('/api/demo/card', undefined, 'DELETE');
  });
});
