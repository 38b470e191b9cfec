// Unifont glyphs in the receipt PNG (issue #4 §3). The expected bitmaps are
// read straight from /usr/share/unifont/unifont.hex by this test (not through
// the code under test) and magnified 1.5x the way unifont.ts documents:
// printer dot t shows Unifont dot floor(2t / 3).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import pino from 'pino';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReceiptBuilder, wrapText } from './builder.js';
import { BuiltinGlyphSource, layoutGlyphs, type Glyph } from './font.js';
import { parseEscPos } from './parser.js';
import { renderReceipt } from './render.js';
import {
  defaultGlyphSource,
  GlyphSourceError,
  GlyphSourceErrorCode,
  isGlyphFileUnavailable,
  UNIFONT_DEFAULT_PATH,
  UNIFONT_GLYPH_CACHE_LIMIT,
  UNIFONT_MAX_MALFORMED_LINES,
  UnifontGlyphSource,
} from './unifont.js';

const FUZZ_SEED = 0x4e42_0f40;
const MISSING_PATH = '/nonexistent/unifont/unifont.hex';

let unifontLines: Map<number, string>;
beforeAll(() => {
  // scripts/ensure-system-deps.sh installs Debian's `unifont`; without it these tests must fail, not pass vacuously.
  const text = readFileSync(UNIFONT_DEFAULT_PATH, 'latin1');
  unifontLines = new Map(text.split('\n').filter((l) => l.includes(':')).map((l) => [parseInt(l.slice(0, l.indexOf(':')), 16), l.slice(l.indexOf(':') + 1).trim()]));
});

/** Unifont's own bitmap of one code point, decoded independently of unifont.ts. */
function unifontBits(codePoint: number): { width: number; at: (x: number, y: number) => number } {
  const hex = unifontLines.get(codePoint);
  if (!hex) throw new Error(`Unifont has no U+${codePoint.toString(16)}`);
  const width = hex.length === 64 ? 16 : 8;
  const rowHex = width / 4;
  return { width, at: (x, y) => (parseInt(hex.slice(y * rowHex, (y + 1) * rowHex), 16) >> (width - 1 - x)) & 1 };
}

/** The same glyph magnified 1.5x into the printer's 24-dot cell. */
function expectedPrinterGlyph(codePoint: number): { width: number; at: (x: number, y: number) => number } {
  const bits = unifontBits(codePoint);
  return { width: (bits.width * 3) / 2, at: (x, y) => bits.at(Math.floor((2 * x) / 3), Math.floor((2 * y) / 3)) };
}

/** Black (1) / white (0) dots of a region of the rendered PNG, row-major. */
function pngRegion(png: Buffer, x0: number, y0: number, width: number, height: number): number[] {
  const image = PNG.sync.read(png);
  const dots: number[] = [];
  for (let y = y0; y < y0 + height; y++) for (let x = x0; x < x0 + width; x++) dots.push(image.data[(y * image.width + x) * 4]! < 128 ? 1 : 0);
  return dots;
}

function glyphDots(glyph: { width: number; at: (x: number, y: number) => number }, height = 24): number[] {
  const dots: number[] = [];
  for (let y = 0; y < height; y++) for (let x = 0; x < glyph.width; x++) dots.push(glyph.at(x, y));
  return dots;
}

describe('receipt PNG with Unifont glyphs', () => {
  it('draws 缴 from Unifont, magnified to the 24x24 printer cell, where the printer prints it', () => {
    const bytes = new ReceiptBuilder().text('缴费').build();
    const rendered = renderReceipt(bytes);
    expect(rendered.glyphSource).toBe('unifont');
    expect(rendered.text).toBe('缴费');
    // The first line starts at the top-left corner: 缴 takes dots 0..23 of rows 0..23.
    const drawn = pngRegion(rendered.png, 0, 0, 24, 24);
    expect(drawn).toEqual(glyphDots(expectedPrinterGlyph(0x7f34)));
    // Every one of Unifont's 16x16 dots is found at (ceil(1.5 x), ceil(1.5 y)): nothing lost in scaling.
    const bits = unifontBits(0x7f34);
    for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) expect(drawn[Math.ceil(1.5 * y) * 24 + Math.ceil(1.5 * x)]).toBe(bits.at(x, y));
    // And 费 follows in the next full-width cell.
    expect(pngRegion(rendered.png, 24, 0, 24, 24)).toEqual(glyphDots(expectedPrinterGlyph(0x8d39)));
  });

  it('centres a narrow Unifont glyph in the full-width cell the printer gives a double-byte character', () => {
    // α is GB2312 double-byte (printed full width, two columns); Unifont draws it 8 wide.
    const rendered = renderReceipt(new ReceiptBuilder().text('αA').build());
    expect(rendered.text).toBe('αA');
    const alpha = expectedPrinterGlyph(0x03b1);
    expect(pngRegion(rendered.png, 6, 0, 12, 24)).toEqual(glyphDots(alpha));
    expect(pngRegion(rendered.png, 24, 0, 12, 24)).toEqual(glyphDots(expectedPrinterGlyph(0x41)));
  });

  it('draws a Tibetan line as a raster image with its vowel sign stacked on the letter', () => {
    // བོད (bod, "Tibet"): BA, vowel sign O (combining), DA. Tibetan is four-byte GB18030: no printer font has it.
    const builder = new ReceiptBuilder();
    expect(builder.glyphSource).toBe('unifont');
    const bytes = builder.text('བོད').build();
    expect(parseEscPos(bytes).some((c) => c.op === 'raster')).toBe(true);
    const rendered = renderReceipt(bytes);
    expect(rendered.text).toBe('[image 384x24]');
    const ba = expectedPrinterGlyph(0x0f56);
    const o = expectedPrinterGlyph(0x0f7c);
    const da = expectedPrinterGlyph(0x0f51);
    expect([ba.width, o.width, da.width]).toEqual([12, 12, 12]);
    const stacked = { width: 12, at: (x: number, y: number) => ba.at(x, y) | o.at(x, y) };
    expect(pngRegion(rendered.png, 0, 0, 12, 24)).toEqual(glyphDots(stacked));
    // The mark did not move the pen: DA comes right after BA.
    expect(pngRegion(rendered.png, 12, 0, 12, 24)).toEqual(glyphDots(da));
    expect(pngRegion(rendered.png, 24, 0, 12, 24).every((d) => d === 0)).toBe(true);
  });

  it('right-aligns the value of a raster row by the width it is drawn at', () => {
    const rendered = renderReceipt(new ReceiptBuilder().row('姓名', 'བོད').build());
    expect(rendered.text).toBe('[image 384x24]');
    expect(pngRegion(rendered.png, 0, 0, 24, 24)).toEqual(glyphDots(expectedPrinterGlyph(0x59d3)));
    // DA, the last letter, ends on the last dot of the 384-dot line.
    expect(pngRegion(rendered.png, 384 - 12, 0, 12, 24)).toEqual(glyphDots(expectedPrinterGlyph(0x0f51)));
  });

  it('keeps the box for a character outside the BMP in the raster fallback', () => {
    const rendered = renderReceipt(new ReceiptBuilder().text('𠮷').build());
    const box = new BuiltinGlyphSource().glyph(0x20bb7);
    expect(pngRegion(rendered.png, 0, 0, 24, 24)).toEqual([...box.dots]);
  });

  it('wraps a Tibetan line by the width it is drawn at, never starting a line with a vowel sign', () => {
    const tibetan = 'བཀྲ་ཤིས་བདེ་ལེགས། བོད་ལྗོངས་';
    const source = UnifontGlyphSource.fromFile();
    const charColumns = (char: string) => {
      const glyph = source.glyph(char.codePointAt(0)!);
      return glyph.combining ? 0 : glyph.width / 12;
    };
    const lines = wrapText(tibetan.repeat(2), 32, charColumns);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.join('')).toBe(tibetan.repeat(2));
    for (const line of lines) {
      expect(source.isCombining(line.codePointAt(0)!)).toBe(false);
      expect([...line].reduce((sum, c) => sum + charColumns(c), 0)).toBeLessThanOrEqual(32);
    }
    // The builder uses the same widths: the phrase (21 columns as drawn, 58 as code points x2) fits on one line.
    const bytes = new ReceiptBuilder().text(tibetan).build();
    expect(parseEscPos(bytes).filter((c) => c.op === 'raster')).toHaveLength(1);
  });
});

describe('fallback when Unifont is missing', () => {
  it('renders boxes with code points and says so in the result and the log', () => {
    const lines: { event?: string; code?: number }[] = [];
    const log = pino({ level: 'info' }, new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) }));
    const bytes = new ReceiptBuilder({ unifontPath: MISSING_PATH }).text('缴费').build();
    const rendered = renderReceipt(bytes, { unifontPath: MISSING_PATH, log });
    expect(rendered.glyphSource).toBe('fallback');
    expect(rendered.text).toBe('缴费');
    expect(pngRegion(rendered.png, 0, 0, 24, 24)).toEqual([...new BuiltinGlyphSource().glyph(0x7f34).dots]);
    // Logged once per process and path (the builder above resolved it first, without a logger).
    const again = `${MISSING_PATH}.2`;
    renderReceipt(bytes, { unifontPath: again, log });
    renderReceipt(bytes, { unifontPath: again, log });
    expect(lines.filter((l) => l.event === 'escpos.glyphs_fallback')).toEqual([expect.objectContaining({ code: GlyphSourceErrorCode.fileMissing })]);
  });

  it('gives the builder the boxes too, and flags a caller-supplied source as custom', () => {
    expect(new ReceiptBuilder({ unifontPath: MISSING_PATH }).glyphSource).toBe('fallback');
    const bytes = new ReceiptBuilder().text('农保').build();
    expect(renderReceipt(bytes, { glyphs: new BuiltinGlyphSource() }).glyphSource).toBe('custom');
  });

  it('loads each font file once per process', () => {
    const first = defaultGlyphSource();
    expect(first.kind).toBe('unifont');
    expect(defaultGlyphSource()).toBe(first);
    expect(defaultGlyphSource({ unifontPath: MISSING_PATH }).reason).toMatchObject({ code: GlyphSourceErrorCode.fileMissing });
  });
});

describe('UnifontGlyphSource', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nongbao-unifont-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const A = '0041:0000000018242442427E424242420000';

  it('refuses unusable files with typed codes', () => {
    const codeOf = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return error instanceof GlyphSourceError ? error.code : error;
      }
      return 'no error';
    };
    expect(codeOf(() => UnifontGlyphSource.fromFile(MISSING_PATH))).toBe(GlyphSourceErrorCode.fileMissing);
    expect(codeOf(() => UnifontGlyphSource.fromFile(dir))).toBe(GlyphSourceErrorCode.fileUnreadable);
    expect(codeOf(() => UnifontGlyphSource.fromHex('hello\nworld\n'.repeat(UNIFONT_MAX_MALFORMED_LINES)))).toBe(GlyphSourceErrorCode.malformed);
    expect(codeOf(() => UnifontGlyphSource.fromHex(''))).toBe(GlyphSourceErrorCode.empty);
    expect(isGlyphFileUnavailable(new GlyphSourceError(GlyphSourceErrorCode.fileMissing, 'x'))).toBe(true);
    expect(isGlyphFileUnavailable(new GlyphSourceError(GlyphSourceErrorCode.malformed, 'x'))).toBe(false);
    // A malformed file on disk falls back instead of breaking the renderer.
    const bad = join(dir, 'bad.hex');
    writeFileSync(bad, 'not a font\n'.repeat(100));
    expect(renderReceipt(new ReceiptBuilder().text('A').build(), { unifontPath: bad }).glyphSource).toBe('fallback');
  });

  it('skips a few bad lines, CRLF endings and other planes, and keeps the good glyphs', () => {
    const source = UnifontGlyphSource.fromHex([A, '0042:XYZ', '7F34:12', '20BB7:' + '0'.repeat(64), '0043:' + 'F'.repeat(32) + '\r', ''].join('\n'));
    expect([source.glyphCount, source.malformedLines]).toEqual([2, 2]);
    expect(source.has(0x41) && source.has(0x43)).toBe(true);
    expect(source.has(0x42) || source.has(0x7f34) || source.has(0x20bb7)).toBe(false);
    expect([...source.glyph(0x43).dots].every((d) => d === 1)).toBe(true);
    expect(source.glyph(0x42).dots).toEqual(new BuiltinGlyphSource().glyph(0x42).dots);
  });

  it('reads the combining list beside the file, else Unicode categories', () => {
    const withList = join(dir, 'unifont.hex');
    writeFileSync(withList, `${A}\n0F7C:${'0'.repeat(32)}\n`);
    writeFileSync(join(dir, 'plane00-combining.txt'), '0041:-8\n');
    const listed = UnifontGlyphSource.fromFile(withList);
    expect([listed.isCombining(0x41), listed.isCombining(0x0f7c)]).toEqual([true, false]);
    const unlisted = UnifontGlyphSource.fromHex(`${A}\n`);
    expect([unlisted.isCombining(0x41), unlisted.isCombining(0x0f7c), unlisted.isCombining(0x0301)]).toEqual([false, true, true]);
  });

  it('bounds its cache of scaled glyphs', () => {
    const source = UnifontGlyphSource.fromFile();
    const empty = source.memoryBytes;
    expect(empty).toBeLessThan(2.5 * 1024 * 1024);
    for (let cp = 0x4e00; cp < 0x4e00 + UNIFONT_GLYPH_CACHE_LIMIT + 500; cp++) source.glyph(cp);
    expect(source.memoryBytes - empty).toBeLessThanOrEqual(UNIFONT_GLYPH_CACHE_LIMIT * 24 * 24);
    expect(source.memoryBytes - empty).toBeGreaterThan((UNIFONT_GLYPH_CACHE_LIMIT - 1) * 24 * 24);
  });

  it('never throws on random font text, and every glyph is 24 dots tall', () => {
    const line = fc.tuple(fc.integer({ min: 0, max: 0x10ffff }), fc.constantFrom(31, 32, 33, 64, 65), fc.boolean()).map(([cp, n, bad]) => {
      const data = 'a1'.repeat(n).slice(0, n);
      return `${cp.toString(16).toUpperCase().padStart(4, '0')}:${bad ? data.replace('a', 'g') : data}`;
    });
    const text = fc.oneof(fc.array(line, { maxLength: 20 }).map((ls) => ls.join('\n')), fc.string({ maxLength: 200 }));
    fc.assert(
      fc.property(text, fc.array(fc.oneof(fc.integer({ min: -5, max: 0x11_0005 }), fc.constant(Number.NaN)), { maxLength: 10 }), (hex, codePoints) => {
        let source: UnifontGlyphSource;
        try {
          source = UnifontGlyphSource.fromHex(hex);
        } catch (error) {
          expect(error).toBeInstanceOf(GlyphSourceError);
          return;
        }
        for (const cp of codePoints) expect(source.glyph(cp).height).toBe(24);
      }),
      { seed: FUZZ_SEED, numRuns: 300 },
    );
  });
});

describe('layoutGlyphs', () => {
  const glyph = (width: number, combining = false): Glyph => ({ width, height: 24, dots: new Uint8Array(width * 24), combining });
  it('puts a combining mark over the end of the character before it without moving the pen', () => {
    expect(layoutGlyphs([glyph(12), glyph(12, true), glyph(24)])).toEqual({ positions: [0, 0, 12], width: 36 });
    expect(layoutGlyphs([glyph(12), glyph(24, true)], 2)).toEqual({ positions: [0, 0], width: 24 });
  });
  it('spaces a mark that has no character before it', () => {
    expect(layoutGlyphs([glyph(12, true), glyph(12)])).toEqual({ positions: [0, 12], width: 24 });
  });
});
