// The virtual social-security card: the card's side of the same bytes
// (STYLE.md §1 simulator). One implementation, used in-process
// (InProcessCardReader) and behind pcscd through vpcd (vpcd.ts).
//
// File system: the application `sx1.sh.社会保障` with EF05 (card data, SFI 5)
// and EF06 (holder data, SFI 6), each a sequence of `[tag][len][value]`
// records. Commands: SELECT, READ RECORD (by tag, by number, all from P1),
// VERIFY, CHANGE PIN, GET CHALLENGE, INTERNAL AUTHENTICATE, GET RESPONSE.
// With protocol 't0' it behaves like a T=0 card: case-4 commands answer 61xx
// and a wrong Le is answered 6Cxx.
import { randomBytes } from 'node:crypto';
import {
  AUTH_CARD_RANDOM_BYTES,
  AUTH_CHALLENGE_BYTES,
  EF_CARD_DATA,
  EF_HOLDER_DATA,
  SFI_CARD_DATA,
  SFI_HOLDER_DATA,
  SSC_AID,
  TAG,
} from './constants.js';
import { buildAtr, decodeBcd, decodeCommand, encodeBcd, encodeCardDate, encodeGbkPadded, encodeResponse, type CommandApdu } from './codec.js';
import { encodeRecord } from './parser.js';
import { computeCardCryptogram } from './auth.js';
import { parseVirtualCardProfile, type VirtualCardProfile } from './profile.js';

const SW = {
  ok: 0x9000,
  wrongLength: 0x6700,
  notAllowed: 0x6986,
  conditions: 0x6985,
  blocked: 0x6983,
  dataInvalid: 0x6a80,
  fileNotFound: 0x6a82,
  recordNotFound: 0x6a83,
  wrongP1P2: 0x6a86,
  insUnknown: 0x6d00,
  claUnknown: 0x6e00,
} as const;

const SEX_CODE: Record<VirtualCardProfile['holder']['sex'], string> = { unknown: '0', male: '1', female: '2', unspecified: '9' };

interface Ef {
  sfi: number;
  records: Array<{ tag: number; bytes: Buffer }>;
}

/** Historical bytes of the virtual card's ATR: "NB-SSC-VC" + generation. */
function historicalBytes(profile: VirtualCardProfile): Buffer {
  return Buffer.from(`NB-SSC-VC${profile.generation}`, 'ascii');
}

export class VirtualCard {
  readonly profile: VirtualCardProfile;
  readonly atr: Buffer;
  private readonly files: Map<number, Ef>;
  private pin: string;
  private triesLeft: number;
  private applicationSelected = false;
  private currentEf: number | undefined;
  private pinVerified = false;
  private cardRandom: Buffer | undefined;
  private pending: Buffer | undefined;
  /** Count of APDUs answered; tests use it to count round trips. */
  apduCount = 0;

  constructor(profile: VirtualCardProfile) {
    this.profile = profile;
    this.atr = buildAtr(profile.protocol, historicalBytes(profile));
    this.pin = profile.pin;
    this.triesLeft = profile.pinTriesLeft;
    this.files = new Map([
      [EF_CARD_DATA, { sfi: SFI_CARD_DATA, records: this.cardDataRecords() }],
      [EF_HOLDER_DATA, { sfi: SFI_HOLDER_DATA, records: this.holderDataRecords() }],
    ]);
  }

  static fromJson(json: unknown): VirtualCard {
    return new VirtualCard(parseVirtualCardProfile(json));
  }

  get pinTriesLeft(): number {
    return this.triesLeft;
  }

  get isPinVerified(): boolean {
    return this.pinVerified;
  }

  /** Power off/on or reset: security state and selection are lost (ISO 7816-3). */
  reset(): void {
    this.applicationSelected = false;
    this.currentEf = undefined;
    this.pinVerified = false;
    this.cardRandom = undefined;
    this.pending = undefined;
  }

  private cardDataRecords(): Ef['records'] {
    const c = this.profile.card;
    const spec = c.specVersion ?? `${this.profile.generation}.00`;
    return [
      { tag: TAG.cardIdentifier, bytes: Buffer.from(c.identifierHex, 'hex') },
      { tag: TAG.cardType, bytes: Buffer.from(c.cardType, 'latin1') },
      { tag: TAG.specVersion, bytes: Buffer.from(spec.padEnd(4, '\0'), 'latin1') },
      { tag: TAG.initialisingOrg, bytes: Buffer.from(c.initialisingOrgHex, 'hex') },
      { tag: TAG.issueDate, bytes: encodeCardDate(c.issueDate) },
      { tag: TAG.expiryDate, bytes: encodeCardDate(c.expiryDate) },
      { tag: TAG.cardNumber, bytes: Buffer.from(c.cardNumber, 'latin1') },
    ].map((r) => ({ tag: r.tag, bytes: encodeRecord(r.tag, r.bytes) }));
  }

  private holderDataRecords(): Ef['records'] {
    const h = this.profile.holder;
    const records: Array<{ tag: number; bytes: Buffer }> = [
      { tag: TAG.citizenNumber, bytes: Buffer.from(h.citizenNumber, 'latin1') },
      { tag: TAG.name, bytes: encodeGbkPadded(h.name, 30) },
    ];
    if (h.nameExtension !== undefined) records.push({ tag: TAG.nameExtension, bytes: encodeGbkPadded(h.nameExtension, 20) });
    records.push(
      { tag: TAG.sex, bytes: Buffer.from(SEX_CODE[h.sex], 'latin1') },
      { tag: TAG.ethnicity, bytes: encodeBcd(h.ethnicity) },
    );
    if (h.birthplace !== undefined) records.push({ tag: TAG.birthplace, bytes: encodeBcd(h.birthplace) });
    records.push({ tag: TAG.birthDate, bytes: encodeCardDate(h.birthDate) });
    return records.map((r) => ({ tag: r.tag, bytes: encodeRecord(r.tag, r.bytes) }));
  }

  /** Answers one command APDU with response data + SW1 SW2. Never throws. */
  transmit(command: Buffer): Buffer {
    this.apduCount += 1;
    const apdu = decodeCommand(command);
    if (apdu === undefined) return sw(SW.wrongLength);
    const pending = this.pending;
    this.pending = undefined;
    if (apdu.ins === 0xc0 && apdu.cla === 0x00) return this.getResponse(apdu, pending);
    if (apdu.cla === 0x80 && apdu.ins === 0x5e) return this.changePin(apdu);
    if (apdu.cla !== 0x00) return sw(SW.claUnknown);
    switch (apdu.ins) {
      case 0xa4:
        return this.select(apdu);
      case 0xb2:
        return this.readRecord(apdu);
      case 0x20:
        return this.verify(apdu);
      case 0x84:
        return this.getChallenge(apdu);
      case 0x88:
        return this.internalAuthenticate(apdu);
      default:
        return sw(SW.insUnknown);
    }
  }

  /** Case-4 answer: T=0 announces the data with 61xx for GET RESPONSE. */
  private answerCase4(data: Buffer): Buffer {
    if (this.profile.protocol === 't0' && data.length > 0) {
      this.pending = data;
      return sw(0x6100 | (data.length & 0xff));
    }
    return encodeResponse(data, SW.ok);
  }

  /** Case-2 answer: T=0 wants Le equal to the length (6Cxx otherwise); T=1 needs Le >= length. */
  private answerCase2(apdu: CommandApdu, data: Buffer): Buffer {
    if (apdu.le === undefined) return sw(SW.wrongLength);
    const le = apdu.le === 0 ? 256 : apdu.le;
    if (this.profile.protocol === 't0' ? le !== data.length : le < data.length) return sw(0x6c00 | (data.length & 0xff));
    return encodeResponse(data, SW.ok);
  }

  private getResponse(apdu: CommandApdu, pending: Buffer | undefined): Buffer {
    if (pending === undefined || this.profile.protocol !== 't0') return sw(SW.conditions);
    const le = apdu.le === undefined || apdu.le === 0 ? 256 : apdu.le;
    if (le > pending.length) {
      this.pending = pending;
      return sw(0x6c00 | (pending.length & 0xff));
    }
    if (le < pending.length) {
      this.pending = pending.subarray(le);
      return encodeResponse(pending.subarray(0, le), 0x6100 | (this.pending.length & 0xff));
    }
    return encodeResponse(pending, SW.ok);
  }

  private select(apdu: CommandApdu): Buffer {
    const data = apdu.data ?? Buffer.alloc(0);
    if (apdu.p1 === 0x04) {
      this.currentEf = undefined;
      if (!data.equals(SSC_AID)) {
        this.applicationSelected = false;
        return sw(SW.fileNotFound);
      }
      this.applicationSelected = true;
      // FCI as the 2012 card answers: 6F { 84 <AID> A5 { 88 01 1E } }.
      const fci = Buffer.concat([Buffer.from([0x84, SSC_AID.length]), SSC_AID, Buffer.from([0xa5, 0x03, 0x88, 0x01, 0x1e])]);
      return this.answerCase4(Buffer.concat([Buffer.from([0x6f, fci.length]), fci]));
    }
    if (apdu.p1 === 0x00 && data.length === 2) {
      const fid = data.readUInt16BE(0);
      if (!this.applicationSelected || !this.files.has(fid)) return sw(SW.fileNotFound);
      this.currentEf = fid;
      return sw(SW.ok);
    }
    return sw(SW.wrongP1P2);
  }

  private readRecord(apdu: CommandApdu): Buffer {
    if (!this.applicationSelected) return sw(SW.notAllowed);
    const sfi = apdu.p2 >> 3;
    const mode = apdu.p2 & 0x07;
    let ef: Ef | undefined;
    if (sfi === 0) ef = this.currentEf === undefined ? undefined : this.files.get(this.currentEf);
    else {
      for (const [fid, file] of this.files) if (file.sfi === sfi) {
        ef = file;
        this.currentEf = fid;
      }
      if (ef === undefined) return sw(SW.fileNotFound);
    }
    if (ef === undefined) return sw(SW.notAllowed);
    if (mode === 0x04) {
      const record = ef.records[apdu.p1 - 1];
      if (apdu.p1 === 0 || record === undefined) return sw(SW.recordNotFound);
      return this.answerCase2(apdu, record.bytes);
    }
    if (mode === 0x05 && sfi === 0 && this.profile.commands.readAllRecords) {
      if (apdu.p1 === 0 || apdu.p1 > ef.records.length) return sw(SW.recordNotFound);
      return this.answerCase2(apdu, Buffer.concat(ef.records.slice(apdu.p1 - 1).map((r) => r.bytes)));
    }
    if (mode === 0x00 && sfi === 0 && this.profile.commands.readByTag) {
      const record = ef.records.find((r) => r.tag === apdu.p1);
      if (record === undefined) return sw(SW.recordNotFound);
      return this.answerCase2(apdu, record.bytes);
    }
    return sw(SW.wrongP1P2);
  }

  /** Checks a PIN candidate, counting tries (LD/T 32-2015: 63Cx, then 6983 once blocked). */
  private checkPin(candidate: Buffer): number {
    if (this.triesLeft === 0) return SW.blocked;
    const digits = decodeBcd(candidate);
    if (digits === undefined) return SW.dataInvalid;
    if (digits === this.pin) {
      this.triesLeft = this.profile.pinTriesMax;
      return SW.ok;
    }
    this.triesLeft -= 1;
    this.pinVerified = false;
    return 0x63c0 | this.triesLeft;
  }

  private verify(apdu: CommandApdu): Buffer {
    if (apdu.p1 !== 0x00 || apdu.p2 !== 0x00) return sw(SW.wrongP1P2);
    if (!this.applicationSelected) return sw(SW.notAllowed);
    if (apdu.data === undefined || apdu.data.length !== 3) return sw(SW.wrongLength);
    const result = this.checkPin(apdu.data);
    if (result === SW.ok) this.pinVerified = true;
    return sw(result);
  }

  private changePin(apdu: CommandApdu): Buffer {
    if (apdu.p1 !== 0x01 || apdu.p2 !== 0x00) return sw(SW.wrongP1P2);
    if (!this.applicationSelected) return sw(SW.notAllowed);
    const data = apdu.data;
    if (data === undefined || data.length !== 7) return sw(SW.wrongLength);
    if (data[3] !== 0xff) return sw(SW.dataInvalid);
    const newDigits = decodeBcd(data.subarray(4, 7));
    if (newDigits === undefined) return sw(SW.dataInvalid);
    const result = this.checkPin(data.subarray(0, 3));
    if (result !== SW.ok) return sw(result);
    this.pin = newDigits;
    this.pinVerified = true;
    return sw(SW.ok);
  }

  private getChallenge(apdu: CommandApdu): Buffer {
    if (apdu.p1 !== 0 || apdu.p2 !== 0) return sw(SW.wrongP1P2);
    const random = randomBytes(AUTH_CARD_RANDOM_BYTES);
    const answer = this.answerCase2(apdu, random);
    if (answer.length > 2) this.cardRandom = random;
    return answer;
  }

  private internalAuthenticate(apdu: CommandApdu): Buffer {
    if (!this.applicationSelected) return sw(SW.notAllowed);
    const random = this.cardRandom;
    this.cardRandom = undefined; // single use
    if (random === undefined) return sw(SW.conditions);
    const data = apdu.data;
    if (data === undefined || data.length !== AUTH_CHALLENGE_BYTES) return sw(SW.wrongLength);
    if (!data.subarray(AUTH_CHALLENGE_BYTES - AUTH_CARD_RANDOM_BYTES).equals(random)) return sw(SW.dataInvalid);
    const cryptogram = computeCardCryptogram(Buffer.from(this.profile.cardKeyHex, 'hex'), this.profile.card.identifierHex, data);
    return this.answerCase4(cryptogram);
  }
}

function sw(value: number): Buffer {
  return encodeResponse(Buffer.alloc(0), value);
}
