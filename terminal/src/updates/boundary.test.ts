// A staged release waits for the session to end and for the money step in
// flight (issue 13 section 3): the real payment desk, its ccTalk and ESC/POS
// drivers talking to their simulators, and a real journal file; the agent
// asks its supervisor to switch only once the card is out and the payment
// is journalled complete with its receipt printed.
import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createInProcessBillAcceptor } from '@nongbao/drivers/cctalk';
import { createInProcessPrinter } from '@nongbao/drivers/escpos';
import { Journal } from '../journal/index.js';
import { PaymentDesk } from '../payment.js';
import type { GatewayLink } from '../uplink.js';
import type { ChildMessage } from './ipc.js';
import { UpdateAgent } from './agent.js';
import { sessionBoundary } from './boundary.js';
import { KioskRoot } from './layout.js';
import { initialState, writeSupervisorState } from './supervisor-state.js';

const silent = pino({ level: 'silent' });
const request = { citizenNumber: '513227198302220050', holderName: '扎**吉', year: 2026, tierYuan: 100, dueFen: 10_000, creditedFen: 0 };

/** The session's screen as the kiosk shows it; the real KioskSession emits 'state' the same way. */
class ScreenStandIn extends EventEmitter<{ state: [unknown] }> {
  state: { screen: string } = { screen: 'idle' };
  show(screen: string): void {
    this.state = { screen };
    this.emit('state', this.state);
  }
}

describe('a switch at the session boundary', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('waits for the card to come out and for the payment in flight to be journalled and printed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nongbao-boundary-'));
    const journal = new Journal(join(dir, 'journal.sqlite'));
    const acceptor = createInProcessBillAcceptor({ pollIntervalMs: 20 });
    const printer = createInProcessPrinter();
    const desk = new PaymentDesk({ devices: { acceptor: acceptor.driver, printer: printer.printer }, journal, terminalId: 'kiosk-test', logger: silent, sink: { queued: () => undefined } });
    await desk.start();
    cleanups.push(async () => {
      await desk.stop();
      journal.close();
    });
    const root = new KioskRoot(join(dir, 'kiosk'));
    root.ensureFolders();
    writeSupervisorState(root, initialState('1.0.0'));
    const session = new ScreenStandIn();
    const requests: Array<{ message: ChildMessage; paymentState: string | undefined; printed: number }> = [];
    let paymentId = '';
    const agent = new UpdateAgent({
      root,
      runningVersion: '1.0.0',
      serverUrl: 'http://127.0.0.1:9',
      link: { connected: false, request: async () => ({ ok: false, error: { code: 'unavailable', message: 'offline' } }) } as unknown as GatewayLink,
      // What the money was doing when the switch was asked for.
      supervisor: { send: (message) => requests.push({ message, paymentState: journal.payments.get(paymentId)?.state, printed: printer.simulator.receipts.length }), onMessage: () => undefined },
      boundary: sessionBoundary(session, desk),
      gatewayConnected: () => false,
      logger: silent,
    });

    session.show('tiers');
    const begun = await desk.begin(request);
    expect(begun.ok).toBe(true);
    paymentId = (begun as { paymentId: string }).paymentId;
    session.show('paying');
    agent.adoptStaged('1.1.0');
    await acceptor.simulator.insertNote(50);
    // The card comes out with the payment still open: no switch while money is in flight.
    session.show('idle');
    await new Promise((r) => setTimeout(r, 200));
    expect(requests).toEqual([]);
    expect(journal.payments.get(paymentId)).toMatchObject({ state: 'open', stackedFen: 5_000 });

    const finished = new Promise((r) => desk.once('finished', r));
    await acceptor.simulator.insertNote(50);
    await finished;
    expect(requests).toEqual([{ message: { type: 'switch', version: '1.1.0', rolloutId: null, gatewayRequired: false }, paymentState: 'complete', printed: 1 }]);
  });

  it('switches at once when nobody is at the kiosk', async () => {
    const root = new KioskRoot(join(mkdtempSync(join(tmpdir(), 'nongbao-boundary-')), 'kiosk'));
    root.ensureFolders();
    writeSupervisorState(root, initialState('1.0.0'));
    const sent: ChildMessage[] = [];
    const session = new ScreenStandIn();
    const payments = Object.assign(new EventEmitter(), { progress: null });
    const agent = new UpdateAgent({
      root,
      runningVersion: '1.0.0',
      serverUrl: 'http://127.0.0.1:9',
      link: { connected: false, request: async () => ({ ok: false, error: { code: 'unavailable', message: 'offline' } }) } as unknown as GatewayLink,
      supervisor: { send: (m) => sent.push(m), onMessage: () => undefined },
      boundary: sessionBoundary(session, payments),
      gatewayConnected: () => false,
      logger: silent,
    });
    session.show('staff');
    agent.adoptStaged('1.1.0');
    expect(sent).toEqual([]);
    session.show('idle');
    expect(sent).toEqual([{ type: 'switch', version: '1.1.0', rolloutId: null, gatewayRequired: false }]);
  });
});
