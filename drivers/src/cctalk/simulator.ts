// A ccTalk bill validator on the device side of a ByteLink: it answers the
// same headers with the same bytes as a real validator (ccTalk part 2/3) and
// is scriptable (insert a note, jam, stacker removed/full, fraud, power cycle).
// Used in-process by the demo and unit tests, and as a separate process on a
// pty by the integration tests (see simulator-main.ts). Issue #4 §5.
import pino, { type Logger } from 'pino';
import type { ByteLink } from '../device/link.js';
import {
  encodeBillId,
  encodeBufferedBillEvents,
  encodeFrame,
  toHex,
} from './codec.js';
import {
  BillEventCode,
  CCTALK_BILL_VALIDATOR_ADDRESS,
  CCTALK_BROADCAST_ADDRESS,
  CCTALK_EVENT_BUFFER_SIZE,
  CNY_NOTE_YUAN,
  Header,
  OperatingMode,
  RouteCode,
  RouteError,
} from './constants.js';
import { CctalkParser } from './parser.js';
import type { CctalkFrame, ChecksumMode } from './types.js';

/** How long a real validator holds a note in escrow before returning it unasked. */
export const SIMULATOR_ESCROW_TIMEOUT_MS = 10_000;

export type InsertOutcome = 'escrow' | 'stacked' | 'rejected' | 'inhibited' | 'masterInhibit' | 'busy';

export interface BillValidatorSimulatorOptions {
  link: ByteLink;
  mode?: ChecksumMode;
  address?: number;
  /** Note values per channel (bill type = index + 1), in yuan. */
  notesYuan?: readonly number[];
  /** Write each request back before the reply, as a single-wire bus does. */
  echoRequests?: boolean;
  escrowTimeoutMs?: number;
  serialNumber?: number;
  log?: Logger;
}

/** Everything a test or script may do to the simulated validator; also what the remote proxy offers. */
export interface BillValidatorControl {
  insertNote(yuan: number): Promise<InsertOutcome>;
  /** Jam in transport; `unsafe` is event 6 (note reachable), otherwise event 16. */
  jam(kind?: 'unsafe' | 'safe' | 'stacker'): Promise<void>;
  clearJam(): Promise<void>;
  removeStacker(): Promise<void>;
  insertStacker(): Promise<void>;
  fillStacker(): Promise<void>;
  fraud(kind: 'opto' | 'string' | 'pulledBack'): Promise<void>;
  /** Power cycle: event counter back to 0, escrow returned, master inhibit on. */
  powerCycle(): Promise<void>;
  /** Stop answering (a dead device on a live line) or resume. */
  setUnresponsive(unresponsive: boolean): Promise<void>;
  /** Notes in the cash box, in yuan, in stacking order. */
  stackedYuan(): Promise<number[]>;
}

export interface SimulatorState {
  eventCounter: number;
  masterEnabled: boolean;
  enabledBillTypes: number[];
  escrowYuan: number | null;
  stacker: 'ok' | 'removed' | 'full';
  jammed: boolean;
  stackedYuan: number[];
  requests: number;
}

export class BillValidatorSimulator implements BillValidatorControl {
  #link: ByteLink;
  readonly #mode: ChecksumMode;
  readonly #address: number;
  readonly #notesYuan: readonly number[];
  readonly #echo: boolean;
  readonly #escrowTimeoutMs: number;
  readonly #serialNumber: number;
  readonly #log: Logger;
  #parser: CctalkParser;
  #offData: () => void;

  #counter = 0;
  /** Newest first, at most CCTALK_EVENT_BUFFER_SIZE, as header 159 reports them. */
  #events: { a: number; b: number }[] = [];
  #masterEnabled = false;
  #inhibitMask = 0;
  #operatingMode = 0;
  #escrowType: number | null = null;
  #escrowTimer: NodeJS.Timeout | undefined;
  #stacker: 'ok' | 'removed' | 'full' = 'ok';
  #jammed = false;
  #unresponsive = false;
  #stacked: number[] = [];
  #requests = 0;

  constructor(options: BillValidatorSimulatorOptions) {
    this.#link = options.link;
    this.#mode = options.mode ?? 'simple8';
    this.#address = options.address ?? CCTALK_BILL_VALIDATOR_ADDRESS;
    this.#notesYuan = options.notesYuan ?? CNY_NOTE_YUAN;
    this.#echo = options.echoRequests ?? false;
    this.#escrowTimeoutMs = options.escrowTimeoutMs ?? SIMULATOR_ESCROW_TIMEOUT_MS;
    this.#serialNumber = options.serialNumber ?? 0x0a1b2c;
    this.#log = options.log ?? pino({ level: 'silent' });
    this.#parser = new CctalkParser({ mode: this.#mode, assumedSource: 1, destinations: [this.#address, CCTALK_BROADCAST_ADDRESS] });
    this.#offData = this.#link.onData((chunk) => this.#onData(chunk));
  }

  state(): SimulatorState {
    return {
      eventCounter: this.#counter,
      masterEnabled: this.#masterEnabled,
      enabledBillTypes: [...Array(16).keys()].filter((i) => this.#inhibitMask & (1 << i)).map((i) => i + 1),
      escrowYuan: this.#escrowType === null ? null : (this.#notesYuan[this.#escrowType - 1] ?? null),
      stacker: this.#stacker,
      jammed: this.#jammed,
      stackedYuan: [...this.#stacked],
      requests: this.#requests,
    };
  }

  stop(): void {
    clearTimeout(this.#escrowTimer);
    this.#offData();
  }

  /** Continue on a new line (the host reconnected); device state is kept, as in a real validator. */
  attach(link: ByteLink): void {
    this.#offData();
    this.#link = link;
    this.#parser = new CctalkParser({ mode: this.#mode, assumedSource: 1, destinations: [this.#address, CCTALK_BROADCAST_ADDRESS] });
    this.#offData = link.onData((chunk) => this.#onData(chunk));
  }

  /** Raw bytes onto the line (noise, a torn frame). */
  async injectBytes(bytes: Uint8Array): Promise<void> {
    await this.#link.write(bytes);
  }

  #pushEvent(a: number, b: number): void {
    // Part 3: the counter runs 1..255 and wraps to 1; 0 only after power-up.
    this.#counter = this.#counter >= 255 ? 1 : this.#counter + 1;
    this.#events.unshift({ a, b });
    this.#events.length = Math.min(this.#events.length, CCTALK_EVENT_BUFFER_SIZE);
  }

  async insertNote(yuan: number): Promise<InsertOutcome> {
    const billType = this.#notesYuan.indexOf(yuan) + 1;
    if (this.#escrowType !== null || this.#jammed) {
      this.#pushEvent(0, BillEventCode.invalidBillTransport);
      return 'busy';
    }
    if (billType === 0) {
      this.#pushEvent(0, BillEventCode.invalidBillValidation);
      return 'rejected';
    }
    if (!this.#masterEnabled) {
      this.#pushEvent(0, BillEventCode.masterInhibitActive);
      return 'masterInhibit';
    }
    if (!(this.#inhibitMask & (1 << (billType - 1)))) {
      this.#pushEvent(0, BillEventCode.inhibitedBillSerial);
      return 'inhibited';
    }
    if (this.#stacker !== 'ok') {
      this.#pushEvent(0, BillEventCode.invalidBillTransport);
      return 'rejected';
    }
    if (this.#operatingMode & OperatingMode.useEscrow) {
      this.#escrowType = billType;
      this.#pushEvent(billType, 1);
      this.#armEscrowTimer();
      return 'escrow';
    }
    this.#stacked.push(yuan);
    this.#pushEvent(billType, 0);
    return 'stacked';
  }

  #armEscrowTimer(): void {
    clearTimeout(this.#escrowTimer);
    this.#escrowTimer = setTimeout(() => {
      if (this.#escrowType === null) return;
      this.#escrowType = null;
      this.#pushEvent(0, BillEventCode.returnedFromEscrow);
    }, this.#escrowTimeoutMs);
    this.#escrowTimer.unref();
  }

  async jam(kind: 'unsafe' | 'safe' | 'stacker' = 'unsafe'): Promise<void> {
    this.#jammed = true;
    // A note in escrow is now stuck in the path: neither credited nor returned.
    this.#escrowType = null;
    clearTimeout(this.#escrowTimer);
    this.#pushEvent(
      0,
      kind === 'unsafe' ? BillEventCode.jammedTransportUnsafe : kind === 'safe' ? BillEventCode.jammedTransportSafe : BillEventCode.jammedInStacker,
    );
  }
  async clearJam(): Promise<void> {
    this.#jammed = false;
  }
  async removeStacker(): Promise<void> {
    this.#stacker = 'removed';
    this.#pushEvent(0, BillEventCode.stackerRemoved);
  }
  async insertStacker(): Promise<void> {
    this.#stacker = 'ok';
    this.#stacked = [];
    this.#pushEvent(0, BillEventCode.stackerInserted);
  }
  async fillStacker(): Promise<void> {
    this.#stacker = 'full';
    this.#pushEvent(0, BillEventCode.stackerFull);
  }
  async fraud(kind: 'opto' | 'string' | 'pulledBack'): Promise<void> {
    this.#pushEvent(0, kind === 'opto' ? BillEventCode.optoFraud : kind === 'string' ? BillEventCode.stringFraud : BillEventCode.pulledBackwards);
  }
  async powerCycle(): Promise<void> {
    clearTimeout(this.#escrowTimer);
    this.#counter = 0;
    this.#events = [];
    this.#escrowType = null;
    this.#masterEnabled = false;
    this.#inhibitMask = 0;
    this.#operatingMode = 0;
    this.#jammed = false;
  }
  async setUnresponsive(unresponsive: boolean): Promise<void> {
    this.#unresponsive = unresponsive;
  }
  async stackedYuan(): Promise<number[]> {
    return [...this.#stacked];
  }

  #onData(chunk: Buffer): void {
    for (const result of this.#parser.push(chunk)) {
      if (result.kind === 'discard') {
        this.#log.debug({ bytes: toHex(result.raw), reason: result.reason }, 'simulator: discarded bytes');
        continue;
      }
      if (result.kind !== 'frame') continue;
      this.#requests += 1;
      if (this.#unresponsive) continue;
      const reply = this.#answer(result.frame);
      if (reply === undefined) continue;
      const bytes = encodeFrame({ destination: result.frame.source, source: this.#address, header: reply.header, data: reply.data }, this.#mode);
      const out = this.#echo ? Buffer.concat([result.raw, bytes]) : bytes;
      this.#link.write(out).catch((error: unknown) => this.#log.warn({ err: error }, 'simulator: write failed'));
    }
  }

  /** The reply to one request, or undefined for silence (unknown header: part 1 §12). */
  #answer(frame: CctalkFrame): { header: number; data: Buffer } | undefined {
    const ack = (data: Buffer = Buffer.alloc(0)) => ({ header: Header.reply, data });
    const nak = { header: Header.nak, data: Buffer.alloc(0) };
    const d = frame.data;
    switch (frame.header) {
      case Header.simplePoll:
        return ack();
      case Header.requestEquipmentCategoryId:
        return ack(Buffer.from('Bill Validator', 'latin1'));
      case Header.requestProductCode:
        return ack(Buffer.from('NB-SIM-BV', 'latin1'));
      case Header.requestManufacturerId:
        return ack(Buffer.from('NGB', 'latin1'));
      case Header.requestSerialNumber:
        return ack(Buffer.from([this.#serialNumber & 0xff, (this.#serialNumber >> 8) & 0xff, (this.#serialNumber >> 16) & 0xff]));
      case Header.requestBillId: {
        if (d.length !== 1 || d[0]! < 1 || d[0]! > 16) return nak;
        const yuan = this.#notesYuan[d[0]! - 1];
        // An unprogrammed channel answers with dots (part 2, header 157).
        return ack(yuan === undefined ? Buffer.from('.......', 'latin1') : encodeBillId({ country: 'CN', value: yuan, issue: 'A' }));
      }
      case Header.modifyInhibitStatus:
        if (d.length !== 2) return nak;
        this.#inhibitMask = d[0]! | (d[1]! << 8);
        return ack();
      case Header.modifyBillOperatingMode:
        if (d.length !== 1) return nak;
        this.#operatingMode = d[0]!;
        return ack();
      case Header.modifyMasterInhibit:
        if (d.length !== 1) return nak;
        this.#masterEnabled = (d[0]! & 1) === 1;
        return ack();
      case Header.readBufferedBillEvents:
        return ack(encodeBufferedBillEvents(this.#counter, this.#events));
      case Header.routeBill: {
        if (d.length !== 1) return nak;
        if (this.#escrowType === null) return ack(Buffer.from([RouteError.escrowEmpty]));
        const code = d[0]!;
        if (code === RouteCode.extendEscrow) {
          this.#armEscrowTimer();
          return ack();
        }
        const billType = this.#escrowType;
        if (code === RouteCode.stack) {
          if (this.#stacker !== 'ok') return ack(Buffer.from([RouteError.failedToRoute]));
          this.#escrowType = null;
          clearTimeout(this.#escrowTimer);
          this.#stacked.push(this.#notesYuan[billType - 1]!);
          this.#pushEvent(billType, 0);
          return ack();
        }
        if (code === RouteCode.return) {
          this.#escrowType = null;
          clearTimeout(this.#escrowTimer);
          this.#pushEvent(0, BillEventCode.returnedFromEscrow);
          return ack();
        }
        return nak;
      }
      default:
        return undefined;
    }
  }
}
