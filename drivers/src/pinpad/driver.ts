// HID PIN pad driver (issue #4 §4) implementing the PinPad device model over a
// HidBackend (node-hid HIDAsync in production, MockHidBackend in tests).
// PIN digits never leave this module except through SecretPin.reveal(): key
// events carry no digit values, logs carry key kinds and counts only
// (ARCHITECTURE.md, journey 1: the PIN is never stored, logged or sent).
import { inspect } from 'node:util';
import pino, { type Logger } from 'pino';
import { TypedEmitter } from '../device/emitter.js';
import { DeviceError, DeviceErrorCode } from '../device/errors.js';
import type { CommandOptions, PinEntryOptions, PinPad, PinPadCapabilities, PinPadEvents, PinPadKey, PinPadStatus, SecretPinLike } from '../device/types.js';
import { withDeadline } from '../device/wait.js';
import { decodeReport } from './codec.js';
import { digitOfUsage, KEY_USAGES, PIN_ENTRY_TIMEOUT_MS, PIN_MAX_DIGITS, PIN_MIN_DIGITS, PINPAD_OPEN_TIMEOUT_MS } from './constants.js';
import type { HidBackend, HidConnection, HidTarget } from './types.js';

const REDACTED = '[PIN redacted]';

export class SecretPin implements SecretPinLike {
  #digits: number[] | undefined;
  constructor(digits: readonly number[]) {
    this.#digits = [...digits];
  }
  get length(): number {
    return this.#digits?.length ?? 0;
  }
  reveal(): string {
    if (!this.#digits) throw new DeviceError(DeviceErrorCode.invalidArgument, 'PIN was wiped');
    return this.#digits.join('');
  }
  wipe(): void {
    this.#digits?.fill(0);
    this.#digits = undefined;
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [inspect.custom](): string {
    return REDACTED;
  }
}

export interface HidPinPadOptions {
  backend: HidBackend;
  target: HidTarget;
  log?: Logger;
}

interface Entry {
  digits: number[];
  minDigits: number;
  maxDigits: number;
  resolve: (pin: SecretPin) => void;
  reject: (error: DeviceError) => void;
}

export class HidPinPad extends TypedEmitter<PinPadEvents> implements PinPad {
  readonly kind = 'pinPad' as const;
  readonly capabilities: PinPadCapabilities = { keys: ['digit', 'enter', 'cancel', 'clear', 'backspace'], maxPinDigits: PIN_MAX_DIGITS };
  readonly #backend: HidBackend;
  readonly #target: HidTarget;
  #connection: HidConnection | undefined;
  #unsubscribe: Array<() => void> = [];
  #held: number[] = [];
  #entry: Entry | undefined;
  #status: PinPadStatus = { device: 'offline', entryActive: false };
  /** Reports we could not decode; a count only. */
  invalidReports = 0;

  constructor(options: HidPinPadOptions) {
    super(options.log ?? pino({ level: 'silent' }));
    this.#backend = options.backend;
    this.#target = options.target;
  }

  status(): PinPadStatus {
    return { ...this.#status };
  }

  #setStatus(patch: Partial<PinPadStatus>): void {
    const changed: Partial<PinPadStatus> = {};
    for (const key of Object.keys(patch) as (keyof PinPadStatus)[]) {
      if (patch[key] !== this.#status[key]) (changed as Record<string, unknown>)[key] = patch[key];
    }
    if (Object.keys(changed).length === 0) return;
    this.#status = { ...this.#status, ...changed };
    this.emit('statusChanged', changed);
  }

  async open(options: CommandOptions = {}): Promise<void> {
    if (this.#connection) return;
    this.#setStatus({ device: 'starting' });
    try {
      const connection = await withDeadline('open PIN pad', options.timeoutMs ?? PINPAD_OPEN_TIMEOUT_MS, options.signal, () => this.#backend.open(this.#target));
      this.#connection = connection;
      this.#unsubscribe = [
        connection.onReport((report) => this.#onReport(report)),
        connection.onError((error) => this.#onGone(error)),
      ];
    } catch (error) {
      this.#setStatus({ device: 'offline' });
      if (error instanceof DeviceError) throw error;
      throw new DeviceError(DeviceErrorCode.notOpen, `cannot open PIN pad: ${(error as Error).message}`, 'checkConnection', { cause: error });
    }
    this.#held = [];
    this.#setStatus({ device: 'online' });
  }

  async close(): Promise<void> {
    const connection = this.#connection;
    this.#detach();
    this.#endEntry(new DeviceError(DeviceErrorCode.notOpen, 'PIN pad closed'));
    if (connection) await connection.close().catch(() => undefined);
    this.#setStatus({ device: 'offline', entryActive: false });
  }

  #detach(): void {
    for (const off of this.#unsubscribe.splice(0)) off();
    this.#connection = undefined;
  }

  #onGone(error: Error): void {
    this.log.warn({ err: { message: error.message } }, 'PIN pad gone');
    this.#detach();
    this.#endEntry(new DeviceError(DeviceErrorCode.linkClosed, 'PIN pad disconnected', 'checkConnection'));
    this.#setStatus({ device: 'offline', entryActive: false });
    this.emit('deviceError', { error: new DeviceError(DeviceErrorCode.linkClosed, 'PIN pad disconnected', 'checkConnection'), suggestedAction: 'checkConnection' });
  }

  #endEntry(error?: DeviceError, pin?: SecretPin): void {
    const entry = this.#entry;
    if (!entry) return;
    this.#entry = undefined;
    entry.digits.fill(0);
    this.#setStatus({ entryActive: false });
    if (pin) entry.resolve(pin);
    else if (error) entry.reject(error);
  }

  #onReport(report: Buffer): void {
    const decoded = decodeReport(report, this.#held);
    if (decoded.kind !== 'keys') {
      if (decoded.kind === 'invalid') this.invalidReports += 1;
      return;
    }
    const body = report.length === 9 ? report.subarray(1) : report;
    this.#held = [...body.subarray(2)].filter((u) => u !== 0);
    for (const usage of decoded.pressed) {
      const key = KEY_USAGES.get(usage);
      if (!key) continue;
      this.#press(key, digitOfUsage(usage));
    }
  }

  #press(key: PinPadKey, digit: number | undefined): void {
    const entry = this.#entry;
    if (entry) {
      if (key === 'digit' && digit !== undefined && entry.digits.length < entry.maxDigits) entry.digits.push(digit);
      else if (key === 'backspace') entry.digits.pop();
      else if (key === 'clear') entry.digits.fill(0).length = 0;
    }
    // The event says which kind of key, never which digit of a PIN; with no
    // entry running a digit is a menu choice (PIN-pad-only navigation).
    const menuDigit = !entry && key === 'digit' && digit !== undefined ? { menuDigit: digit } : {};
    this.emit('key', { key, enteredDigits: entry?.digits.length ?? 0, ...menuDigit });
    if (!entry) return;
    if (key === 'cancel') this.#endEntry(new DeviceError(DeviceErrorCode.canceled, 'PIN entry canceled on the keypad'));
    else if (key === 'enter' && entry.digits.length >= entry.minDigits) {
      this.log.info({ digits: entry.digits.length }, 'PIN entered');
      this.#endEntry(undefined, new SecretPin(entry.digits));
    }
  }

  readPin(options: PinEntryOptions = {}): Promise<SecretPin> {
    if (!this.#connection) return Promise.reject(new DeviceError(DeviceErrorCode.notOpen, 'readPin: PIN pad is not open', 'checkConnection'));
    if (this.#entry) return Promise.reject(new DeviceError(DeviceErrorCode.busy, 'readPin: an entry is already running'));
    const minDigits = options.minDigits ?? PIN_MIN_DIGITS;
    const maxDigits = options.maxDigits ?? PIN_MAX_DIGITS;
    if (!Number.isInteger(minDigits) || !Number.isInteger(maxDigits) || minDigits < 1 || maxDigits > PIN_MAX_DIGITS || minDigits > maxDigits) {
      return Promise.reject(new DeviceError(DeviceErrorCode.invalidArgument, `readPin: digits ${minDigits}..${maxDigits} not within 1..${PIN_MAX_DIGITS}`));
    }
    return withDeadline('PIN entry', options.timeoutMs ?? PIN_ENTRY_TIMEOUT_MS, options.signal, (signal) => {
      const result = new Promise<SecretPin>((resolve, reject) => {
        this.#entry = { digits: [], minDigits, maxDigits, resolve, reject };
      });
      this.#setStatus({ entryActive: true });
      // Timeout or cancel: forget whatever was typed.
      signal.addEventListener('abort', () => this.#endEntry(signal.reason instanceof DeviceError ? signal.reason : new DeviceError(DeviceErrorCode.canceled, 'PIN entry aborted')), { once: true });
      return result;
    });
  }
}

/** node-hid HIDAsync as a HidBackend; node-hid is loaded on first use. */
export class NodeHidBackend implements HidBackend {
  async open(target: HidTarget): Promise<HidConnection> {
    const { HIDAsync } = await import('node-hid');
    const device = 'path' in target ? await HIDAsync.open(target.path) : await HIDAsync.open(target.vendorId, target.productId);
    return {
      onReport(listener) {
        device.on('data', listener);
        return () => device.off('data', listener);
      },
      onError(listener) {
        let called = false;
        const once = (error: Error): void => {
          if (called) return;
          called = true;
          listener(error);
        };
        device.on('error', once);
        return () => device.off('error', once);
      },
      close: () => device.close(),
    };
  }
}
