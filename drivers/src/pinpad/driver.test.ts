import { inspect } from 'node:util';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { PinPadKeyEvent } from '../device/types.js';
import { decodeReport, encodeReport } from './codec.js';
import { HidPinPad } from './driver.js';
import { MockHidBackend, MockKeypad } from './simulator.js';

function setup() {
  const backend = new MockHidBackend();
  const keypad = backend.add(new MockKeypad('/dev/hidraw3', 0x1234, 0x5678));
  const lines: string[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  const pad = new HidPinPad({ backend, target: { vendorId: 0x1234, productId: 0x5678 }, log });
  const keys: PinPadKeyEvent[] = [];
  pad.on('key', (e) => keys.push(e));
  return { backend, keypad, pad, keys, lines };
}

describe('HID report codec', () => {
  it('reports a key once when pressed, not while held or on release', () => {
    expect(decodeReport(encodeReport([0x59]), [])).toEqual({ kind: 'keys', pressed: [0x59] });
    expect(decodeReport(encodeReport([0x59]), [0x59])).toEqual({ kind: 'keys', pressed: [] });
    expect(decodeReport(encodeReport([]), [0x59])).toEqual({ kind: 'keys', pressed: [] });
  });
  it('ignores roll-over errors and rejects wrong-length reports', () => {
    expect(decodeReport(encodeReport([1, 1, 1, 1, 1, 1]), [])).toEqual({ kind: 'rollover' });
    expect(decodeReport(Buffer.alloc(5), [])).toEqual({ kind: 'invalid', reason: 'length' });
  });
});

describe('HidPinPad over the mock HID backend', () => {
  let pad: HidPinPad | undefined;
  afterEach(async () => {
    await pad?.close();
  });

  it('collects a PIN, hands it over only through reveal(), and never logs or emits a digit', async () => {
    const t = setup();
    pad = t.pad;
    await t.pad.open();
    const entry = t.pad.readPin({ minDigits: 6, maxDigits: 6 });
    t.keypad.type('480913');
    const pin = await entry;
    expect(pin.reveal()).toBe('480913');
    expect(String(pin)).toBe('[PIN redacted]');
    expect(JSON.stringify({ pin })).toBe('{"pin":"[PIN redacted]"}');
    expect(inspect(pin)).toBe('[PIN redacted]');
    expect(t.keys.map((k) => k.enteredDigits)).toEqual([1, 2, 3, 4, 5, 6, 6]);
    expect(JSON.stringify(t.keys)).not.toMatch(/[0-9]{2}|"digit":\s*\d/);
    expect(t.lines.join('')).not.toMatch(/480913|"4"|"8"/);
    pin.wipe();
    expect(() => pin.reveal()).toThrow(/wiped/);
  });

  it('applies backspace and clear, and waits for the minimum digits before Enter', async () => {
    const t = setup();
    pad = t.pad;
    await t.pad.open();
    const entry = t.pad.readPin({ minDigits: 4 });
    t.keypad.type('12', false);
    t.keypad.press('clear');
    t.keypad.type('99', true); // too short: Enter ignored
    t.keypad.type('87', false);
    t.keypad.press('backspace');
    t.keypad.type('6', true);
    expect((await entry).reveal()).toBe('9986');
  });

  it('ends the entry with completion canceled when the resident presses Cancel', async () => {
    const t = setup();
    pad = t.pad;
    await t.pad.open();
    const entry = t.pad.readPin();
    t.keypad.type('12', false);
    t.keypad.press('cancel');
    await expect(entry).rejects.toMatchObject({ completion: 'canceled' });
    expect(t.pad.status().entryActive).toBe(false);
  });

  it('times out with completion timeOut, and allows one entry at a time', async () => {
    const t = setup();
    pad = t.pad;
    await t.pad.open();
    const entry = t.pad.readPin({ timeoutMs: 100 });
    await expect(t.pad.readPin()).rejects.toMatchObject({ completion: 'sequenceError' });
    await expect(entry).rejects.toMatchObject({ completion: 'timeOut' });
  });

  it('goes offline and fails the entry when the keypad is unplugged', async () => {
    const t = setup();
    pad = t.pad;
    await t.pad.open();
    const actions: string[] = [];
    t.pad.on('deviceError', (e) => actions.push(e.suggestedAction));
    const entry = t.pad.readPin();
    t.keypad.unplug();
    await expect(entry).rejects.toMatchObject({ completion: 'deviceNotReady' });
    expect(t.pad.status().device).toBe('offline');
    expect(actions).toEqual(['checkConnection']);
  });

  it('rejects opening an absent device with a typed error', async () => {
    const backend = new MockHidBackend();
    pad = new HidPinPad({ backend, target: { path: '/dev/hidraw9' } });
    await expect(pad.open()).rejects.toMatchObject({ code: 1200, completion: 'deviceNotReady' });
  });

  it('counts malformed reports without acting on them', async () => {
    const t = setup();
    pad = t.pad;
    await t.pad.open();
    t.keypad.sendReport(Buffer.alloc(3, 0x59));
    await new Promise((r) => setImmediate(r));
    expect(t.pad.invalidReports).toBe(1);
    expect(t.keys).toEqual([]);
  });
});
