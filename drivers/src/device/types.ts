// The common device model (issue #4 §1), after XFS4IoT's common interface:
// every device reports one `DeviceState`, lists its capabilities, takes a
// timeout and a cancel signal on every command, answers with a completion code
// (success, or a DeviceError carrying one), emits status changes that carry
// only what changed, and emits error events with a suggested action.
//
// The contract, which the real drivers and the simulators' in-process pairing
// both honour, and which `contract.ts` tests:
//  1. `open()` resolves once the device answered its start-up sequence; status
//     goes starting -> online (or hardwareError/userError if the device says so).
//  2. Every command rejects with a DeviceError, never anything else:
//     completion `canceled` when its signal aborts (also if aborted before the
//     call), `timeOut` when `timeoutMs` passes, `deviceNotReady` when not open.
//  3. `statusChanged` carries only the fields that changed, and is not emitted
//     when nothing changed.
//  4. `deviceError` is emitted for faults the caller did not ask about (a jam
//     seen by a poll, the link going away); command failures reject instead.
//  5. `close()` is idempotent; afterwards status is offline and commands reject
//     with `deviceNotReady`.

/** XFS4IoT common.Status.device, trimmed to what our devices can report. */
export type DeviceState =
  | 'online'
  | 'offline'
  | 'hardwareError'
  | 'userError'
  | 'busy'
  | 'fraudAttempt'
  | 'starting';

/** XFS4IoT completion codes that our commands can end with. */
export type CompletionCode =
  | 'success'
  | 'canceled'
  | 'timeOut'
  | 'deviceNotReady'
  | 'hardwareError'
  | 'userError'
  | 'invalidData'
  | 'unsupportedCommand'
  | 'sequenceError'
  | 'fraudAttempt';

/** What a person (resident or staff) should do about a fault; the UI maps it to a message. */
export type SuggestedAction =
  | 'none'
  | 'retry'
  | 'reset'
  | 'checkConnection'
  | 'clearJam'
  | 'insertStacker'
  | 'emptyStacker'
  | 'reconcileCashBox'
  | 'loadPaper'
  | 'closeCover'
  | 'callMaintenance';

export type DeviceKind = 'billAcceptor' | 'receiptPrinter' | 'pinPad';

/** Every command takes these; `timeoutMs` falls back to the command's named default. */
export interface CommandOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** The status common to every device; each kind adds its own fields. */
export interface CommonStatus {
  device: DeviceState;
}

export interface DeviceErrorEvent {
  /** The DeviceError describing the fault. */
  error: import('./errors.js').DeviceError;
  suggestedAction: SuggestedAction;
}

export interface DeviceEvents<Status> {
  /** Only the fields that changed (contract rule 3). */
  statusChanged: (changed: Partial<Status>) => void;
  deviceError: (event: DeviceErrorEvent) => void;
}

export interface Device<Status extends CommonStatus, Capabilities> {
  readonly kind: DeviceKind;
  readonly capabilities: Capabilities;
  /** A snapshot; cheap, no I/O. */
  status(): Status;
  open(options?: CommandOptions): Promise<void>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------
// Bill acceptor

export interface BillAcceptorStatus extends CommonStatus {
  /** True while notes may be inserted (enabled and not faulted). */
  accepting: boolean;
  stacker: 'ok' | 'removed' | 'full' | 'faulty' | 'jammed' | 'unknown';
  /** A jam in the transport path; needs a person. */
  jammed: boolean;
  /** The device's last event counter the driver has handled (ccTalk 1..255, 0 after reset). */
  lastEventCounter: number;
}

export interface BillAcceptorCapabilities {
  /** Note values the device recognises, in fen, ascending. */
  denominationsFen: readonly number[];
  escrow: boolean;
  currency: 'CNY';
}

/** A note held in escrow; the caller journals, then answers. */
export interface EscrowOffer {
  amountFen: number;
  /** Device channel (ccTalk bill type 1..16). */
  billType: number;
  eventCounter: number;
}
export type EscrowDecision = 'stack' | 'return';
/** Called for every note in escrow; the driver waits (extending the escrow hold) for the answer. */
export type EscrowHandler = (offer: EscrowOffer, signal: AbortSignal) => Promise<EscrowDecision>;

export type BillRejectReason = 'validation' | 'transport' | 'inhibited' | 'inhibitedByDip' | 'barcode' | 'unknownType';
export type BillFault =
  | 'jam'
  | 'stackerJam'
  | 'stackerRemoved'
  | 'stackerFull'
  | 'stackerFaulty'
  | 'fraud'
  | 'pulledBack'
  | 'tamper'
  | 'antiStringFaulty'
  | 'eventsLost'
  | 'deviceReset'
  | 'unknownStacked';

/** Everything the acceptor reports; each carries the event counter the caller should persist with it. */
export type BillAcceptorEvent =
  | { type: 'credit'; amountFen: number; billType: number; eventCounter: number }
  | { type: 'returned'; eventCounter: number }
  | { type: 'rejected'; reason: BillRejectReason; eventCounter: number }
  | {
      type: 'fault';
      fault: BillFault;
      /** Device event code (ccTalk result B with A = 0), or -1 when the driver inferred the fault. */
      deviceCode: number;
      eventCounter: number;
      /** Fen credited since the last `enable()`: what was stacked before the fault stopped intake. */
      stackedSinceEnableFen: number;
      /** Lost events (`eventsLost` only). */
      lostCount?: number;
      suggestedAction: SuggestedAction;
    }
  | { type: 'stackerInserted'; eventCounter: number }
  | { type: 'stackerOk'; eventCounter: number }
  | { type: 'masterInhibit'; eventCounter: number };

export interface BillAcceptorEvents extends DeviceEvents<BillAcceptorStatus> {
  bill: (event: BillAcceptorEvent) => void;
}

export interface BillAcceptor extends Device<BillAcceptorStatus, BillAcceptorCapabilities> {
  readonly kind: 'billAcceptor';
  /** Accept exactly these note values (fen); all others stay inhibited. */
  enable(denominationsFen: readonly number[], options?: CommandOptions): Promise<void>;
  /** Master inhibit: no note is taken in after this resolves. */
  disable(options?: CommandOptions): Promise<void>;
  setEscrowHandler(handler: EscrowHandler | undefined): void;
  /** Restore the caller-persisted counter (exactly-once credits across restarts). */
  setLastEventCounter(counter: number): void;
  /**
   * Asks the device whether it answers (ccTalk simple poll), for staff's
   * self-test (issue 13 section 1); rejects with the DeviceError the link or
   * the device gave. Changes nothing on the device.
   */
  poll(options?: CommandOptions): Promise<void>;
  on<E extends keyof BillAcceptorEvents>(event: E, listener: BillAcceptorEvents[E]): this;
  off<E extends keyof BillAcceptorEvents>(event: E, listener: BillAcceptorEvents[E]): this;
}

// ---------------------------------------------------------------------------
// Receipt printer

export type PaperState = 'ok' | 'nearEnd' | 'out' | 'unknown';

export interface PrinterStatus extends CommonStatus {
  paper: PaperState;
  coverOpen: boolean;
  cutterError: boolean;
  /** Unrecoverable or auto-recoverable error other than the cutter. */
  otherError: boolean;
}

export interface PrinterCapabilities {
  /** Printable width in dots (384 for 58 mm, 576 for 80 mm at 203 dpi). */
  widthDots: number;
  columns: number;
  qr: boolean;
  cutter: boolean;
}

export interface PrinterEvents extends DeviceEvents<PrinterStatus> {}

export interface ReceiptPrinter extends Device<PrinterStatus, PrinterCapabilities> {
  readonly kind: 'receiptPrinter';
  /** Asks the printer (DLE EOT 1..4), updates `status()`, emits `statusChanged`. */
  queryStatus(options?: CommandOptions): Promise<PrinterStatus>;
  /** Sends ESC/POS bytes; rejects with paperOut/coverOpen when the printer cannot print. */
  print(bytes: Uint8Array, options?: CommandOptions): Promise<void>;
  on<E extends keyof PrinterEvents>(event: E, listener: PrinterEvents[E]): this;
  off<E extends keyof PrinterEvents>(event: E, listener: PrinterEvents[E]): this;
}

// ---------------------------------------------------------------------------
// PIN pad

export type PinPadKey = 'digit' | 'enter' | 'cancel' | 'clear' | 'backspace';

export interface PinPadStatus extends CommonStatus {
  /** True while `readPin` is collecting digits. */
  entryActive: boolean;
}
export interface PinPadCapabilities {
  keys: readonly PinPadKey[];
  maxPinDigits: number;
}
/** A key press. Digits carry no value (spec: PIN digits are never logged or emitted). */
export interface PinPadKeyEvent {
  key: PinPadKey;
  /** Digits collected so far in the running entry (for showing dots), else 0. */
  enteredDigits: number;
  /**
   * A digit pressed while no PIN entry runs: a menu choice (issue 12 section
   * 3, PIN-pad-only navigation), not a PIN digit. Absent during an entry.
   */
  menuDigit?: number;
}
export interface PinPadEvents extends DeviceEvents<PinPadStatus> {
  key: (event: PinPadKeyEvent) => void;
}

/** A PIN held in memory only: never logged, printed or serialised (toString/toJSON/inspect redact). */
export interface SecretPinLike {
  readonly length: number;
  /** The digits, for the card's VERIFY command only. */
  reveal(): string;
  /** Overwrites the digits; later reveal() throws. */
  wipe(): void;
}

export interface PinEntryOptions extends CommandOptions {
  minDigits?: number;
  maxDigits?: number;
}

export interface PinPad extends Device<PinPadStatus, PinPadCapabilities> {
  readonly kind: 'pinPad';
  /**
   * Collects digits until Enter (with at least minDigits). Cancel key rejects
   * with completion `canceled` (code canceled, suggestedAction none); one entry
   * at a time (a second call rejects with `sequenceError`).
   */
  readPin(options?: PinEntryOptions): Promise<SecretPinLike>;
  on<E extends keyof PinPadEvents>(event: E, listener: PinPadEvents[E]): this;
  off<E extends keyof PinPadEvents>(event: E, listener: PinPadEvents[E]): this;
}
