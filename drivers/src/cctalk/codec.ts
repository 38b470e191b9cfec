// Pure ccTalk codec (ccTalk part 1 framing, part 2 headers 154/157/159):
// bytes in, values out; no I/O, no state. Issue #4 §2.
import {
  BILL_ID_PATTERN,
  BillResultB,
  CCTALK_EVENT_BUFFER_SIZE,
  CCTALK_FRAME_OVERHEAD,
  CCTALK_MAX_DATA_LENGTH,
} from './constants.js';
import type { BillEventRecord, BufferedBillEvents, CctalkFrame, ChecksumMode } from './types.js';

/** Simple checksum (part 1 §9): the byte that makes all message bytes sum to 0 mod 256. */
export function checksum8(bytes: Uint8Array): number {
  let sum = 0;
  for (const b of bytes) sum = (sum + b) & 0xff;
  return (256 - sum) & 0xff;
}

const CRC_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[i] = crc;
  }
  return table;
})();

/**
 * CRC-16/CCITT as ccTalk uses it (part 1 §9.2): polynomial 0x1021, initial 0,
 * no reflection (the XMODEM parameters). Returned as a number, never a hex
 * string: the widely copied JS version that formats with toString(16) loses
 * leading zero nibbles for CRCs below 0x1000.
 */
export function crc16Ccitt(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) crc = ((crc << 8) & 0xffff) ^ CRC_TABLE[((crc >> 8) ^ b) & 0xff]!;
  return crc;
}

/** The bytes the CRC covers: dest, len, header, data (the source slot carries the CRC). */
function crcInput(destination: number, header: number, data: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([destination, data.length, header]), data]);
}

export class CctalkCodecError extends Error {
  override readonly name = 'CctalkCodecError';
}

export function encodeFrame(frame: CctalkFrame, mode: ChecksumMode): Buffer {
  const { destination, source, header, data } = frame;
  for (const [name, value] of [['destination', destination], ['source', source], ['header', header]] as const) {
    if (!Number.isInteger(value) || value < 0 || value > 255) throw new CctalkCodecError(`${name} ${value} is not a byte`);
  }
  if (data.length > CCTALK_MAX_DATA_LENGTH) {
    throw new CctalkCodecError(`data length ${data.length} exceeds ${CCTALK_MAX_DATA_LENGTH}`);
  }
  const out = Buffer.alloc(data.length + CCTALK_FRAME_OVERHEAD);
  out[0] = destination;
  out[1] = data.length;
  out[3] = header;
  out.set(data, 4);
  if (mode === 'simple8') {
    out[2] = source;
    out[out.length - 1] = checksum8(out.subarray(0, out.length - 1));
  } else {
    const crc = crc16Ccitt(crcInput(destination, header, data));
    out[2] = crc & 0xff;
    out[out.length - 1] = crc >> 8;
  }
  return out;
}

export type DecodeResult = { ok: true; frame: CctalkFrame } | { ok: false; reason: 'badLength' | 'badChecksum' };

/**
 * Decodes exactly one whole frame. In crc16 mode there is no source byte on the
 * wire; `assumedSource` fills it in (the peer's address is known from context).
 */
export function decodeFrame(bytes: Uint8Array, mode: ChecksumMode, assumedSource = 0): DecodeResult {
  if (bytes.length < CCTALK_FRAME_OVERHEAD) return { ok: false, reason: 'badLength' };
  const length = bytes[1]!;
  if (length > CCTALK_MAX_DATA_LENGTH || bytes.length !== length + CCTALK_FRAME_OVERHEAD) return { ok: false, reason: 'badLength' };
  const destination = bytes[0]!;
  const header = bytes[3]!;
  const data = Buffer.from(bytes.subarray(4, 4 + length));
  if (mode === 'simple8') {
    let sum = 0;
    for (const b of bytes) sum = (sum + b) & 0xff;
    if (sum !== 0) return { ok: false, reason: 'badChecksum' };
    return { ok: true, frame: { destination, source: bytes[2]!, header, data } };
  }
  const crc = bytes[2]! | (bytes[bytes.length - 1]! << 8);
  if (crc !== crc16Ccitt(crcInput(destination, header, data))) return { ok: false, reason: 'badChecksum' };
  return { ok: true, frame: { destination, source: assumedSource, header, data } };
}

// --- header 159: read buffered bill events --------------------------------

/** Decodes the 11-byte reply to header 159; undefined if the length is wrong. */
export function decodeBufferedBillEvents(data: Uint8Array): BufferedBillEvents | undefined {
  if (data.length !== 1 + 2 * CCTALK_EVENT_BUFFER_SIZE) return undefined;
  const events: BillEventRecord[] = [];
  for (let i = 0; i < CCTALK_EVENT_BUFFER_SIZE; i++) {
    const a = data[1 + 2 * i]!;
    const b = data[2 + 2 * i]!;
    if (a === 0) events.push({ kind: 'status', code: b });
    else
      events.push({
        kind: 'bill',
        billType: a,
        result: b === BillResultB.stacked ? 'stacked' : b === BillResultB.escrow ? 'escrow' : 'unknownResult',
        resultB: b,
      });
  }
  return { eventCounter: data[0]!, events };
}

/** Encodes a header 159 reply; `events` newest first, padded with zeros (the device side). */
export function encodeBufferedBillEvents(eventCounter: number, events: readonly { a: number; b: number }[]): Buffer {
  const out = Buffer.alloc(1 + 2 * CCTALK_EVENT_BUFFER_SIZE);
  out[0] = eventCounter;
  events.slice(0, CCTALK_EVENT_BUFFER_SIZE).forEach((event, i) => {
    out[1 + 2 * i] = event.a;
    out[2 + 2 * i] = event.b;
  });
  return out;
}

// --- header 157: bill id ------------------------------------------------------

export interface BillId {
  country: string;
  /** Face value in the currency's major unit as the device reports it (yuan for CN). */
  value: number;
  issue: string;
}

export function decodeBillId(data: Uint8Array): BillId | undefined {
  const text = Buffer.from(data).toString('latin1');
  const match = BILL_ID_PATTERN.exec(text);
  if (!match) return undefined;
  return { country: match[1]!, value: Number(match[2]), issue: match[3]! };
}

export function encodeBillId(id: BillId): Buffer {
  return Buffer.from(`${id.country}${String(id.value).padStart(4, '0')}${id.issue}`, 'latin1');
}

/** Header 242: 3 bytes, least significant first (part 2). */
export function decodeSerialNumber(data: Uint8Array): number | undefined {
  if (data.length !== 3) return undefined;
  return data[0]! | (data[1]! << 8) | (data[2]! << 16);
}

/** Header 231: one bit per bill type, bit set = accepted (not inhibited); 2 bytes for types 1..16. */
export function encodeInhibitMask(enabledBillTypes: readonly number[]): Buffer {
  let mask = 0;
  for (const type of enabledBillTypes) {
    if (!Number.isInteger(type) || type < 1 || type > 16) throw new CctalkCodecError(`bill type ${type} is not 1..16`);
    mask |= 1 << (type - 1);
  }
  return Buffer.from([mask & 0xff, mask >> 8]);
}

export function decodeInhibitMask(data: Uint8Array): number[] | undefined {
  if (data.length !== 2) return undefined;
  const mask = data[0]! | (data[1]! << 8);
  const types: number[] = [];
  for (let i = 0; i < 16; i++) if (mask & (1 << i)) types.push(i + 1);
  return types;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').toUpperCase();
}
