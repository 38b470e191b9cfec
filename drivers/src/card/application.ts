// The social-security card application (MOHRSS LD/T 32-2015 as existing reader
// code uses it, issue #3 §2) over any ApduTransport.
import { pino, type Logger } from 'pino';
import {
  AUTH_CARD_RANDOM_BYTES,
  AUTH_CRYPTOGRAM_BYTES,
  AUTH_TERMINAL_CHALLENGE_BYTES,
  CARD_DATA_TAGS,
  EF_CARD_DATA,
  EF_HOLDER_DATA,
  HOLDER_DATA_TAGS,
  SFI_CARD_DATA,
  SFI_HOLDER_DATA,
  TAG_VALUE_BYTES,
} from './constants.js';
import {
  changePinCommand,
  decodeResponse,
  getChallenge,
  hex,
  internalAuthenticate,
  readAllRecords,
  readRecordBySfi,
  readRecordByTag,
  selectApplication,
  selectFile,
  verifyPinCommand,
} from './codec.js';
import { CardError, CardErrorCode, isCardError, isTransportError, statusWordError } from './errors.js';
import { MAX_RECORDS_PER_EF, parseRecords, type DiscardedBytes } from './parser.js';
import { decodeCardData, decodeHolderData, tagName } from './identity.js';
import { assertHolderConsistent } from './checks.js';
import { newTerminalChallenge, type CardAuthenticationEvidence } from './auth.js';
import type { ApduTransport, CardData, CardGeneration, CardIdentity, HolderData, TransmitOptions } from './types.js';

export interface SocialSecurityCardAppOptions {
  logger?: Logger;
  /** Per-exchange deadline passed to the transport. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Status words meaning "this card does not do that READ RECORD mode": try the next one. */
const MODE_UNSUPPORTED = new Set([0x6a86, 0x6a81, 0x6b00, 0x6d00, 0x6700, 0x6986]);

type ReadStrategy = 'all' | 'tag' | 'sfi';

export class SocialSecurityCardApp {
  private readonly transport: ApduTransport;
  private readonly logger: Logger;
  private readonly exchangeOptions: TransmitOptions;
  private cardIdentifier: string | undefined;
  /** The READ RECORD mode that worked for EF05, reused for EF06 (saves round trips). */
  private strategy: ReadStrategy | undefined;

  constructor(transport: ApduTransport, options: SocialSecurityCardAppOptions = {}) {
    this.transport = transport;
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.exchangeOptions = {};
    if (options.timeoutMs !== undefined) this.exchangeOptions.timeoutMs = options.timeoutMs;
    if (options.signal !== undefined) this.exchangeOptions.signal = options.signal;
  }

  private async exchange(command: Buffer): Promise<{ data: Buffer; sw: number }> {
    return decodeResponse(await this.transport.transmit(command, this.exchangeOptions));
  }

  /** SELECT by name `sx1.sh.社会保障`; a card without it is not a social-security card. */
  async selectApplication(): Promise<void> {
    const { sw } = await this.exchange(selectApplication());
    if (sw === 0x9000) return;
    if (sw === 0x6a82 || sw === 0x6a81 || sw === 0x6d00 || sw === 0x6e00) {
      throw new CardError(CardErrorCode.notSocialSecurityCard, 'card has no social-security application', { statusWord: sw.toString(16).toUpperCase() });
    }
    throw statusWordError(sw, 'SELECT application');
  }

  /**
   * Reads identity: SELECT, EF05, EF06, then the holder checks (GB 11643 check
   * digit, EF06 birth date = the number's). Expiry is the caller's
   * `assertCardUsable(identity, today)`, since "today" is the kiosk's.
   */
  async readIdentity(): Promise<CardIdentity> {
    await this.selectApplication();
    const card = await this.readCardData();
    const holder = await this.readHolderData(card.generation);
    const identity: CardIdentity = { ...card, ...holder };
    assertHolderConsistent(identity);
    return identity;
  }

  /** EF05 (application must be selected). */
  async readCardData(): Promise<CardData> {
    const records = await this.readEf(EF_CARD_DATA, SFI_CARD_DATA, CARD_DATA_TAGS, 'EF05');
    const data = this.decodeOrDamaged(records, () => decodeCardData(records.records), 'EF05');
    this.cardIdentifier = data.cardIdentifier;
    return data;
  }

  /** EF06 (application must be selected). `generation` decides which tags may appear. */
  async readHolderData(generation: CardGeneration): Promise<HolderData> {
    const tags = generation === 1 ? HOLDER_DATA_TAGS.filter((t) => t !== 0x4e) : HOLDER_DATA_TAGS;
    const records = await this.readEf(EF_HOLDER_DATA, SFI_HOLDER_DATA, tags, 'EF06');
    return this.decodeOrDamaged(records, () => decodeHolderData(records.records, generation), 'EF06');
  }

  private decodeOrDamaged<T>(parsed: { discards: DiscardedBytes[] }, decode: () => T, ef: string): T {
    try {
      return decode();
    } catch (error) {
      // A field missing behind bytes the parser had to discard is a damaged record.
      if (isCardError(error) && error.code === CardErrorCode.fieldMissing && parsed.discards.length > 0) {
        throw new CardError(CardErrorCode.recordDamaged, `${ef} damaged: ${error.message}`, { field: error.field, cause: error });
      }
      throw error;
    }
  }

  private async readEf(
    fid: number,
    sfi: number,
    tags: readonly number[],
    label: string,
  ): Promise<{ records: Map<number, Buffer>; discards: DiscardedBytes[] }> {
    const selected = await this.exchange(selectFile(fid));
    if (selected.sw === 0x6a82) throw new CardError(CardErrorCode.notSocialSecurityCard, `${label} not found`, { statusWord: '6A82' });
    if (selected.sw !== 0x9000) throw statusWordError(selected.sw, `SELECT ${label}`);

    // Fastest first: the whole EF in one READ RECORD (P2=05, what the 2012
    // county reader does), then by tag (issue #3 §2), then SFI + record number.
    const order: ReadStrategy[] = this.strategy ? [this.strategy, ...(['all', 'tag', 'sfi'] as const).filter((s) => s !== this.strategy)] : ['all', 'tag', 'sfi'];
    for (const strategy of order) {
      const bytes = await this.readWith(strategy, sfi, tags, label);
      if (bytes === undefined) continue;
      this.strategy = strategy;
      const parsed = parseRecords(bytes);
      for (const d of parsed.discards) {
        this.logger.warn({ ef: label, reason: d.reason, offset: d.offset, bytes: hex(d.bytes.subarray(0, 32)) }, 'card record bytes discarded');
      }
      return parsed;
    }
    throw new CardError(CardErrorCode.notSocialSecurityCard, `${label}: card supports no READ RECORD mode we know`);
  }

  /** The EF's bytes by one strategy, or undefined when the card does not support it. */
  private async readWith(strategy: ReadStrategy, sfi: number, tags: readonly number[], label: string): Promise<Buffer | undefined> {
    if (strategy === 'all') {
      // Le = FF as the 2012 county reader sends it; a T=0 card's 6Cxx is handled below us.
      const { data, sw } = await this.exchange(readAllRecords(1, 0xff));
      if (sw === 0x9000) return data;
      if (MODE_UNSUPPORTED.has(sw)) return undefined;
      throw statusWordError(sw, `READ RECORD ${label}`);
    }
    const chunks: Buffer[] = [];
    if (strategy === 'tag') {
      for (const tag of tags) {
        const { data, sw } = await this.exchange(readRecordByTag(tag, TAG_VALUE_BYTES[tag] ?? 253));
        if (sw === 0x6a83) continue; // optional tags (4E, 0C) may be absent
        if (sw !== 0x9000) {
          if (chunks.length === 0 && MODE_UNSUPPORTED.has(sw)) return undefined;
          throw statusWordError(sw, `READ RECORD ${label} tag ${tagName(tag)}`);
        }
        chunks.push(data);
      }
      return Buffer.concat(chunks);
    }
    for (let n = 1; n <= MAX_RECORDS_PER_EF; n += 1) {
      const { data, sw } = await this.exchange(readRecordBySfi(sfi, n, 0));
      if (sw === 0x6a83) break;
      if (sw !== 0x9000) {
        if (n === 1 && MODE_UNSUPPORTED.has(sw)) return undefined;
        throw statusWordError(sw, `READ RECORD ${label} SFI ${sfi} record ${n}`);
      }
      chunks.push(data);
    }
    return Buffer.concat(chunks);
  }

  /**
   * VERIFY PIN. Throws PinWrong (with `triesLeft`) on 63Cx, PinBlocked on 6983,
   * PinFormat before sending anything if the PIN is not 6 digits. The PIN is
   * never logged.
   */
  async verifyPin(pin: string): Promise<void> {
    const { sw } = await this.exchange(verifyPinCommand(pin));
    if (sw === 0x9000) return;
    const error = statusWordError(sw, 'VERIFY PIN');
    this.logger.info({ code: error.codeName, triesLeft: error.triesLeft }, 'card PIN not accepted');
    throw error;
  }

  /** CHANGE PIN (`80 5E 01 00 07 <old> FF <new>`). Same errors as verifyPin. */
  async changePin(oldPin: string, newPin: string): Promise<void> {
    const { sw } = await this.exchange(changePinCommand(oldPin, newPin));
    if (sw === 0x9000) return;
    const error = statusWordError(sw, 'CHANGE PIN');
    this.logger.info({ code: error.codeName, triesLeft: error.triesLeft }, 'card PIN change refused');
    throw error;
  }

  /**
   * The terminal's half of card authenticity (auth.ts): GET CHALLENGE, then
   * INTERNAL AUTHENTICATE with terminalChallenge ‖ cardRandom. Returns the
   * evidence for the server, which holds the issuer key and verifies it with
   * verifyCardCryptogram. Needs readIdentity (or readCardData) first.
   * A card that cannot answer is CardAuthenticationFailed; transport errors pass through.
   */
  async authenticate(terminalChallenge: Buffer = newTerminalChallenge()): Promise<CardAuthenticationEvidence> {
    if (this.cardIdentifier === undefined) await this.readCardData();
    const cardIdentifier = this.cardIdentifier!;
    if (terminalChallenge.length !== AUTH_TERMINAL_CHALLENGE_BYTES) {
      throw new CardError(CardErrorCode.fieldInvalid, `terminal challenge must be ${AUTH_TERMINAL_CHALLENGE_BYTES} bytes`);
    }
    try {
      const random = await this.exchange(getChallenge(AUTH_CARD_RANDOM_BYTES));
      if (random.sw !== 0x9000) throw statusWordError(random.sw, 'GET CHALLENGE');
      if (random.data.length !== AUTH_CARD_RANDOM_BYTES) throw new CardError(CardErrorCode.fieldInvalid, 'card random of wrong length');
      const challenge = Buffer.concat([terminalChallenge, random.data]);
      const answer = await this.exchange(internalAuthenticate(challenge, AUTH_CRYPTOGRAM_BYTES));
      if (answer.sw !== 0x9000) throw statusWordError(answer.sw, 'INTERNAL AUTHENTICATE');
      if (answer.data.length !== AUTH_CRYPTOGRAM_BYTES) throw new CardError(CardErrorCode.fieldInvalid, 'cryptogram of wrong length');
      return { cardIdentifier, challenge: hex(challenge), cryptogram: hex(answer.data) };
    } catch (error) {
      if (isTransportError(error)) throw error;
      this.logger.warn({ err: isCardError(error) ? error.codeName : String(error) }, 'card authentication step failed');
      throw new CardError(CardErrorCode.cardAuthenticationFailed, 'card cannot prove its key', { cause: error });
    }
  }
}
