// A JS-level HID backend with simulated keypads (issue #4 §4: no uhid on this
// machine). It honours the HidBackend contract as node-hid does: reports
// arrive asynchronously, in order; unplugging errors the connection once;
// opening an absent device rejects.
import { encodeReport } from './codec.js';
import type { HidBackend, HidConnection, HidTarget } from './types.js';

export type MockKey = 'enter' | 'cancel' | 'clear' | 'backspace' | `${0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9}`;

const USAGE_OF: Record<MockKey, number> = {
  '1': 0x59, '2': 0x5a, '3': 0x5b, '4': 0x5c, '5': 0x5d, '6': 0x5e, '7': 0x5f, '8': 0x60, '9': 0x61, '0': 0x62,
  enter: 0x58,
  cancel: 0x29,
  clear: 0x63,
  backspace: 0x2a,
};

export class MockKeypad {
  readonly #reportListeners = new Set<(report: Buffer) => void>();
  readonly #errorListeners = new Set<(error: Error) => void>();
  plugged = true;
  constructor(
    readonly path: string,
    readonly vendorId: number,
    readonly productId: number,
  ) {}

  /** Sends raw reports (for malformed-input tests). */
  sendReport(report: Buffer): void {
    setImmediate(() => {
      for (const listener of this.#reportListeners) listener(report);
    });
  }
  /** Press and release one key. */
  press(key: MockKey): void {
    this.sendReport(encodeReport([USAGE_OF[key]]));
    this.sendReport(encodeReport([]));
  }
  /** Types digits (and optionally Enter). */
  type(keys: string, enter = true): void {
    for (const char of keys) this.press(char as MockKey);
    if (enter) this.press('enter');
  }
  unplug(): void {
    this.plugged = false;
    setImmediate(() => {
      for (const listener of this.#errorListeners) listener(new Error('could not read from HID device'));
    });
  }
  connect(): HidConnection {
    const reports = this.#reportListeners;
    const errors = this.#errorListeners;
    let closed = false;
    return {
      onReport(listener) {
        const guarded = (report: Buffer): void => {
          if (!closed) listener(report);
        };
        reports.add(guarded);
        return () => reports.delete(guarded);
      },
      onError(listener) {
        errors.add(listener);
        return () => errors.delete(listener);
      },
      async close() {
        closed = true;
      },
    };
  }
}

export class MockHidBackend implements HidBackend {
  readonly keypads: MockKeypad[] = [];
  add(keypad: MockKeypad): MockKeypad {
    this.keypads.push(keypad);
    return keypad;
  }
  async open(target: HidTarget): Promise<HidConnection> {
    const keypad = this.keypads.find((k) =>
      k.plugged && ('path' in target ? k.path === target.path : k.vendorId === target.vendorId && k.productId === target.productId),
    );
    // node-hid's message for an absent device.
    if (!keypad) throw new Error('cannot open device with path ' + ('path' in target ? target.path : `${target.vendorId}:${target.productId}`));
    return keypad.connect();
  }
}
