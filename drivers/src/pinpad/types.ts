// PIN pad backend interface (issue #4 §4): node-hid's HIDAsync in production,
// a JS mock in tests (this machine has no uhid to create virtual HID devices).

export type HidTarget = { path: string } | { vendorId: number; productId: number };

/** An open HID device; the contract node-hid's HIDAsync satisfies through NodeHidBackend. */
export interface HidConnection {
  /** Input reports, in order; returns the unsubscribe function. */
  onReport(listener: (report: Buffer) => void): () => void;
  /** The device went away (unplugged) or failed; called at most once. */
  onError(listener: (error: Error) => void): () => void;
  close(): Promise<void>;
}

export interface HidBackend {
  open(target: HidTarget): Promise<HidConnection>;
}

/** What a report means: pressed keys (new in this report), or nothing we know. */
export type DecodedReport =
  | { kind: 'keys'; pressed: number[] }
  | { kind: 'rollover' }
  | { kind: 'invalid'; reason: 'length' };
