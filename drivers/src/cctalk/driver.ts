// ccTalk bill validator driver (issue #4 §2) implementing the BillAcceptor
// device model. Money rules it enforces:
//  - escrow is a decision point handed to the caller (EscrowHandler), awaited
//    while the escrow hold is extended, so the terminal journals before the
//    stack command (ARCHITECTURE.md, journey 2);
//  - credits come only from header 159 events and are reported once per event
//    counter; the caller persists the counter with the credit and hands it back
//    after a restart (`lastEventCounter`), so a restart never repeats one;
//  - a jam, stacker removal/full, fraud or lost events stop intake (master
//    inhibit) and the fault carries what was stacked since `enable()`.
import pino, { type Logger } from 'pino';
import { TypedEmitter } from '../device/emitter.js';
import { DeviceError, DeviceErrorCode, isRetryable } from '../device/errors.js';
import type { ByteLink } from '../device/link.js';
import type {
  BillAcceptor,
  BillAcceptorCapabilities,
  BillAcceptorEvent,
  BillAcceptorEvents,
  BillAcceptorStatus,
  BillFault,
  BillRejectReason,
  CommandOptions,
  DeviceState,
  EscrowDecision,
  EscrowHandler,
  EscrowOffer,
  SuggestedAction,
} from '../device/types.js';
import { sleepUnlessAborted, withDeadline } from '../device/wait.js';
import { decodeBillId, decodeBufferedBillEvents, decodeSerialNumber, encodeInhibitMask } from './codec.js';
import {
  BillEventCode,
  CCTALK_BILL_VALIDATOR_ADDRESS,
  CCTALK_EVENT_BUFFER_SIZE,
  CCTALK_HOST_ADDRESS,
  CNY_NOTE_YUAN,
  FEN_PER_YUAN,
  Header,
  OperatingMode,
  RouteCode,
  RouteError,
} from './constants.js';
import { CctalkTransport } from './transport.js';
import type { BillEventRecord, ChecksumMode } from './types.js';

/** Issue #4 §2: poll (159) every 100-200 ms. */
export const CCTALK_POLL_INTERVAL_MS = 150;
/** The whole start-up sequence (about 25 exchanges). */
export const CCTALK_OPEN_TIMEOUT_MS = 10_000;
/** Quiet time before the start-up sequence: longer than a reply takes to arrive (CCTALK_REPLY_TIMEOUT_MS). */
export const CCTALK_OPEN_SETTLE_MS = 350;
/** enable()/disable(): three exchanges with retries. */
export const CCTALK_COMMAND_TIMEOUT_MS = 2_000;
/** Consecutive failed polls before the device is reported offline (~1 s of silence). */
export const CCTALK_POLL_FAILURE_LIMIT = 5;
/** How long the caller may take to journal an escrowed note before it is returned. */
export const ESCROW_DECISION_TIMEOUT_MS = 30_000;
/** Re-send "extend escrow" (154/255) this often while the caller decides. */
export const ESCROW_EXTEND_INTERVAL_MS = 2_000;
/** Retries of one exchange that failed with a retryable error (timeout, NAK, BUSY, bad frame). */
export const CCTALK_RETRY_LIMIT = 2;

export interface CctalkBillAcceptorOptions {
  link: ByteLink;
  mode?: ChecksumMode;
  /** The link is a single-wire bus that echoes our bytes. */
  echo?: boolean;
  address?: number;
  /**
   * The last event counter the caller persisted (0 for a new device). Events up
   * to it are not reported again.
   */
  lastEventCounter?: number;
  pollIntervalMs?: number;
  escrowHandler?: EscrowHandler;
  escrowDecisionTimeoutMs?: number;
  /** How often to re-send "extend escrow" while the caller decides; below the validator's own escrow timeout. */
  escrowExtendIntervalMs?: number;
  log?: Logger;
}

export interface BillValidatorIdentity {
  equipmentCategory: string;
  productCode: string;
  manufacturer: string;
  serialNumber: number;
}

/** Counters run 1..255 and wrap to 1 (0 only after reset): how many events lie between. */
export function eventCounterDistance(from: number, to: number): number {
  if (to === 0) return 0;
  if (from === 0) return to;
  return (to - from + 255) % 255;
}

/** The counter `back` events before `counter` (1..255 wrapping). */
function counterBefore(counter: number, back: number): number {
  return ((((counter - 1 - back) % 255) + 255) % 255) + 1;
}

const STATUS_FAULTS: Partial<Record<number, { fault: BillFault; action: SuggestedAction; state: DeviceState }>> = {
  [BillEventCode.jammedTransportUnsafe]: { fault: 'jam', action: 'clearJam', state: 'hardwareError' },
  [BillEventCode.jammedTransportSafe]: { fault: 'jam', action: 'clearJam', state: 'hardwareError' },
  [BillEventCode.jammedInStacker]: { fault: 'stackerJam', action: 'clearJam', state: 'hardwareError' },
  [BillEventCode.stackerJammed]: { fault: 'stackerJam', action: 'clearJam', state: 'hardwareError' },
  [BillEventCode.stackerRemoved]: { fault: 'stackerRemoved', action: 'insertStacker', state: 'userError' },
  [BillEventCode.stackerFull]: { fault: 'stackerFull', action: 'emptyStacker', state: 'userError' },
  [BillEventCode.stackerFaulty]: { fault: 'stackerFaulty', action: 'callMaintenance', state: 'hardwareError' },
  [BillEventCode.optoFraud]: { fault: 'fraud', action: 'callMaintenance', state: 'fraudAttempt' },
  [BillEventCode.stringFraud]: { fault: 'fraud', action: 'callMaintenance', state: 'fraudAttempt' },
  [BillEventCode.pulledBackwards]: { fault: 'pulledBack', action: 'callMaintenance', state: 'fraudAttempt' },
  [BillEventCode.tamper]: { fault: 'tamper', action: 'callMaintenance', state: 'fraudAttempt' },
  [BillEventCode.antiStringFaulty]: { fault: 'antiStringFaulty', action: 'callMaintenance', state: 'hardwareError' },
  [BillEventCode.unknownBillStacked]: { fault: 'unknownStacked', action: 'reconcileCashBox', state: 'online' },
};

const REJECTS: Partial<Record<number, BillRejectReason>> = {
  [BillEventCode.invalidBillValidation]: 'validation',
  [BillEventCode.invalidBillTransport]: 'transport',
  [BillEventCode.inhibitedBillSerial]: 'inhibited',
  [BillEventCode.inhibitedBillDip]: 'inhibitedByDip',
  [BillEventCode.barcodeDetected]: 'barcode',
};

export class CctalkBillAcceptor extends TypedEmitter<BillAcceptorEvents> implements BillAcceptor {
  readonly kind = 'billAcceptor' as const;
  readonly #link: ByteLink;
  readonly #transport: CctalkTransport;
  readonly #pollIntervalMs: number;
  readonly #escrowDecisionTimeoutMs: number;
  readonly #escrowExtendIntervalMs: number;
  #escrowHandler: EscrowHandler | undefined;
  #status: BillAcceptorStatus;
  /** Bill type (1..16) -> value in fen, from header 157 at start-up. */
  #channels = new Map<number, number>();
  #identity: BillValidatorIdentity | undefined;
  #stackedSinceEnableFen = 0;
  #pollLoop: AbortController | undefined;
  #pollDone: Promise<void> = Promise.resolve();
  #escrowInFlight = false;
  #escrowAbort: AbortController | undefined;
  #pollFailures = 0;

  constructor(options: CctalkBillAcceptorOptions) {
    super(options.log ?? pino({ level: 'silent' }));
    const counter = options.lastEventCounter ?? 0;
    if (!Number.isInteger(counter) || counter < 0 || counter > 255) {
      throw new DeviceError(DeviceErrorCode.invalidArgument, `lastEventCounter ${counter} is not 0..255`);
    }
    const poll = options.pollIntervalMs ?? CCTALK_POLL_INTERVAL_MS;
    if (!Number.isInteger(poll) || poll < 10 || poll > 1_000) {
      throw new DeviceError(DeviceErrorCode.invalidArgument, `pollIntervalMs ${poll} is not 10..1000`);
    }
    this.#link = options.link;
    this.#pollIntervalMs = poll;
    this.#escrowDecisionTimeoutMs = options.escrowDecisionTimeoutMs ?? ESCROW_DECISION_TIMEOUT_MS;
    this.#escrowExtendIntervalMs = options.escrowExtendIntervalMs ?? ESCROW_EXTEND_INTERVAL_MS;
    this.#escrowHandler = options.escrowHandler;
    this.#transport = new CctalkTransport({
      link: options.link,
      mode: options.mode ?? 'simple8',
      hostAddress: CCTALK_HOST_ADDRESS,
      deviceAddress: options.address ?? CCTALK_BILL_VALIDATOR_ADDRESS,
      echo: options.echo ?? false,
      log: this.log,
    });
    this.#status = { device: 'offline', accepting: false, stacker: 'unknown', jammed: false, lastEventCounter: counter };
    options.link.onClose((reason) => {
      this.#stopPolling();
      this.#setStatus({ device: 'offline', accepting: false });
      this.emit('deviceError', {
        error: new DeviceError(DeviceErrorCode.linkClosed, `bill acceptor link ${reason}`, 'checkConnection'),
        suggestedAction: 'checkConnection',
      });
    });
  }

  get capabilities(): BillAcceptorCapabilities {
    const denominationsFen = this.#channels.size > 0 ? [...new Set(this.#channels.values())].sort((a, b) => a - b) : CNY_NOTE_YUAN.map((y) => y * FEN_PER_YUAN);
    return { denominationsFen, escrow: true, currency: 'CNY' };
  }

  get identity(): BillValidatorIdentity | undefined {
    return this.#identity;
  }

  status(): BillAcceptorStatus {
    return { ...this.#status };
  }

  setEscrowHandler(handler: EscrowHandler | undefined): void {
    this.#escrowHandler = handler;
  }

  setLastEventCounter(counter: number): void {
    if (!Number.isInteger(counter) || counter < 0 || counter > 255) {
      throw new DeviceError(DeviceErrorCode.invalidArgument, `lastEventCounter ${counter} is not 0..255`);
    }
    this.#setStatus({ lastEventCounter: counter });
  }

  #setStatus(patch: Partial<BillAcceptorStatus>): void {
    const changed: Partial<BillAcceptorStatus> = {};
    for (const key of Object.keys(patch) as (keyof BillAcceptorStatus)[]) {
      if (patch[key] !== undefined && patch[key] !== this.#status[key]) (changed as Record<string, unknown>)[key] = patch[key];
    }
    if (Object.keys(changed).length === 0) return;
    this.#status = { ...this.#status, ...changed };
    this.emit('statusChanged', changed);
  }

  /** One exchange with bounded retries of retryable failures. */
  async #request(header: number, data: number[] | Buffer, what: string, signal?: AbortSignal, retries = CCTALK_RETRY_LIMIT): Promise<Buffer> {
    let attempt = 0;
    for (;;) {
      try {
        const frame = await this.#transport.request(header, Buffer.from(data), { what, ...(signal ? { signal } : {}) });
        return frame.data;
      } catch (error) {
        // The register's one meaning of retryable (protocol errors.ts), not a list of our own.
        if (!isRetryable(error) || attempt >= retries || signal?.aborted) throw error;
        attempt += 1;
      }
    }
  }

  #requireOpen(what: string): void {
    if (this.#status.device === 'offline' || this.#transport.closed) {
      throw new DeviceError(DeviceErrorCode.notOpen, `${what}: bill acceptor is not open`, 'checkConnection');
    }
  }

  async open(options: CommandOptions = {}): Promise<void> {
    if (this.#transport.closed) throw new DeviceError(DeviceErrorCode.notOpen, 'open: link is closed', 'checkConnection');
    this.#setStatus({ device: 'starting' });
    try {
      await withDeadline('open bill acceptor', options.timeoutMs ?? CCTALK_OPEN_TIMEOUT_MS, options.signal, async (signal) => {
        // ccTalk replies carry no request id: a reply still on its way to a
        // driver that just closed (a restart) would answer our first request.
        // Let the line fall quiet first; replies with no request waiting are dropped.
        await sleepUnlessAborted(CCTALK_OPEN_SETTLE_MS, signal);
        // Start-up sequence, issue #4 §2: 254, 245, 244, 246, 242, 157 x16, 231, 153, 228.
        await this.#request(Header.simplePoll, [], 'simple poll', signal);
        const ascii = async (header: number, what: string) => (await this.#request(header, [], what, signal)).toString('latin1');
        let equipmentCategory = await ascii(Header.requestEquipmentCategoryId, 'equipment category');
        if (equipmentCategory === '') {
          // An empty ACK where a name was due: a late reply slipped in. Resynchronise once.
          this.log.warn({ event: 'cctalk.open_resync' }, 'empty equipment category: late reply on the line, asking again');
          await sleepUnlessAborted(CCTALK_OPEN_SETTLE_MS, signal);
          equipmentCategory = await ascii(Header.requestEquipmentCategoryId, 'equipment category');
        }
        if (equipmentCategory !== 'Bill Validator') {
          throw new DeviceError(DeviceErrorCode.unsupported, `device at this address is a "${equipmentCategory}", not a Bill Validator`, 'callMaintenance');
        }
        const productCode = await ascii(Header.requestProductCode, 'product code');
        const manufacturer = await ascii(Header.requestManufacturerId, 'manufacturer');
        const serialNumber = decodeSerialNumber(await this.#request(Header.requestSerialNumber, [], 'serial number', signal));
        if (serialNumber === undefined) throw new DeviceError(DeviceErrorCode.badFrame, 'serial number reply is not 3 bytes');
        this.#identity = { equipmentCategory, productCode, manufacturer, serialNumber };
        const channels = new Map<number, number>();
        for (let billType = 1; billType <= 16; billType++) {
          const id = decodeBillId(await this.#request(Header.requestBillId, [billType], `bill id ${billType}`, signal));
          // Only CNY notes the kiosk knows; anything else stays inhibited forever.
          if (id?.country === 'CN' && (CNY_NOTE_YUAN as readonly number[]).includes(id.value)) channels.set(billType, id.value * FEN_PER_YUAN);
        }
        if (channels.size === 0) throw new DeviceError(DeviceErrorCode.unsupported, 'validator reports no CNY notes', 'callMaintenance');
        this.#channels = channels;
        await this.#request(Header.modifyInhibitStatus, encodeInhibitMask([]), 'inhibit all', signal);
        await this.#request(Header.modifyBillOperatingMode, [OperatingMode.useStacker | OperatingMode.useEscrow], 'operating mode', signal);
        await this.#request(Header.modifyMasterInhibit, [0], 'master inhibit', signal);
        // The first poll settles what happened while we were away, against the persisted counter.
        await this.#pollOnce(signal);
      });
    } catch (error) {
      this.#setStatus({ device: 'offline' });
      throw error;
    }
    if (this.#status.device === 'starting') this.#setStatus({ device: 'online' });
    this.#startPolling();
  }

  async enable(denominationsFen: readonly number[], options: CommandOptions = {}): Promise<void> {
    this.#requireOpen('enable');
    const billTypes: number[] = [];
    for (const fen of denominationsFen) {
      const types = [...this.#channels].filter(([, value]) => value === fen).map(([type]) => type);
      if (types.length === 0) {
        throw new DeviceError(DeviceErrorCode.invalidArgument, `enable: ${fen} fen is not a note this validator accepts (${this.capabilities.denominationsFen.join(', ')})`);
      }
      billTypes.push(...types);
    }
    if (this.#status.jammed || this.#status.stacker === 'removed' || this.#status.stacker === 'full') {
      throw new DeviceError(DeviceErrorCode.hardwareError, `enable: acceptor not ready (jammed=${this.#status.jammed}, stacker=${this.#status.stacker})`, this.#status.jammed ? 'clearJam' : this.#status.stacker === 'full' ? 'emptyStacker' : 'insertStacker');
    }
    await withDeadline('enable', options.timeoutMs ?? CCTALK_COMMAND_TIMEOUT_MS, options.signal, async (signal) => {
      // Operating mode again: a power-cycled validator forgets it (part 2, header 153).
      await this.#request(Header.modifyBillOperatingMode, [OperatingMode.useStacker | OperatingMode.useEscrow], 'operating mode', signal);
      await this.#request(Header.modifyInhibitStatus, encodeInhibitMask(billTypes), 'inhibits', signal);
      await this.#request(Header.modifyMasterInhibit, [1], 'master inhibit off', signal);
    });
    this.#stackedSinceEnableFen = 0;
    this.#setStatus({ accepting: true });
  }

  async disable(options: CommandOptions = {}): Promise<void> {
    this.#requireOpen('disable');
    // Not accepting from the moment we decide, even if the command then fails.
    this.#setStatus({ accepting: false });
    await withDeadline('disable', options.timeoutMs ?? CCTALK_COMMAND_TIMEOUT_MS, options.signal, async (signal) => {
      await this.#request(Header.modifyMasterInhibit, [0], 'master inhibit on', signal);
      await this.#request(Header.modifyInhibitStatus, encodeInhibitMask([]), 'inhibit all', signal);
    });
  }

  async poll(options: CommandOptions = {}): Promise<void> {
    this.#requireOpen('poll');
    await withDeadline('poll', options.timeoutMs ?? CCTALK_COMMAND_TIMEOUT_MS, options.signal, async (signal) => {
      await this.#request(Header.simplePoll, [], 'simple poll', signal);
    });
  }

  async close(): Promise<void> {
    this.#stopPolling();
    this.#escrowAbort?.abort();
    await this.#pollDone;
    if (this.#link.isOpen && this.#status.device !== 'offline') {
      // Best effort: leave the validator refusing notes.
      await this.#request(Header.modifyMasterInhibit, [0], 'master inhibit on (close)').catch(() => undefined);
    }
    this.#transport.dispose();
    await this.#link.close();
    this.#setStatus({ device: 'offline', accepting: false });
  }

  #startPolling(): void {
    this.#stopPolling();
    const loop = new AbortController();
    this.#pollLoop = loop;
    this.#pollDone = (async () => {
      while (!loop.signal.aborted) {
        if (!(await sleepUnlessAborted(this.#pollIntervalMs, loop.signal))) break;
        try {
          await this.#pollOnce(loop.signal, 0);
          if (this.#pollFailures >= CCTALK_POLL_FAILURE_LIMIT) this.log.info('bill acceptor answers again');
          if (this.#pollFailures > 0 && this.#status.device === 'offline') this.#setStatus({ device: this.#faultState() });
          this.#pollFailures = 0;
        } catch (error) {
          if (loop.signal.aborted) break;
          this.#pollFailures += 1;
          if (this.#pollFailures === CCTALK_POLL_FAILURE_LIMIT) {
            this.#setStatus({ device: 'offline', accepting: false });
            this.emit('deviceError', {
              error: error instanceof DeviceError ? error : new DeviceError(DeviceErrorCode.timeout, String(error)),
              suggestedAction: 'checkConnection',
            });
          }
          if (this.#transport.closed) break;
        }
      }
    })();
  }

  #stopPolling(): void {
    this.#pollLoop?.abort();
    this.#pollLoop = undefined;
  }

  #faultState(): DeviceState {
    if (this.#status.jammed) return 'hardwareError';
    if (this.#status.stacker === 'removed' || this.#status.stacker === 'full') return 'userError';
    return 'online';
  }

  /** `retries`: 0 in the poll loop (the next poll is the retry), more during open(). */
  async #pollOnce(signal?: AbortSignal, retries = CCTALK_RETRY_LIMIT): Promise<void> {
    const reply = await this.#request(Header.readBufferedBillEvents, [], 'read buffered bill events', signal, retries);
    const decoded = decodeBufferedBillEvents(reply);
    if (!decoded) throw new DeviceError(DeviceErrorCode.badFrame, `header 159 reply has ${reply.length} bytes, expected 11`, 'retry');
    const last = this.#status.lastEventCounter;
    const now = decoded.eventCounter;
    if (now === last) return;
    if (now === 0) {
      // Part 3: 0 only after power-up or reset. Events not yet read are gone,
      // a note in escrow was returned, and the validator is inhibited again.
      this.#setStatus({ lastEventCounter: 0, accepting: false });
      this.#emitFault('deviceReset', -1, 0, 'reconcileCashBox');
      return;
    }
    const distance = eventCounterDistance(last, now);
    const available = Math.min(distance, CCTALK_EVENT_BUFFER_SIZE);
    if (distance > CCTALK_EVENT_BUFFER_SIZE) {
      // More events happened than the buffer holds: money may have moved unseen.
      this.#emitFault('eventsLost', -1, counterBefore(now, available), 'reconcileCashBox', distance - CCTALK_EVENT_BUFFER_SIZE);
      this.#stopIntake();
    }
    for (let i = available - 1; i >= 0; i--) {
      const counter = counterBefore(now, i);
      this.#handleEvent(decoded.events[i]!, counter);
      this.#setStatus({ lastEventCounter: counter });
    }
  }

  #emitBill(event: BillAcceptorEvent): void {
    this.emit('bill', event);
  }

  #emitFault(fault: BillFault, deviceCode: number, eventCounter: number, suggestedAction: SuggestedAction, lostCount?: number): void {
    this.#emitBill({
      type: 'fault',
      fault,
      deviceCode,
      eventCounter,
      stackedSinceEnableFen: this.#stackedSinceEnableFen,
      suggestedAction,
      ...(lostCount === undefined ? {} : { lostCount }),
    });
  }

  /** Master inhibit now; the fault already went out, the command's failure is only logged. */
  #stopIntake(): void {
    this.#setStatus({ accepting: false });
    this.#request(Header.modifyMasterInhibit, [0], 'master inhibit on (fault)').catch((error: unknown) =>
      this.log.error({ err: error }, 'could not inhibit the acceptor after a fault'),
    );
  }

  #handleEvent(event: BillEventRecord, eventCounter: number): void {
    if (event.kind === 'bill') {
      const amountFen = this.#channels.get(event.billType);
      if (event.result === 'stacked') {
        if (amountFen === undefined) {
          this.#emitFault('unknownStacked', event.billType, eventCounter, 'reconcileCashBox');
          return;
        }
        this.#stackedSinceEnableFen += amountFen;
        this.log.info({ amountFen, billType: event.billType, eventCounter }, 'note stacked');
        this.#emitBill({ type: 'credit', amountFen, billType: event.billType, eventCounter });
        return;
      }
      if (event.result === 'escrow') {
        if (amountFen === undefined) {
          // A note we never enabled: hand it back without asking anyone.
          void this.#route(RouteCode.return, 'return unknown escrow');
          return;
        }
        void this.#escrow({ amountFen, billType: event.billType, eventCounter });
        return;
      }
      this.emit('deviceError', {
        error: new DeviceError(DeviceErrorCode.unexpectedReply, `bill event A=${event.billType} B=${event.resultB} is undefined in ccTalk part 3`),
        suggestedAction: 'none',
      });
      return;
    }
    const code = event.code;
    const reject = REJECTS[code];
    if (reject) return this.#emitBill({ type: 'rejected', reason: reject, eventCounter });
    switch (code) {
      case BillEventCode.masterInhibitActive:
        return this.#emitBill({ type: 'masterInhibit', eventCounter });
      case BillEventCode.returnedFromEscrow:
        return this.#emitBill({ type: 'returned', eventCounter });
      case BillEventCode.stackerOk:
        this.#setStatus({ stacker: 'ok' });
        this.#setStatus({ device: this.#faultState() });
        return this.#emitBill({ type: 'stackerOk', eventCounter });
      case BillEventCode.stackerInserted:
        this.#setStatus({ stacker: 'ok', jammed: false });
        this.#setStatus({ device: this.#faultState() });
        return this.#emitBill({ type: 'stackerInserted', eventCounter });
    }
    const fault = STATUS_FAULTS[code];
    if (!fault) {
      this.emit('deviceError', {
        error: new DeviceError(DeviceErrorCode.unexpectedReply, `bill validator status code ${code} is not in ccTalk part 3`),
        suggestedAction: 'none',
      });
      return;
    }
    if (fault.fault === 'jam') this.#setStatus({ jammed: true });
    if (fault.fault === 'stackerJam') this.#setStatus({ jammed: true, stacker: 'jammed' });
    if (fault.fault === 'stackerRemoved') this.#setStatus({ stacker: 'removed' });
    if (fault.fault === 'stackerFull') this.#setStatus({ stacker: 'full' });
    if (fault.fault === 'stackerFaulty') this.#setStatus({ stacker: 'faulty' });
    if (fault.state !== 'online') this.#setStatus({ device: fault.state });
    this.log.warn({ fault: fault.fault, deviceCode: code, eventCounter, stackedSinceEnableFen: this.#stackedSinceEnableFen }, 'bill acceptor fault');
    this.#emitFault(fault.fault, code, eventCounter, fault.action);
    if (fault.fault !== 'unknownStacked') this.#stopIntake();
  }

  async #route(code: number, what: string): Promise<'ok' | 'escrowEmpty' | 'failed'> {
    try {
      const reply = await this.#request(Header.routeBill, [code], what);
      if (reply.length === 0) return 'ok';
      if (reply[0] === RouteError.escrowEmpty) return 'escrowEmpty';
      return 'failed';
    } catch (error) {
      this.log.error({ err: error, what }, 'route bill failed');
      return 'failed';
    }
  }

  async #escrow(offer: EscrowOffer): Promise<void> {
    if (this.#escrowInFlight) {
      // A validator holds one note; a second escrow event is a device fault.
      this.log.error({ eventCounter: offer.eventCounter }, 'second escrow while one is pending; returning it');
      await this.#route(RouteCode.return, 'return second escrow');
      return;
    }
    this.#escrowInFlight = true;
    const abort = new AbortController();
    this.#escrowAbort = abort;
    const extender = setInterval(() => {
      void this.#route(RouteCode.extendEscrow, 'extend escrow');
    }, this.#escrowExtendIntervalMs);
    let decision: EscrowDecision = 'return';
    try {
      const handler = this.#escrowHandler;
      if (handler) {
        decision = await withDeadline('escrow decision', this.#escrowDecisionTimeoutMs, abort.signal, (signal) => handler(offer, signal));
      }
    } catch (error) {
      // No answer in time (or the handler failed): the safe choice is to give the note back.
      this.log.warn({ err: error, eventCounter: offer.eventCounter }, 'no escrow decision; returning the note');
      decision = 'return';
    } finally {
      clearInterval(extender);
    }
    if (decision !== 'stack' && decision !== 'return') decision = 'return';
    const outcome = await this.#route(decision === 'stack' ? RouteCode.stack : RouteCode.return, `route bill: ${decision}`);
    // The validator acknowledged the route: a stacked note is in the cash box from here (a step the chaos run kills at).
    if (outcome === 'ok') this.log.debug({ event: 'bill.routed', decision, eventCounter: offer.eventCounter }, 'note routed');
    if (outcome !== 'ok') {
      // The credit or return event from the next poll is the truth; this is only a warning.
      this.log.warn({ outcome, decision, eventCounter: offer.eventCounter }, 'route bill not done');
      this.emit('deviceError', {
        error: new DeviceError(outcome === 'escrowEmpty' ? DeviceErrorCode.escrowEmpty : DeviceErrorCode.routeFailed, `route (${decision}) ended ${outcome}`),
        suggestedAction: 'none',
      });
    }
    this.#escrowInFlight = false;
    this.#escrowAbort = undefined;
  }
}
