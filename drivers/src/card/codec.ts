// Pure byte codecs for the card path: command APDUs, responses, BCD/GBK/date
// fields, ATRs. No I/O here (STYLE.md §1).
import iconv from 'iconv-lite';
import { CardError, CardErrorCode } from './errors.js';
import { MAX_COMMAND_BYTES, PIN_DIGITS, SSC_AID } from './constants.js';

// ---- command APDUs (ISO 7816-4 short form) ------------------------------

export interface CommandApdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data?: Buffer;
  /** Expected response length; 0 means 256 ("as much as you have"). Absent: no Le. */
  le?: number;
}

export function encodeCommand(apdu: CommandApdu): Buffer {
  const data = apdu.data ?? Buffer.alloc(0);
  if (data.length > 255) throw new CardError(CardErrorCode.commandInvalid, `command data of ${data.length} bytes exceeds 255`);
  if (apdu.le !== undefined && (apdu.le < 0 || apdu.le > 256)) throw new CardError(CardErrorCode.commandInvalid, `Le ${apdu.le} out of range`);
  const parts: Buffer[] = [Buffer.from([apdu.cla, apdu.ins, apdu.p1, apdu.p2])];
  if (data.length > 0) parts.push(Buffer.from([data.length]), data);
  if (apdu.le !== undefined) parts.push(Buffer.from([apdu.le & 0xff]));
  return Buffer.concat(parts);
}

/** Decoded form of a short command APDU; `undefined` when the bytes are not one. */
export function decodeCommand(bytes: Buffer): CommandApdu | undefined {
  if (bytes.length < 4 || bytes.length > MAX_COMMAND_BYTES) return undefined;
  const [cla, ins, p1, p2] = [bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!];
  if (bytes.length === 4) return { cla, ins, p1, p2 };
  if (bytes.length === 5) return { cla, ins, p1, p2, le: bytes[4]! };
  const lc = bytes[4]!;
  if (lc === 0) return undefined; // extended length: not used by this card
  if (bytes.length === 5 + lc) return { cla, ins, p1, p2, data: bytes.subarray(5, 5 + lc) };
  if (bytes.length === 6 + lc) return { cla, ins, p1, p2, data: bytes.subarray(5, 5 + lc), le: bytes[5 + lc]! };
  return undefined;
}

export const selectApplication = (aid: Buffer = SSC_AID): Buffer => encodeCommand({ cla: 0x00, ins: 0xa4, p1: 0x04, p2: 0x00, data: aid });
export const selectFile = (fid: number): Buffer =>
  encodeCommand({ cla: 0x00, ins: 0xa4, p1: 0x00, p2: 0x00, data: Buffer.from([fid >> 8, fid & 0xff]) });
/** READ RECORD, all records from `first` to the last, of the current EF (P2 = 05). */
export const readAllRecords = (first = 1, le = 0): Buffer => encodeCommand({ cla: 0x00, ins: 0xb2, p1: first, p2: 0x05, le });
/** READ RECORD by tag in the current EF: `00 B2 <tag> 00 <len+2>` (issue #3 §2). */
export const readRecordByTag = (tag: number, valueBytes: number): Buffer =>
  encodeCommand({ cla: 0x00, ins: 0xb2, p1: tag, p2: 0x00, le: Math.min(valueBytes + 2, 256) });
/** READ RECORD by SFI and record number (P2 = SFI<<3 | 100b). */
export const readRecordBySfi = (sfi: number, recordNumber: number, le = 0): Buffer =>
  encodeCommand({ cla: 0x00, ins: 0xb2, p1: recordNumber, p2: (sfi << 3) | 0x04, le });
export const getResponse = (le: number): Buffer => encodeCommand({ cla: 0x00, ins: 0xc0, p1: 0x00, p2: 0x00, le });
export const getChallenge = (le: number): Buffer => encodeCommand({ cla: 0x00, ins: 0x84, p1: 0x00, p2: 0x00, le });
export const internalAuthenticate = (challenge: Buffer, le: number): Buffer =>
  encodeCommand({ cla: 0x00, ins: 0x88, p1: 0x00, p2: 0x00, data: challenge, le });

/** VERIFY PIN: `00 20 00 00 03 <6 digits as BCD>`. */
export function verifyPinCommand(pin: string): Buffer {
  return encodeCommand({ cla: 0x00, ins: 0x20, p1: 0x00, p2: 0x00, data: encodePin(pin) });
}

/** CHANGE PIN: `80 5E 01 00 07 <old> FF <new>` (LD/T 32-2015 as readers use it). */
export function changePinCommand(oldPin: string, newPin: string): Buffer {
  return encodeCommand({ cla: 0x80, ins: 0x5e, p1: 0x01, p2: 0x00, data: Buffer.concat([encodePin(oldPin), Buffer.from([0xff]), encodePin(newPin)]) });
}

/** 6 decimal digits -> 3 BCD bytes. Throws PinFormat (the message never contains the PIN). */
export function encodePin(pin: string): Buffer {
  if (typeof pin !== 'string' || pin.length !== PIN_DIGITS || !/^[0-9]+$/.test(pin)) {
    throw new CardError(CardErrorCode.pinFormat, `PIN must be exactly ${PIN_DIGITS} digits`);
  }
  return encodeBcd(pin);
}

// ---- responses ----------------------------------------------------------

export interface ResponseApdu {
  data: Buffer;
  sw: number;
}

export function decodeResponse(bytes: Buffer): ResponseApdu {
  if (bytes.length < 2) throw new CardError(CardErrorCode.responseTooShort, `response of ${bytes.length} bytes has no status word`);
  return { data: bytes.subarray(0, bytes.length - 2), sw: bytes.readUInt16BE(bytes.length - 2) };
}

export function encodeResponse(data: Buffer, sw: number): Buffer {
  const out = Buffer.alloc(data.length + 2);
  data.copy(out);
  out.writeUInt16BE(sw & 0xffff, data.length);
  return out;
}

// ---- field encodings ----------------------------------------------------

export function encodeBcd(digits: string): Buffer {
  if (!/^[0-9]*$/.test(digits) || digits.length % 2 !== 0) throw new CardError(CardErrorCode.fieldInvalid, 'BCD needs an even number of decimal digits');
  return Buffer.from(digits, 'hex');
}

/** BCD -> digit string; `undefined` if a nibble is not 0-9. */
export function decodeBcd(bytes: Buffer): string | undefined {
  const hex = bytes.toString('hex');
  return /^[0-9]*$/.test(hex) ? hex : undefined;
}

/** ASCII printable only (card numbers, citizen numbers, versions); else undefined. */
export function decodeAscii(bytes: Buffer): string | undefined {
  for (const b of bytes) if (b < 0x20 || b > 0x7e) return undefined;
  return bytes.toString('latin1');
}

/** GBK, 0x00- (and 0x20-/0xFF-) padded: the name field (issue #3 §2). */
export function decodeGbkPadded(bytes: Buffer): string | undefined {
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0x00 || bytes[end - 1] === 0x20 || bytes[end - 1] === 0xff)) end -= 1;
  const text = iconv.decode(bytes.subarray(0, end), 'gbk');
  // iconv substitutes U+FFFD for invalid sequences: treat that as damage.
  if (text.includes('\uFFFD') || /[\u0000-\u001f]/.test(text)) return undefined;
  return text;
}

export function encodeGbkPadded(text: string, length: number): Buffer {
  const encoded = iconv.encode(text, 'gbk');
  if (encoded.length > length) throw new CardError(CardErrorCode.fieldInvalid, `GBK text of ${encoded.length} bytes does not fit ${length}`);
  const out = Buffer.alloc(length, 0x00);
  encoded.copy(out);
  return out;
}

export function isCalendarDate(iso: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

export interface DecodedDate {
  /** YYYY-MM-DD */
  date: string;
  /** 'year' when the card held only a year (the 2012 Hunan card: ASCII "2022"). */
  precision: 'day' | 'year';
}

/**
 * A card date: BCD YYYYMMDD (the spec), ASCII YYYYMMDD, or ASCII YYYY (real
 * cards, see ../shared/fixtures/card). A year-only date becomes Jan 1 for an
 * issue date and Dec 31 for an expiry date (`yearEnd`), the reading that
 * does not refuse a card before the year printed on it is over.
 */
export function decodeCardDate(bytes: Buffer, yearEnd: boolean): DecodedDate | undefined {
  let digits: string | undefined;
  if (bytes.length === 4) {
    // ASCII "2022" (32 30 32 32) is also valid BCD ("32303232"), so BCD wins
    // only when it makes a calendar date.
    const bcd = decodeBcd(bytes);
    const bcdIso = bcd === undefined ? undefined : `${bcd.slice(0, 4)}-${bcd.slice(4, 6)}-${bcd.slice(6, 8)}`;
    if (bcdIso !== undefined && isCalendarDate(bcdIso)) return { date: bcdIso, precision: 'day' };
    const ascii = decodeAscii(bytes);
    if (ascii !== undefined && /^\d{4}$/.test(ascii)) {
      const iso = yearEnd ? `${ascii}-12-31` : `${ascii}-01-01`;
      return isCalendarDate(iso) ? { date: iso, precision: 'year' } : undefined;
    }
    return undefined;
  } else if (bytes.length === 8) {
    const ascii = decodeAscii(bytes);
    if (ascii !== undefined && /^\d{8}$/.test(ascii)) digits = ascii;
  }
  if (digits === undefined) return undefined;
  const iso = `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6, 8)}`;
  return isCalendarDate(iso) ? { date: iso, precision: 'day' } : undefined;
}

export function encodeCardDate(iso: string): Buffer {
  if (!isCalendarDate(iso)) throw new CardError(CardErrorCode.fieldInvalid, `not a calendar date: ${iso}`);
  return encodeBcd(iso.replaceAll('-', ''));
}

// ---- ATR (ISO 7816-3 §8) ------------------------------------------------

export interface Atr {
  bytes: Buffer;
  /** Protocols offered (T=0 when no TD byte names another). */
  protocols: number[];
  historical: Buffer;
}

/** Parses an ATR's structure; `undefined` for a malformed one (a bad checksum included). */
export function parseAtr(bytes: Buffer): Atr | undefined {
  if (bytes.length < 2 || bytes.length > 33) return undefined;
  if (bytes[0] !== 0x3b && bytes[0] !== 0x3f) return undefined;
  let i = 1;
  let y = bytes[i]! >> 4;
  const k = bytes[i]! & 0x0f;
  i += 1;
  const protocols = new Set<number>();
  let tdSeen = false;
  for (let round = 0; round < 8; round += 1) {
    const hasTd = (y & 0x8) !== 0;
    i += ((y & 1) + ((y >> 1) & 1) + ((y >> 2) & 1));
    if (!hasTd) break;
    if (i >= bytes.length) return undefined;
    const td = bytes[i]!;
    i += 1;
    tdSeen = true;
    protocols.add(td & 0x0f);
    y = td >> 4;
  }
  if (!tdSeen) protocols.add(0);
  const historicalEnd = i + k;
  if (historicalEnd > bytes.length) return undefined;
  const onlyT0 = protocols.size === 1 && protocols.has(0);
  if (onlyT0) {
    if (historicalEnd !== bytes.length) return undefined;
  } else {
    // TCK present: XOR of T0..TCK is zero.
    if (historicalEnd + 1 !== bytes.length) return undefined;
    let x = 0;
    for (let j = 1; j < bytes.length; j += 1) x ^= bytes[j]!;
    if (x !== 0) return undefined;
  }
  return { bytes, protocols: [...protocols].sort(), historical: bytes.subarray(i, historicalEnd) };
}

/** Builds an ATR with the given historical bytes: T=0 only (`3B 6x 00 00`) or T=1 (`3B 8x 80 01 ... TCK`). */
export function buildAtr(protocol: 't0' | 't1', historical: Buffer): Buffer {
  if (historical.length > 15) throw new CardError(CardErrorCode.fieldInvalid, 'at most 15 historical bytes');
  if (protocol === 't0') return Buffer.concat([Buffer.from([0x3b, 0x60 | historical.length, 0x00, 0x00]), historical]);
  const body = Buffer.concat([Buffer.from([0x80 | historical.length, 0x80, 0x01]), historical]);
  let tck = 0;
  for (const b of body) tck ^= b;
  return Buffer.concat([Buffer.from([0x3b]), body, Buffer.from([tck])]);
}

export function hex(bytes: Buffer): string {
  return bytes.toString('hex').toUpperCase();
}
