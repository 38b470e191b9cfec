import { afterEach, describe, expect, it } from 'vitest';
import { billAcceptorContract } from '../device/contract.js';
import { createMemoryLinkPair } from '../device/link.js';
import type { BillAcceptorEvent } from '../device/types.js';
import { CctalkBillAcceptor, eventCounterDistance } from './driver.js';
import { BillValidatorSimulator } from './simulator.js';
import type { ChecksumMode } from './types.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function inMemory(mode: ChecksumMode, echo: boolean) {
  return async () => {
    const first = createMemoryLinkPair({ echoHost: echo });
    const simulator = new BillValidatorSimulator({ link: first.device, mode });
    let pending: ReturnType<typeof createMemoryLinkPair> | undefined = first;
    return {
      script: simulator,
      async connect(options: { lastEventCounter?: number; escrowHandler?: import('../device/types.js').EscrowHandler } = {}) {
        const pair = pending ?? createMemoryLinkPair({ echoHost: echo });
        if (!pending) simulator.attach(pair.device);
        pending = undefined;
        return new CctalkBillAcceptor({ link: pair.host, mode, echo, pollIntervalMs: 20, ...options });
      },
      async dispose() {
        simulator.stop();
      },
    };
  };
}

billAcceptorContract('driver + in-process simulator (simple checksum)', inMemory('simple8', false));
billAcceptorContract('driver + in-process simulator (CRC-16, single-wire echo)', inMemory('crc16', true));

describe('ccTalk event counter arithmetic', () => {
  it('counts 1..255 wrapping to 1, and 0 as "after reset"', () => {
    expect(eventCounterDistance(3, 5)).toBe(2);
    expect(eventCounterDistance(254, 2)).toBe(3); // 255, 1, 2
    expect(eventCounterDistance(0, 4)).toBe(4);
    expect(eventCounterDistance(7, 7)).toBe(0);
  });
});

describe('CctalkBillAcceptor against the in-process simulator', () => {
  let driver: CctalkBillAcceptor | undefined;
  let simulator: BillValidatorSimulator | undefined;
  afterEach(async () => {
    await driver?.close();
    simulator?.stop();
    driver = undefined;
  });

  async function start(options: { lastEventCounter?: number; stack?: boolean } = {}) {
    const pair = createMemoryLinkPair();
    simulator = new BillValidatorSimulator({ link: pair.device });
    driver = new CctalkBillAcceptor({
      link: pair.host,
      pollIntervalMs: 20,
      escrowHandler: async () => (options.stack === false ? 'return' : 'stack'),
      ...(options.lastEventCounter === undefined ? {} : { lastEventCounter: options.lastEventCounter }),
    });
    const events: BillAcceptorEvent[] = [];
    driver.on('bill', (e) => events.push(e));
    await driver.open();
    return { events, driver, simulator };
  }

  it('reads the validator identity during start-up', async () => {
    const { driver } = await start();
    expect(driver.identity).toEqual({ equipmentCategory: 'Bill Validator', productCode: 'NB-SIM-BV', manufacturer: 'NGB', serialNumber: 0x0a1b2c });
  });

  it('refuses to enable a note value the validator does not carry, with a typed error', async () => {
    const { driver } = await start();
    await expect(driver.enable([200])).rejects.toMatchObject({ code: 1300, completion: 'invalidData' });
  });

  it('reports lost events when the counter jumped by more than five, and stops intake', async () => {
    const { driver, simulator, events } = await start({ stack: true });
    await driver.enable([100]);
    // Eight inhibited-note events while nobody polls would fit; simulate a long gap instead:
    driver.setLastEventCounter(1);
    for (let i = 0; i < 8; i++) await simulator.insertNote(5); // inhibited (only 1 yuan enabled)
    await sleep(150);
    const lost = events.find((e) => e.type === 'fault' && e.fault === 'eventsLost');
    expect(lost).toMatchObject({ fault: 'eventsLost', lostCount: 2, suggestedAction: 'reconcileCashBox' });
    expect(events.filter((e) => e.type === 'rejected')).toHaveLength(5);
    expect(driver.status().accepting).toBe(false);
  });

  it('detects a validator reset (counter back to 0) and reports it once', async () => {
    const { driver, simulator, events } = await start();
    await driver.enable([5000]);
    await simulator.insertNote(50);
    await sleep(150);
    expect(driver.status().lastEventCounter).toBe(2);
    await simulator.powerCycle();
    await sleep(150);
    expect(events.filter((e) => e.type === 'fault' && e.fault === 'deviceReset')).toHaveLength(1);
    expect(driver.status()).toMatchObject({ lastEventCounter: 0, accepting: false });
    // After re-enabling, the next note's events count from 1 again and are credited.
    await driver.enable([5000]);
    await simulator.insertNote(50);
    await sleep(150);
    expect(events.filter((e) => e.type === 'credit').map((e) => e.eventCounter)).toEqual([2, 2]);
  });

  it('returns the note when the caller does not decide within the escrow decision timeout', async () => {
    const pair = createMemoryLinkPair();
    simulator = new BillValidatorSimulator({ link: pair.device });
    driver = new CctalkBillAcceptor({ link: pair.host, pollIntervalMs: 20, escrowDecisionTimeoutMs: 200, escrowHandler: () => new Promise(() => undefined) });
    const events: BillAcceptorEvent[] = [];
    driver.on('bill', (e) => events.push(e));
    await driver.open();
    await driver.enable([1000]);
    await simulator.insertNote(10);
    await sleep(450);
    expect(events.map((e) => e.type)).toEqual(['returned']);
    expect(await simulator.stackedYuan()).toEqual([]);
  });

  it('keeps a note in escrow past the validator escrow timeout while the caller is still journaling', async () => {
    const pair = createMemoryLinkPair();
    simulator = new BillValidatorSimulator({ link: pair.device, escrowTimeoutMs: 250 });
    driver = new CctalkBillAcceptor({
      link: pair.host,
      pollIntervalMs: 20,
      escrowExtendIntervalMs: 100,
      escrowHandler: () => new Promise((resolve) => setTimeout(() => resolve('stack'), 700)),
    });
    const events: BillAcceptorEvent[] = [];
    driver.on('bill', (e) => events.push(e));
    await driver.open();
    await driver.enable([5000]);
    await simulator.insertNote(50);
    await sleep(900);
    expect(events.map((e) => e.type)).toEqual(['credit']);
    expect(await simulator.stackedYuan()).toEqual([50]);
  });

  it('keeps polling after a listener throws', async () => {
    const { driver, simulator, events } = await start();
    driver.on('bill', () => {
      throw new Error('UI handler bug');
    });
    await driver.enable([2000]);
    await simulator.insertNote(20);
    await sleep(120);
    await simulator.insertNote(20);
    await sleep(120);
    expect(events.filter((e) => e.type === 'credit')).toHaveLength(2);
  });

  it('survives line noise between exchanges', async () => {
    const { driver, simulator, events } = await start();
    await driver.enable([500]);
    await simulator.injectBytes(Buffer.from('01FF00A5', 'hex'));
    await simulator.insertNote(5);
    await sleep(200);
    expect(events.filter((e) => e.type === 'credit')).toHaveLength(1);
    expect(driver.status().device).toBe('online');
  });

  it('rejects a persisted counter outside 0..255 with a typed error', () => {
    const pair = createMemoryLinkPair();
    expect(() => new CctalkBillAcceptor({ link: pair.host, lastEventCounter: 256 })).toThrow(expect.objectContaining({ code: 1300 }));
  });

  it('resynchronises at start-up when a late reply arrives ahead of the answer', async () => {
    const pair = createMemoryLinkPair();
    // The validator's first reply goes out twice: the extra ACK stands for a
    // reply still on its way to a driver that just closed (ccTalk replies
    // carry no request id), arriving while the new driver starts.
    let doubled = false;
    const device: typeof pair.device = {
      get isOpen() {
        return pair.device.isOpen;
      },
      write: async (bytes) => {
        await pair.device.write(bytes);
        if (!doubled) {
          doubled = true;
          await pair.device.write(bytes);
        }
      },
      onData: (listener) => pair.device.onData(listener),
      onClose: (listener) => pair.device.onClose(listener),
      close: () => pair.device.close(),
    };
    const simulator = new BillValidatorSimulator({ link: device, mode: 'simple8' });
    const driver = new CctalkBillAcceptor({ link: pair.host, mode: 'simple8' });
    await driver.open();
    expect(doubled).toBe(true);
    expect(driver.identity?.equipmentCategory).toBe('Bill Validator');
    await driver.close();
    simulator.stop();
  });
});
