// Pure ESC/POS encoders and status decoding (Epson ESC/POS reference; issue
// #4 §3). No I/O. Text is GB18030 via iconv-lite for Chinese-mode printers.
import iconv from 'iconv-lite';
import {
  DLE,
  EOT,
  ESC,
  FS,
  GS,
  LF,
  QR_ERROR_LEVELS,
  QR_MAX_PAYLOAD_BYTES,
  QrFn,
  RASTER_MAX_HEIGHT_DOTS,
  RASTER_MAX_WIDTH_BYTES,
  STATUS_FIXED_MASK,
  STATUS_FIXED_VALUE,
  StatusBits,
  StatusQuery,
} from './constants.js';
import type { Align, Bitmap } from './types.js';

export class EscPosCodecError extends Error {
  override readonly name = 'EscPosCodecError';
}

function checkRange(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) throw new EscPosCodecError(`${name} ${value} is not ${min}..${max}`);
}

export const initialize = (): Buffer => Buffer.from([ESC, 0x40]);
export const lineFeed = (): Buffer => Buffer.from([LF]);
export function align(value: Align): Buffer {
  return Buffer.from([ESC, 0x61, value === 'left' ? 0 : value === 'center' ? 1 : 2]);
}
export const bold = (on: boolean): Buffer => Buffer.from([ESC, 0x45, on ? 1 : 0]);
/** GS ! n: width and height magnification 1..8. */
export function characterSize(width: number, height: number): Buffer {
  checkRange('width', width, 1, 8);
  checkRange('height', height, 1, 8);
  return Buffer.from([GS, 0x21, ((width - 1) << 4) | (height - 1)]);
}
export function feedLines(lines: number): Buffer {
  checkRange('feed lines', lines, 0, 255);
  return Buffer.from([ESC, 0x64, lines]);
}
/** GS V 66 n: feed to the cutter (n more dots) and cut, partial (one point left). */
export function cut(partial = true, feedDots = 0): Buffer {
  checkRange('cut feed', feedDots, 0, 255);
  return Buffer.from([GS, 0x56, partial ? 66 : 65, feedDots]);
}
/** FS &: Kanji (here GB18030 double-byte) mode on; FS .: off (Chinese printers). */
export const kanjiOn = (): Buffer => Buffer.from([FS, 0x26]);
export const kanjiOff = (): Buffer => Buffer.from([FS, 0x2e]);

/** DLE EOT n: the real-time status query (n = 1..4). */
export function statusQuery(n: StatusQuery): Buffer {
  return Buffer.from([DLE, EOT, n]);
}

/** GB18030 bytes of `text`; callers check `isPrintableInFont` first. */
export function encodeGb18030(text: string): Buffer {
  return iconv.encode(text, 'gb18030');
}
export function decodeGb18030(bytes: Uint8Array): string {
  return iconv.decode(Buffer.from(bytes), 'gb18030');
}

/**
 * Whether the printer's resident font can print this character: ASCII, or a
 * GB18030 two-byte character (the GBK range Chinese printers carry). Four-byte
 * GB18030 characters (CJK extensions, rare name characters) are not in any
 * printer font and go to the raster fallback.
 */
export function isPrintableInFont(char: string): boolean {
  const codePoint = char.codePointAt(0)!;
  if (codePoint >= 0x20 && codePoint <= 0x7e) return true;
  if (codePoint < 0x80) return false;
  const bytes = iconv.encode(char, 'gb18030');
  // iconv-lite maps unencodable characters to '?'.
  return bytes.length === 2;
}

/** GS ( k sequence for a QR code: model 2, module size, error level, store, print. */
export function qrCode(payload: string, moduleSize = 6, errorLevel: keyof typeof QR_ERROR_LEVELS = 'M'): Buffer {
  checkRange('QR module size', moduleSize, 1, 16);
  const data = Buffer.from(payload, 'utf8');
  if (data.length === 0 || data.length > QR_MAX_PAYLOAD_BYTES) {
    throw new EscPosCodecError(`QR payload is ${data.length} bytes; 1..${QR_MAX_PAYLOAD_BYTES} allowed`);
  }
  const fn = (code: number, params: Buffer): Buffer => {
    const length = params.length + 2;
    return Buffer.concat([Buffer.from([GS, 0x28, 0x6b, length & 0xff, length >> 8, 49, code]), params]);
  };
  return Buffer.concat([
    fn(QrFn.model, Buffer.from([50, 0])),
    fn(QrFn.moduleSize, Buffer.from([moduleSize])),
    fn(QrFn.errorCorrection, Buffer.from([QR_ERROR_LEVELS[errorLevel]])),
    fn(QrFn.store, Buffer.concat([Buffer.from([48]), data])),
    fn(QrFn.print, Buffer.from([48])),
  ]);
}

/** GS v 0 m: a raster bit image, 8 dots per byte, MSB leftmost. */
export function rasterImage(bitmap: Bitmap): Buffer {
  const widthBytes = Math.ceil(bitmap.width / 8);
  checkRange('raster width bytes', widthBytes, 1, RASTER_MAX_WIDTH_BYTES);
  checkRange('raster height', bitmap.height, 1, RASTER_MAX_HEIGHT_DOTS);
  const data = Buffer.alloc(widthBytes * bitmap.height);
  for (let y = 0; y < bitmap.height; y++) {
    for (let x = 0; x < bitmap.width; x++) {
      if (bitmap.dots[y * bitmap.width + x]) data[y * widthBytes + (x >> 3)]! |= 0x80 >> (x & 7);
    }
  }
  return Buffer.concat([
    Buffer.from([GS, 0x76, 0x30, 0, widthBytes & 0xff, widthBytes >> 8, bitmap.height & 0xff, bitmap.height >> 8]),
    data,
  ]);
}

/** Unpacks GS v 0 data into a bitmap (m = 0 normal; 1-3 double width/height). */
export function rasterToBitmap(widthBytes: number, heightDots: number, data: Uint8Array, mode = 0): Bitmap {
  const scaleX = mode === 1 || mode === 3 || mode === 49 || mode === 51 ? 2 : 1;
  const scaleY = mode === 2 || mode === 3 || mode === 50 || mode === 51 ? 2 : 1;
  const width = widthBytes * 8 * scaleX;
  const height = heightDots * scaleY;
  const dots = new Uint8Array(width * height);
  for (let y = 0; y < heightDots; y++) {
    for (let x = 0; x < widthBytes * 8; x++) {
      if (!((data[y * widthBytes + (x >> 3)] ?? 0) & (0x80 >> (x & 7)))) continue;
      for (let dy = 0; dy < scaleY; dy++) for (let dx = 0; dx < scaleX; dx++) dots[(y * scaleY + dy) * width + x * scaleX + dx] = 1;
    }
  }
  return { width, height, dots };
}

// --- status ------------------------------------------------------------------

export type StatusDecode<T> = { ok: true; value: T } | { ok: false; reason: 'fixedBits' };

export interface DecodedPrinterStatus {
  offline: boolean;
}
export interface DecodedOfflineCause {
  coverOpen: boolean;
  paperEndStop: boolean;
  errorOccurred: boolean;
}
export interface DecodedErrorCause {
  cutterError: boolean;
  unrecoverable: boolean;
  autoRecoverable: boolean;
}
export interface DecodedPaperStatus {
  nearEnd: boolean;
  out: boolean;
}

/** True if the byte has the DLE EOT fixed bits (bit 1, bit 4 set; bit 0, bit 7 clear). */
export function hasStatusFixedBits(byte: number): boolean {
  return (byte & STATUS_FIXED_MASK) === STATUS_FIXED_VALUE;
}

export function decodeStatusByte(n: 1, byte: number): StatusDecode<DecodedPrinterStatus>;
export function decodeStatusByte(n: 2, byte: number): StatusDecode<DecodedOfflineCause>;
export function decodeStatusByte(n: 3, byte: number): StatusDecode<DecodedErrorCause>;
export function decodeStatusByte(n: 4, byte: number): StatusDecode<DecodedPaperStatus>;
export function decodeStatusByte(n: StatusQuery, byte: number): StatusDecode<unknown>;
export function decodeStatusByte(n: StatusQuery, byte: number): StatusDecode<unknown> {
  if (!hasStatusFixedBits(byte)) return { ok: false, reason: 'fixedBits' };
  switch (n) {
    case StatusQuery.printer:
      return { ok: true, value: { offline: (byte & StatusBits.offline) !== 0 } };
    case StatusQuery.offline:
      return {
        ok: true,
        value: {
          coverOpen: (byte & StatusBits.coverOpen) !== 0,
          paperEndStop: (byte & StatusBits.paperEndStop) !== 0,
          errorOccurred: (byte & StatusBits.errorOccurred) !== 0,
        },
      };
    case StatusQuery.error:
      return {
        ok: true,
        value: {
          cutterError: (byte & StatusBits.cutterError) !== 0,
          unrecoverable: (byte & StatusBits.unrecoverable) !== 0,
          autoRecoverable: (byte & StatusBits.autoRecoverable) !== 0,
        },
      };
    case StatusQuery.paper:
      return {
        ok: true,
        value: { nearEnd: (byte & StatusBits.paperNearEnd) !== 0, out: (byte & StatusBits.paperOut) !== 0 },
      };
  }
}

/** The device side: the status byte a printer sends for query n. */
export function encodeStatusByte(
  n: StatusQuery,
  state: { offline: boolean; coverOpen: boolean; paperOut: boolean; paperNearEnd: boolean; cutterError: boolean; otherError: boolean },
): number {
  let byte = STATUS_FIXED_VALUE;
  switch (n) {
    case StatusQuery.printer:
      if (state.offline) byte |= StatusBits.offline;
      break;
    case StatusQuery.offline:
      if (state.coverOpen) byte |= StatusBits.coverOpen;
      if (state.paperOut) byte |= StatusBits.paperEndStop;
      if (state.cutterError || state.otherError) byte |= StatusBits.errorOccurred;
      break;
    case StatusQuery.error:
      if (state.cutterError) byte |= StatusBits.cutterError;
      if (state.otherError) byte |= StatusBits.unrecoverable;
      break;
    case StatusQuery.paper:
      if (state.paperNearEnd || state.paperOut) byte |= StatusBits.paperNearEnd;
      if (state.paperOut) byte |= StatusBits.paperOut;
      break;
  }
  return byte;
}
