// The shared contract suite (issue #4 §1, §5; STYLE.md §2): one set of tests
// that every BillAcceptor and ReceiptPrinter implementation must pass, run
// against the driver paired with an in-process simulator (unit tests) and
// against the driver on a real pty with the simulator in its own process
// (tests/src/serial). It imports vitest, so it is not part of the package's
// runtime entry points.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeviceError } from './errors.js';
import type { BillAcceptor, BillAcceptorEvent, EscrowHandler, EscrowOffer, ReceiptPrinter } from './types.js';

/** Longest we wait for an event the device should produce within a few polls. */
export const CONTRACT_EVENT_TIMEOUT_MS = 3_000;

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = CONTRACT_EVENT_TIMEOUT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function rejection(promise: Promise<unknown>): Promise<DeviceError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(DeviceError);
    return error as DeviceError;
  }
  throw new Error('expected the command to reject');
}

// ---------------------------------------------------------------------------
// Bill acceptor

/** What the contract needs from the device side (the simulator, local or remote). */
export interface BillAcceptorScript {
  insertNote(yuan: number): Promise<unknown>;
  jam(kind?: 'unsafe' | 'safe' | 'stacker'): Promise<void>;
  removeStacker(): Promise<void>;
  fraud(kind: 'opto' | 'string' | 'pulledBack'): Promise<void>;
  setUnresponsive(unresponsive: boolean): Promise<void>;
  stackedYuan(): Promise<number[]>;
}

export interface BillAcceptorHarness {
  script: BillAcceptorScript;
  /** A new driver on the line, not yet opened; the previous one has been closed. Poll fast (<= 50 ms). */
  connect(options?: { lastEventCounter?: number; escrowHandler?: EscrowHandler }): Promise<BillAcceptor>;
  dispose(): Promise<void>;
}

export function billAcceptorContract(name: string, makeHarness: () => Promise<BillAcceptorHarness>): void {
  describe(`BillAcceptor contract: ${name}`, () => {
    let harness: BillAcceptorHarness;
    let device: BillAcceptor | undefined;
    let events: BillAcceptorEvent[];
    const connect = async (options: { lastEventCounter?: number; escrowHandler?: EscrowHandler } = {}) => {
      device = await harness.connect(options);
      events = [];
      // Subscribe before open(): its first poll may already report events.
      device.on('bill', (event) => events.push(event));
      await device.open();
      return device;
    };
    const credits = () => events.filter((e) => e.type === 'credit');

    beforeEach(async () => {
      harness = await makeHarness();
    });
    afterEach(async () => {
      await device?.close();
      device = undefined;
      await harness.dispose();
    });

    it('opens online and offers the CNY notes 1, 5, 10, 20, 50, 100 yuan in fen', async () => {
      const acceptor = await connect();
      expect(acceptor.status().device).toBe('online');
      expect(acceptor.capabilities.denominationsFen).toEqual([100, 500, 1000, 2000, 5000, 10000]);
      expect(acceptor.status().accepting).toBe(false);
    });

    it('emits status changes that carry only what changed', async () => {
      const acceptor = await connect();
      const changes: Record<string, unknown>[] = [];
      let previous = acceptor.status() as unknown as Record<string, unknown>;
      acceptor.on('statusChanged', (changed) => {
        for (const [key, value] of Object.entries(changed)) expect(previous[key]).not.toEqual(value);
        changes.push(changed);
        previous = acceptor.status() as unknown as Record<string, unknown>;
      });
      await acceptor.enable([5000]);
      await acceptor.disable();
      expect(changes).toEqual([{ accepting: true }, { accepting: false }]);
    });

    it('holds a note in escrow until the caller has journaled it, then stacks it and credits it once', async () => {
      const timeline: string[] = [];
      let offer: EscrowOffer | undefined;
      const acceptor = await connect({
        escrowHandler: async (o) => {
          offer = o;
          timeline.push('offer');
          // The journal write: slower than several polls.
          await sleep(300);
          timeline.push(`journaled; stacked so far: ${(await harness.script.stackedYuan()).length}`);
          return 'stack';
        },
      });
      acceptor.on('bill', (e) => e.type === 'credit' && timeline.push('credit'));
      await acceptor.enable([5000, 10000]);
      await harness.script.insertNote(50);
      await until('credit', () => credits().length === 1);
      await sleep(200);
      expect(timeline).toEqual(['offer', 'journaled; stacked so far: 0', 'credit']);
      expect(offer).toMatchObject({ amountFen: 5000 });
      expect(credits()).toEqual([{ type: 'credit', amountFen: 5000, billType: offer!.billType, eventCounter: offer!.eventCounter + 1 }]);
      expect(await harness.script.stackedYuan()).toEqual([50]);
    });

    it('gives the note back when the caller answers return', async () => {
      const acceptor = await connect({ escrowHandler: async () => 'return' });
      await acceptor.enable([2000]);
      await harness.script.insertNote(20);
      await until('returned', () => events.some((e) => e.type === 'returned'));
      expect(credits()).toEqual([]);
      expect(await harness.script.stackedYuan()).toEqual([]);
    });

    it('reports a note it was not enabled for as rejected (inhibited), not credited', async () => {
      const acceptor = await connect({ escrowHandler: async () => 'stack' });
      await acceptor.enable([100]);
      await harness.script.insertNote(100);
      await until('rejected', () => events.find((e) => e.type === 'rejected'));
      expect(events.find((e) => e.type === 'rejected')).toMatchObject({ reason: 'inhibited' });
      expect(credits()).toEqual([]);
    });

    it('stops intake on a jam and reports exactly what was stacked before it', async () => {
      const acceptor = await connect({ escrowHandler: async () => 'stack' });
      await acceptor.enable([1000, 2000, 5000]);
      await harness.script.insertNote(20);
      await until('first credit', () => credits().length === 1);
      await harness.script.insertNote(10);
      await until('second credit', () => credits().length === 2);
      await harness.script.jam('unsafe');
      const fault = await until('jam fault', () => events.find((e) => e.type === 'fault'));
      expect(fault).toMatchObject({ type: 'fault', fault: 'jam', stackedSinceEnableFen: 3000, suggestedAction: 'clearJam' });
      expect(acceptor.status()).toMatchObject({ accepting: false, jammed: true, device: 'hardwareError' });
      await sleep(150);
      // The master inhibit is on: another note is refused by the device itself.
      expect(await harness.script.insertNote(50)).not.toBe('escrow');
      await sleep(150);
      expect(credits()).toHaveLength(2);
    });

    it('stops intake when the stacker is removed, asking for it back', async () => {
      const acceptor = await connect({ escrowHandler: async () => 'stack' });
      await acceptor.enable([5000]);
      await harness.script.removeStacker();
      const fault = await until('stacker fault', () => events.find((e) => e.type === 'fault'));
      expect(fault).toMatchObject({ fault: 'stackerRemoved', suggestedAction: 'insertStacker', stackedSinceEnableFen: 0 });
      expect(acceptor.status()).toMatchObject({ accepting: false, stacker: 'removed', device: 'userError' });
      await expect(acceptor.enable([5000])).rejects.toMatchObject({ completion: 'hardwareError', suggestedAction: 'insertStacker' });
    });

    it('reports fraud as a fault and the device as fraudAttempt', async () => {
      const acceptor = await connect();
      await acceptor.enable([5000]);
      await harness.script.fraud('string');
      const fault = await until('fraud fault', () => events.find((e) => e.type === 'fault'));
      expect(fault).toMatchObject({ fault: 'fraud', deviceCode: 18 });
      expect(acceptor.status().device).toBe('fraudAttempt');
    });

    it('credits a note exactly once across a driver restart, using the counter the caller persisted', async () => {
      let acceptor = await connect({ escrowHandler: async () => 'stack' });
      await acceptor.enable([10000]);
      await harness.script.insertNote(100);
      const credit = await until('credit', () => credits()[0]);
      const persisted = credit.eventCounter;
      await acceptor.close();

      acceptor = await connect({ lastEventCounter: persisted, escrowHandler: async () => 'stack' });
      await sleep(300);
      expect(credits()).toEqual([]);
      await acceptor.enable([10000]);
      await harness.script.insertNote(100);
      await until('new credit', () => credits().length === 1);
      await sleep(200);
      expect(credits()).toHaveLength(1);
      const second = credits()[0]!;
      await acceptor.close();

      // A caller that lost its last write re-learns that credit, once.
      acceptor = await connect({ lastEventCounter: second.eventCounter - 1 });
      await sleep(300);
      expect(credits()).toEqual([{ ...second }]);
    });

    it('rejects a command canceled before it starts with completion canceled', async () => {
      const acceptor = await connect();
      const error = await rejection(acceptor.enable([5000], { signal: AbortSignal.abort() }));
      expect(error.completion).toBe('canceled');
    });

    it('rejects with completion timeOut when the device stops answering, then goes offline', async () => {
      const acceptor = await connect();
      await harness.script.setUnresponsive(true);
      const error = await rejection(acceptor.disable({ timeoutMs: 400 }));
      expect(error.completion).toBe('timeOut');
      await until('offline', () => acceptor.status().device === 'offline', 6_000);
      await harness.script.setUnresponsive(false);
      await until('back online', () => acceptor.status().device === 'online', 3_000);
    });

    it('closes idempotently; afterwards commands reject with deviceNotReady', async () => {
      const acceptor = await connect();
      await acceptor.close();
      await acceptor.close();
      expect(acceptor.status().device).toBe('offline');
      const error = await rejection(acceptor.enable([5000]));
      expect(error.completion).toBe('deviceNotReady');
    });
  });
}

// ---------------------------------------------------------------------------
// Receipt printer

export interface PrinterScript {
  setPaper(paper: 'ok' | 'nearEnd' | 'out'): Promise<void>;
  setCoverOpen(open: boolean): Promise<void>;
  setCutterError(error: boolean): Promise<void>;
  setUnresponsive(unresponsive: boolean): Promise<void>;
  receiptTexts(): Promise<string[]>;
}

export interface PrinterHarness {
  device: ReceiptPrinter;
  script: PrinterScript;
  /** A small receipt's bytes whose text contains `marker`. */
  receipt(marker: string): Buffer;
  dispose(): Promise<void>;
}

export function receiptPrinterContract(name: string, makeHarness: () => Promise<PrinterHarness>): void {
  describe(`ReceiptPrinter contract: ${name}`, () => {
    let harness: PrinterHarness;
    beforeEach(async () => {
      harness = await makeHarness();
      await harness.device.open();
    });
    afterEach(async () => {
      await harness.device.close();
      await harness.dispose();
    });

    it('opens online with paper', () => {
      expect(harness.device.status()).toEqual({ device: 'online', paper: 'ok', coverOpen: false, cutterError: false, otherError: false });
    });

    it('prints a receipt that the printer keeps, cut', async () => {
      await harness.device.print(harness.receipt('PAYMENT 0190-A'));
      const texts = await harness.script.receiptTexts();
      expect(texts).toHaveLength(1);
      expect(texts[0]).toContain('PAYMENT 0190-A');
    });

    it('still prints with paper near end, and says so in the status', async () => {
      await harness.script.setPaper('nearEnd');
      const changes: unknown[] = [];
      harness.device.on('statusChanged', (c) => changes.push(c));
      await harness.device.print(harness.receipt('NEAR END'));
      expect(harness.device.status().paper).toBe('nearEnd');
      expect(changes).toContainEqual({ paper: 'nearEnd' });
      expect(await harness.script.receiptTexts()).toHaveLength(1);
    });

    it('refuses to print with paper out, prints nothing, and asks for paper', async () => {
      await harness.script.setPaper('out');
      const faults: string[] = [];
      harness.device.on('deviceError', (e) => faults.push(e.suggestedAction));
      const error = await rejection(harness.device.print(harness.receipt('NO PAPER')));
      expect(error).toMatchObject({ completion: 'userError', suggestedAction: 'loadPaper' });
      expect(harness.device.status()).toMatchObject({ device: 'userError', paper: 'out' });
      expect(faults).toContain('loadPaper');
      expect(await harness.script.receiptTexts()).toEqual([]);
    });

    it('refuses to print with the cover open', async () => {
      await harness.script.setCoverOpen(true);
      const error = await rejection(harness.device.print(harness.receipt('COVER')));
      expect(error).toMatchObject({ completion: 'userError', suggestedAction: 'closeCover' });
      expect(harness.device.status().coverOpen).toBe(true);
    });

    it('reports a cutter error found after printing', async () => {
      await harness.script.setCutterError(true);
      const error = await rejection(harness.device.print(harness.receipt('CUTTER')));
      expect(error).toMatchObject({ completion: 'hardwareError', suggestedAction: 'callMaintenance' });
      expect(harness.device.status()).toMatchObject({ device: 'hardwareError', cutterError: true });
    });

    it('rejects a status query with completion timeOut when the printer is silent', async () => {
      await harness.script.setUnresponsive(true);
      const error = await rejection(harness.device.queryStatus({ timeoutMs: 300 }));
      expect(error.completion).toBe('timeOut');
    });

    it('rejects a command canceled before it starts with completion canceled', async () => {
      const error = await rejection(harness.device.queryStatus({ signal: AbortSignal.abort() }));
      expect(error.completion).toBe('canceled');
    });

    it('closes idempotently; afterwards commands reject with deviceNotReady', async () => {
      await harness.device.close();
      await harness.device.close();
      const error = await rejection(harness.device.print(harness.receipt('AFTER CLOSE')));
      expect(error.completion).toBe('deviceNotReady');
    });
  });
}
