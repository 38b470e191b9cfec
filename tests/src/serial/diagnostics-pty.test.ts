// Staff diagnostics and self-tests (issue 13 sections 1 and 4) against the
// simulators over socat ptys: a real terminal (startTerminal) whose receipt
// printer and bill acceptor are the real drivers on one end of a pty and the
// simulator processes on the other, its staff routes over real HTTP.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { CCTALK_BAUD_RATE, CctalkBillAcceptor, openSerialLink as openCctalkLink, RemoteBillValidator } from '@nongbao/drivers/cctalk';
import { EscPosPrinter, openSerialLink, RemotePrinter } from '@nongbao/drivers/escpos';
import { InProcessCardReader } from '@nongbao/drivers/card';
import { ERROR_REGISTER, type Diagnostics, type KioskState } from '@nongbao/protocol';
import type { SelfTestResult } from '@nongbao/protocol/maintenance';
import { startTerminal, type CardHolder, type InsertedCard, type RunningTerminal } from '@nongbao/terminal';
import { openPtyPair, type PtyPair } from './pty.js';

const PRINTER_BAUD_RATE = 9600;
/** Long enough for a loaded 2-core machine to see a pty hang-up. */
const OFFLINE_WAIT_MS = 8_000;
const silent = pino({ level: 'silent' });

class StaffCard implements InsertedCard {
  readonly holder: CardHolder = { kind: 'staff', citizenNumber: '513227198302220050', name: '王师傅', cardNumber: 'S00000001', verified: true, cardSession: null };
  async readHolder(): Promise<CardHolder> {
    return this.holder;
  }
  async verifyPin(pin: string) {
    return pin === '123456' ? ({ ok: true } as const) : ({ ok: false, reason: 'wrong', triesLeft: 2 } as const);
  }
}

interface Kiosk {
  terminal: RunningTerminal;
  printerPty: PtyPair;
  acceptorPty: PtyPair;
  printer: RemotePrinter;
  acceptor: RemoteBillValidator;
  cash: { printer: EscPosPrinter; acceptor: CctalkBillAcceptor };
  call(method: 'GET' | 'POST', path: string): Promise<{ status: number; json: unknown }>;
  signInStaff(): Promise<void>;
}

async function waitFor(what: string, check: () => boolean, timeoutMs = OFFLINE_WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('staff diagnostics and self-tests over socat ptys', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });

  async function kiosk(): Promise<Kiosk> {
    const printerPty = await openPtyPair();
    const acceptorPty = await openPtyPair();
    cleanups.push(() => printerPty.dispose(), () => acceptorPty.dispose());
    const printer = await RemotePrinter.start(['--port', printerPty.device]);
    const acceptor = await RemoteBillValidator.start(['--port', acceptorPty.device, '--mode', 'simple8']);
    cleanups.push(() => printer.stop(), () => acceptor.stop());
    const cashDevices = {
      printer: new EscPosPrinter({ link: await openSerialLink({ path: printerPty.host, baudRate: PRINTER_BAUD_RATE }), statusPollIntervalMs: 200 }),
      acceptor: new CctalkBillAcceptor({ link: await openCctalkLink({ path: acceptorPty.host, baudRate: CCTALK_BAUD_RATE }), mode: 'simple8', echo: false, pollIntervalMs: 50 }),
    };
    await cashDevices.printer.open();
    const dataDir = mkdtempSync(join(tmpdir(), 'nb-diag-pty-'));
    const terminal = await startTerminal({
      identity: { terminalId: 'kiosk-diag', privateKey: generateKeyPairSync('ed25519').privateKey, publicKeySpkiBase64: '' },
      // Nothing listens there: the kiosk is offline, as a village often is.
      serverUrl: 'http://127.0.0.1:9',
      dataDir,
      host: '127.0.0.1',
      port: 0,
      uiDir: join(dataDir, 'no-ui'),
      logger: silent,
      cardReader: new InProcessCardReader(),
      cashDevices,
      diagnosticsRefreshMs: 100,
    });
    cleanups.push(async () => {
      await terminal.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    return {
      terminal,
      printerPty,
      acceptorPty,
      printer,
      acceptor,
      cash: cashDevices,
      call: async (method, path) => {
        const res = await fetch(`${terminal.url}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(method === 'POST' ? { body: '{}' } : {}) });
        return { status: res.status, json: await res.json() };
      },
      signInStaff: async () => {
        await terminal.session.cardInserted(new StaffCard());
        await terminal.session.enterPin('123456');
        expect(terminal.session.state.screen).toBe('staff');
      },
    };
  }

  const selfTest = async (k: Kiosk, test: string) => {
    const answer = await k.call('POST', `/api/staff/self-test/${test}`);
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    return answer.json as SelfTestResult;
  };

  it('refuses diagnostics and every self-test to anyone but a signed-in staff card, and prints nothing for them', async () => {
    const k = await kiosk();
    expect(await k.call('GET', '/api/staff/diagnostics')).toMatchObject({ status: 409, json: { error: { code: 'not-staff' } } });
    for (const test of ['printer', 'acceptor', 'card', 'gateway']) {
      expect(await k.call('POST', `/api/staff/self-test/${test}`)).toMatchObject({ status: 409, json: { error: { code: 'not-staff' } } });
    }
    expect(await k.printer.receiptTexts()).toEqual([]);
  });

  it('passes each self-test against working simulators, and fails in the register\'s plain words when they break', async () => {
    const k = await kiosk();
    await k.signInStaff();
    expect(await selfTest(k, 'printer')).toMatchObject({ test: 'printer', result: 'pass', code: null });
    expect((await k.printer.receiptTexts()).join('\n')).toContain('自检');
    expect(await selfTest(k, 'acceptor')).toMatchObject({ test: 'acceptor', result: 'pass', code: null });
    expect(await selfTest(k, 'card')).toMatchObject({ test: 'card', result: 'pass', detail: expect.stringContaining('S0****01') });
    // Offline: the round trip fails with the terminal's "server unreachable".
    const gateway = await selfTest(k, 'gateway');
    expect(ERROR_REGISTER.get(gateway.code!)).toMatchObject({ messageKey: 'terminal.serverUnreachable', action: 'checkNetwork' });

    await k.printer.setPaper('out');
    const noPaper = await selfTest(k, 'printer');
    expect(noPaper.result).toBe('fail');
    expect(ERROR_REGISTER.get(noPaper.code!)).toMatchObject({ messageKey: 'device.paperOut', action: 'loadPaper' });
    expect(await k.printer.receiptTexts()).toHaveLength(1);

    await k.acceptor.jam();
    await waitFor('the jam reaching the driver', () => k.cash.acceptor.status().jammed);
    const jammed = await selfTest(k, 'acceptor');
    expect(jammed.result).toBe('fail');
    expect(ERROR_REGISTER.get(jammed.code!)?.action).toBe('clearJam');

    const d = (await k.call('GET', '/api/staff/diagnostics')).json as Diagnostics;
    expect(d.recentErrors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: noPaper.code, source: 'selfTest.printer' }),
        expect.objectContaining({ code: jammed.code, source: 'selfTest.acceptor' }),
      ]),
    );
    expect(d.selfTests.map((t) => `${t.test}:${t.result}`).sort()).toEqual(['acceptor:fail', 'card:pass', 'gateway:fail', 'printer:fail']);
    expect(d.devices.map((device) => device.name).sort()).toEqual(['billAcceptor', 'cardReader', 'printer']);
    expect(d.resources.diskFreeBytes).toBeGreaterThan(0);
    expect(d.resources.journalBytes).toBeGreaterThan(0);
    expect(d.resources.network.connected).toBe(false);
    expect(d.resources.problems).toContain(gateway.code);
  });

  it('refuses a second self-test while one runs', async () => {
    const k = await kiosk();
    await k.signInStaff();
    const [first, second] = await Promise.all([k.call('POST', '/api/staff/self-test/printer'), k.call('POST', '/api/staff/self-test/acceptor')]);
    expect(first.status).toBe(200);
    expect(second).toMatchObject({ status: 409, json: { error: { code: 'self-test-running' } } });
  });

  it('pushes the staff screen again while it is open, shows an unplugged printer with its error, and stops once it closes', async () => {
    const k = await kiosk();
    const staffStates: Diagnostics[] = [];
    k.terminal.session.on('state', (state: KioskState) => {
      if (state.screen === 'staff' && state.diagnostics) staffStates.push(state.diagnostics);
    });
    await k.signInStaff();
    await waitFor('three pushes of the open staff screen', () => staffStates.length >= 4, 3_000);

    await k.printerPty.unplug();
    await waitFor('the printer shown offline with its link error', () => {
      const last = staffStates.at(-1)!;
      return last.devices.some((d) => d.name === 'printer' && d.state === 'offline') && last.recentErrors.some((e) => e.source === 'printer' && ERROR_REGISTER.get(e.code)?.action === 'checkConnection');
    });

    await k.terminal.session.act('finish');
    const pushed = staffStates.length;
    await new Promise((r) => setTimeout(r, 500));
    expect(staffStates.length).toBe(pushed);
  });
});
