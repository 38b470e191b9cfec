// GNU Unifont as the glyph source of the receipt renderer and the builder's
// raster fallback (issue #4 §3: the PNG the simulator, the tests and the demo
// show must carry the Chinese and Tibetan text of the receipt, not boxes).
//
// The file (Debian package `unifont`, installed by scripts/ensure-system-deps.sh)
// has one line per Basic Multilingual Plane code point: `XXXX:` and 32 hex
// digits (an 8x16 glyph, one byte per row) or 64 (16x16, two bytes per row).
// We read it once per process, decode every glyph into one packed byte array
// (about 1.7 MB for 57 000 glyphs, plus a 256 KB index) and drop the text;
// glyphs scaled to the printer cell are made on demand and cached, bounded.
//
// Scale: a Chinese-mode printer's resident font is 24x24 dots (12x24 for ASCII,
// Font A). Unifont's 16-dot cell is magnified 1.5x by nearest neighbour, so a
// 16x16 glyph fills a 24x24 cell and an 8x16 one a 12x24 cell, and the layout
// (32 columns of 12 dots on 58 mm paper) is the same as the printer's. Source
// row/column s lands on dots ceil(1.5 s) (even s on two dots, odd s on one).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { FONT_HEIGHT_DOTS } from './constants.js';
import { blankBitmap, BuiltinGlyphSource, type Glyph, type GlyphSource } from './font.js';
import type { Bitmap } from './types.js';

export const UNIFONT_DEFAULT_PATH = '/usr/share/unifont/unifont.hex';
/** Unifont's list of combining code points (`XXXX:-offset`), beside the hex file. */
export const UNIFONT_COMBINING_FILE_NAME = 'plane00-combining.txt';
/** The real file is 3.8 MB; anything far larger is not a Unifont plane-0 file. */
export const UNIFONT_MAX_FILE_BYTES = 16 * 1024 * 1024;
export const UNIFONT_COMBINING_MAX_FILE_BYTES = 256 * 1024;
/** Bad lines are skipped; more than this many and the file is refused as not Unifont. */
export const UNIFONT_MAX_MALFORMED_LINES = 64;
/** Scaled glyphs kept per source (576 bytes each at most: about 1.2 MB). */
export const UNIFONT_GLYPH_CACHE_LIMIT = 2048;
/** Font files the process keeps loaded (the default one, plus paths tests inject). */
export const UNIFONT_LOADED_FILES_LIMIT = 8;

const UNIFONT_CELL_DOTS = 16;
const BMP_SIZE = 0x10000;
const NO_GLYPH = -1;

/**
 * Code ranges:
 *   1000-1099 the font file cannot be used (missing, unreadable, too large)
 *   1100-1199 its content is not Unifont hex (malformed, no glyphs)
 */
export const GlyphSourceErrorCode = {
  fileMissing: 1000,
  fileUnreadable: 1001,
  fileTooLarge: 1002,
  malformed: 1100,
  empty: 1101,
} as const;
export type GlyphSourceErrorCode = (typeof GlyphSourceErrorCode)[keyof typeof GlyphSourceErrorCode];

export class GlyphSourceError extends Error {
  override readonly name = 'GlyphSourceError';
  constructor(
    readonly code: GlyphSourceErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isGlyphSourceError(error: unknown): error is GlyphSourceError {
  return error instanceof GlyphSourceError;
}
/** The font is not there to read (not installed): the expected reason to fall back. */
export function isGlyphFileUnavailable(error: unknown): boolean {
  return isGlyphSourceError(error) && error.code >= 1000 && error.code < 1100;
}

// ASCII hex digit value by byte, -1 for anything else.
const HEX_VALUE = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX_VALUE[0x30 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX_VALUE[0x41 + i] = 10 + i;
  HEX_VALUE[0x61 + i] = 10 + i;
}

// Nearest-neighbour 1.5x: target dot t shows source dot floor(2t / 3).
const SOURCE_OF_TARGET = Uint8Array.from({ length: FONT_HEIGHT_DOTS }, (_, t) => Math.floor((2 * t) / 3));

interface ParsedFont {
  /** Packed glyph rows: 16 bytes (8x16) or 32 bytes (16x16) per glyph. */
  rows: Uint8Array;
  /** Per BMP code point: offset into `rows` * 2 + 1 if 16 wide, or NO_GLYPH. */
  index: Int32Array;
  glyphCount: number;
  malformedLines: number;
}

function parseUnifontHex(bytes: Uint8Array): ParsedFont {
  // Every glyph byte takes two hex digits, so half the file bounds the rows.
  const rows = new Uint8Array(Math.ceil(bytes.length / 2));
  const index = new Int32Array(BMP_SIZE).fill(NO_GLYPH);
  let used = 0;
  let glyphCount = 0;
  let malformedLines = 0;
  let lineStart = 0;
  while (lineStart < bytes.length) {
    let lineEnd = bytes.indexOf(0x0a, lineStart);
    if (lineEnd < 0) lineEnd = bytes.length;
    let end = lineEnd;
    if (end > lineStart && bytes[end - 1] === 0x0d) end -= 1;
    const next = lineEnd + 1;
    if (end === lineStart) {
      lineStart = next;
      continue;
    }
    // `XXXX:` - four to six hex digits of code point (other planes' files have five or six).
    let codePoint = 0;
    let at = lineStart;
    while (at < end && at - lineStart <= 6 && HEX_VALUE[bytes[at]!]! >= 0) codePoint = codePoint * 16 + HEX_VALUE[bytes[at++]!]!;
    const digits = at - lineStart;
    const dataLength = end - at - 1;
    if (digits < 4 || digits > 6 || bytes[at] !== 0x3a || (dataLength !== 32 && dataLength !== 64)) {
      malformedLines += 1;
      lineStart = next;
      continue;
    }
    if (codePoint >= BMP_SIZE) {
      // A glyph beyond the BMP: not malformed, just not ours to print (keeps the box).
      lineStart = next;
      continue;
    }
    const start = used;
    let ok = true;
    for (let k = at + 1; k < end; k += 2) {
      const hi = HEX_VALUE[bytes[k]!]!;
      const lo = HEX_VALUE[bytes[k + 1]!]!;
      if (hi < 0 || lo < 0) {
        ok = false;
        break;
      }
      rows[used++] = hi * 16 + lo;
    }
    if (!ok) {
      used = start;
      malformedLines += 1;
    } else {
      if (index[codePoint] === NO_GLYPH) glyphCount += 1;
      index[codePoint] = start * 2 + (dataLength === 64 ? 1 : 0);
    }
    lineStart = next;
  }
  return { rows: rows.slice(0, used), index, glyphCount, malformedLines };
}

function parseCombining(text: string): Set<number> {
  const combining = new Set<number>();
  for (const line of text.split('\n')) {
    const match = /^([0-9A-Fa-f]{4,6}):-?\d+\s*$/.exec(line);
    if (match) combining.add(parseInt(match[1]!, 16));
  }
  return combining;
}

// Without Unifont's list, Unicode's non-spacing and enclosing marks.
const UNICODE_COMBINING = /^[\p{Mn}\p{Me}]$/u;

export interface UnifontLoadOptions {
  /** Combining code points; default: the list beside the file, else Unicode Mn/Me. */
  combining?: ReadonlySet<number>;
}

export class UnifontGlyphSource implements GlyphSource {
  readonly glyphCount: number;
  readonly malformedLines: number;
  readonly #rows: Uint8Array;
  readonly #index: Int32Array;
  readonly #combining: ReadonlySet<number> | undefined;
  readonly #cache = new Map<number, Glyph>();
  readonly #fallback = new BuiltinGlyphSource();

  private constructor(font: ParsedFont, combining: ReadonlySet<number> | undefined) {
    this.#rows = font.rows;
    this.#index = font.index;
    this.glyphCount = font.glyphCount;
    this.malformedLines = font.malformedLines;
    this.#combining = combining;
  }

  /** Parses Unifont hex text. Throws GlyphSourceError (malformed, empty). */
  static fromHex(hex: Uint8Array | string, options: UnifontLoadOptions = {}): UnifontGlyphSource {
    const bytes = typeof hex === 'string' ? Buffer.from(hex, 'latin1') : hex;
    if (bytes.length > UNIFONT_MAX_FILE_BYTES) {
      throw new GlyphSourceError(GlyphSourceErrorCode.fileTooLarge, `Unifont hex of ${bytes.length} bytes is over ${UNIFONT_MAX_FILE_BYTES}`);
    }
    const font = parseUnifontHex(bytes);
    if (font.malformedLines > UNIFONT_MAX_MALFORMED_LINES) {
      throw new GlyphSourceError(GlyphSourceErrorCode.malformed, `${font.malformedLines} lines are not Unifont hex (limit ${UNIFONT_MAX_MALFORMED_LINES})`);
    }
    if (font.glyphCount === 0) throw new GlyphSourceError(GlyphSourceErrorCode.empty, 'no BMP glyph in the Unifont hex');
    return new UnifontGlyphSource(font, options.combining);
  }

  /**
   * Reads a Unifont hex file (synchronously: the renderer is synchronous and
   * this happens once per process). Throws GlyphSourceError: fileMissing,
   * fileUnreadable, fileTooLarge, malformed, empty.
   */
  static fromFile(path: string = UNIFONT_DEFAULT_PATH, options: UnifontLoadOptions = {}): UnifontGlyphSource {
    let bytes: Buffer;
    try {
      const size = statSync(path).size;
      if (size > UNIFONT_MAX_FILE_BYTES) {
        throw new GlyphSourceError(GlyphSourceErrorCode.fileTooLarge, `${path} is ${size} bytes, over ${UNIFONT_MAX_FILE_BYTES}`);
      }
      bytes = readFileSync(path);
    } catch (error) {
      if (isGlyphSourceError(error)) throw error;
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      throw new GlyphSourceError(
        missing ? GlyphSourceErrorCode.fileMissing : GlyphSourceErrorCode.fileUnreadable,
        `${path}: ${missing ? 'no such file' : 'cannot read'}`,
        { cause: error },
      );
    }
    let combining = options.combining;
    const combiningPath = join(dirname(path), UNIFONT_COMBINING_FILE_NAME);
    if (!combining && existsSync(combiningPath)) {
      try {
        if (statSync(combiningPath).size <= UNIFONT_COMBINING_MAX_FILE_BYTES) combining = parseCombining(readFileSync(combiningPath, 'latin1'));
      } catch {
        // Optional list: without it marks are found by their Unicode category.
      }
    }
    return UnifontGlyphSource.fromHex(bytes, combining ? { combining } : {});
  }

  /** Bytes this source holds (packed glyphs, index, cached scaled glyphs). */
  get memoryBytes(): number {
    let cached = 0;
    for (const glyph of this.#cache.values()) cached += glyph.dots.byteLength;
    return this.#rows.byteLength + this.#index.byteLength + cached;
  }

  has(codePoint: number): boolean {
    return Number.isInteger(codePoint) && codePoint >= 0 && codePoint < BMP_SIZE && this.#index[codePoint] !== NO_GLYPH;
  }

  isCombining(codePoint: number): boolean {
    if (this.#combining) return this.#combining.has(codePoint);
    return codePoint >= 0 && codePoint <= 0x10ffff && UNICODE_COMBINING.test(String.fromCodePoint(codePoint));
  }

  /** Unifont's own bitmap (8x16 or 16x16), or undefined if the font has none. */
  unifontBitmap(codePoint: number): Bitmap | undefined {
    if (!this.has(codePoint)) return undefined;
    const entry = this.#index[codePoint]!;
    const width = entry & 1 ? 16 : 8;
    const bytesPerRow = width / 8;
    const start = entry >> 1;
    const bitmap = blankBitmap(width, UNIFONT_CELL_DOTS);
    for (let y = 0; y < UNIFONT_CELL_DOTS; y++) {
      for (let x = 0; x < width; x++) {
        const byte = this.#rows[start + y * bytesPerRow + (x >> 3)]!;
        bitmap.dots[y * width + x] = (byte >> (7 - (x & 7))) & 1;
      }
    }
    return bitmap;
  }

  /** The glyph at printer size (x1.5: 12x24 or 24x24); a hex box if Unifont lacks it or it is outside the BMP. */
  glyph(codePoint: number): Glyph {
    const cached = this.#cache.get(codePoint);
    if (cached) return cached;
    const source = this.unifontBitmap(codePoint);
    // Outside the BMP or absent from the font: the built-in box with the code point.
    const glyph: Glyph = source ? scaleToPrinterCell(source) : this.#fallback.glyph(codePoint);
    if (source && this.isCombining(codePoint)) glyph.combining = true;
    // Bounded: drop the oldest entry (Map keeps insertion order).
    if (this.#cache.size >= UNIFONT_GLYPH_CACHE_LIMIT) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(codePoint, glyph);
    return glyph;
  }
}

function scaleToPrinterCell(source: Bitmap): Glyph {
  const width = (source.width * FONT_HEIGHT_DOTS) / UNIFONT_CELL_DOTS;
  const glyph = blankBitmap(width, FONT_HEIGHT_DOTS);
  for (let y = 0; y < FONT_HEIGHT_DOTS; y++) {
    const sy = SOURCE_OF_TARGET[y]!;
    for (let x = 0; x < width; x++) glyph.dots[y * width + x] = source.dots[sy * source.width + SOURCE_OF_TARGET[x]!]!;
  }
  return glyph;
}

/** Which glyphs a rendering used: Unifont, the built-in boxes, or a source the caller gave. */
export type GlyphSourceKind = 'unifont' | 'fallback' | 'custom';

export interface ResolvedGlyphSource {
  source: GlyphSource;
  kind: 'unifont' | 'fallback';
  /** Why Unifont is not used (only when kind is 'fallback'). */
  reason?: GlyphSourceError;
  /** Time to read and index the file, when it was loaded. */
  loadMs?: number;
}

const loaded = new Map<string, ResolvedGlyphSource>();

/**
 * The default glyph source: Unifont from `unifontPath` (default
 * UNIFONT_DEFAULT_PATH), loaded once per process and path; the built-in boxes
 * when the file is missing or unusable, with the reason logged once at load.
 * Installing the font later needs a process restart.
 */
export function defaultGlyphSource(options: { unifontPath?: string; log?: Logger } = {}): ResolvedGlyphSource {
  const path = options.unifontPath ?? UNIFONT_DEFAULT_PATH;
  const known = loaded.get(path);
  if (known) return known;
  let resolved: ResolvedGlyphSource;
  const start = performance.now();
  try {
    const source = UnifontGlyphSource.fromFile(path);
    const loadMs = performance.now() - start;
    resolved = { source, kind: 'unifont', loadMs };
    options.log?.info({ event: 'escpos.glyphs_loaded', path, glyphs: source.glyphCount, malformedLines: source.malformedLines, bytes: source.memoryBytes, loadMs: Math.round(loadMs) });
  } catch (error) {
    const reason = isGlyphSourceError(error) ? error : new GlyphSourceError(GlyphSourceErrorCode.fileUnreadable, `${path}: cannot load`, { cause: error });
    resolved = { source: new BuiltinGlyphSource(), kind: 'fallback', reason };
    options.log?.warn({ event: 'escpos.glyphs_fallback', path, code: reason.code, reason: reason.message }, 'no Unifont: receipts render non-ASCII characters as boxes');
  }
  if (loaded.size >= UNIFONT_LOADED_FILES_LIMIT) loaded.delete(loaded.keys().next().value!);
  loaded.set(path, resolved);
  return resolved;
}
