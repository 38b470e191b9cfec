// A kiosk with a hardware PIN pad (node-hid's interface over the JS-level
// backend: this machine has no uhid). The screen learns only how many digits
// were typed; the PIN goes from the pad to the card and nowhere else.
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoProcess, waitForKioskState, type DemoProcess } from '../support/demo-process.js';
import { residentWithHistory as resident } from '../support/demo-residents.js';

describe('a kiosk with a PIN pad', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nb-pinpad-'));
  let demo: DemoProcess;
  const post = (path: string, body?: unknown, method = 'POST') =>
    fetch(`${demo.kioskUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const press = async (keys: string[]) => {
    for (const key of keys) expect((await post('/api/demo/pinpad', { key })).status).toBe(200);
  };

  beforeAll(async () => {
    demo = await startDemoProcess(['--data-dir', dataDir, '--server-port', '0', '--kiosk-port', '0', '--card-path', 'in-process', '--pin-pad', 'true']);
    await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'idle' && s.serverConnected === true);
  });
  afterAll(async () => {
    await demo?.stop();
  });

  it('takes the PIN on the pad only, shows dots, starts over on Cancel, and counts wrong tries', async () => {
    await post('/api/demo/card', { cardNumber: resident.card.cardNumber });
    expect(await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'pin')).toMatchObject({ pinPad: true, enteredDigits: 0 });

    const touch = await post('/api/pin', { pin: resident.card.pin });
    expect(touch.status).toBe(409);
    expect(await touch.json()).toMatchObject({ error: { code: 'use-pin-pad' } });

    await press(['1', '2', '3']);
    await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'pin' && s.enteredDigits === 3);
    await press(['cancel']);
    await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'pin' && s.enteredDigits === 0);

    await press(['0', '0', '0', '0', '0', '0', 'enter']);
    expect(await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'pin' && s.wrongPin === true)).toMatchObject({ triesLeft: 2, enteredDigits: 0 });

    await press([...resident.card.pin, 'enter']);
    await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'menu');
    await post('/api/action', { action: 'account' });
    const account = await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'account');
    expect(account.summary.citizenNumber).toBe(resident.citizenNumber);
    await post('/api/demo/card', undefined, 'DELETE');
    await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'idle');
  });

  it('leaves no PIN in the logs or in the kiosk journal', async () => {
    const log = readFileSync(join(dataDir, 'logs', 'demo.log'), 'utf8');
    expect(log).toContain('session.pin_verified');
    expect(log).not.toContain(`"${resident.card.pin}"`);
    expect(log).not.toMatch(/"pin"\s*:\s*"\d/);
    const kioskDir = join(dataDir, 'demo-kiosk-01');
    for (const file of readdirSync(kioskDir).filter((f) => f.startsWith('journal.sqlite'))) {
      expect(readFileSync(join(kioskDir, file)).includes(Buffer.from(resident.card.pin)), file).toBe(false);
    }
  });
});
