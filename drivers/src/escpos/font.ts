// Glyphs for the raster fallback and the receipt renderer (issue #4 §3). The
// default source is GNU Unifont (unifont.ts) when the system has it; this
// file holds the contract and the built-in fallback, which draws ASCII from a
// 5x7 bitmap font scaled into Font A's 12x24 cell and every other character
// as a 24x24 box holding its code point in hex (the way Unifont shows a glyph
// it lacks), so a machine without the font still renders a readable layout.
import type { Bitmap } from './types.js';

/** Width of a full-width (Chinese) character cell on a Chinese-mode printer. */
export const FULL_WIDTH_DOTS = 24;

/** A glyph as a source returns it: a bitmap 24 dots tall (one printer line). */
export interface Glyph extends Bitmap {
  /**
   * A combining mark (Tibetan vowel signs and subjoined letters, accents):
   * when we draw a line ourselves it goes over the end of the character before
   * it and does not move the pen. A printer's resident font cannot combine, so
   * the text path of the renderer ignores this and gives the mark its own cell.
   */
  combining?: boolean;
}

/**
 * Contract: `glyph` never throws; it returns a bitmap exactly 24 dots tall,
 * 12 dots wide for half-width characters, 24 for full-width ones (narrower or
 * wider is allowed for scripts drawn by us, e.g. Tibetan at 12), and a box for
 * a character it has no glyph for. Sources may cache; callers must not mutate.
 */
export interface GlyphSource {
  glyph(codePoint: number): Glyph;
}

// 5x7 font, ASCII 0x20..0x7E, one byte per column, bit 0 = top row.
const FONT_5X7 = Buffer.from(
  '0000000000' + '00005f0000' + '0007000700' + '147f147f14' + '242a7f2a12' + '2313086462' + '3649552250' + '0005030000' +
    '001c224100' + '0041221c00' + '082a1c2a08' + '08083e0808' + '0050300000' + '0808080808' + '0060600000' + '2010080402' +
    '3e5149453e' + '00427f4000' + '4261514946' + '2141454b31' + '1814127f10' + '2745454539' + '3c4a494930' + '0171090503' +
    '3649494936' + '064949291e' + '0036360000' + '0056360000' + '0008142241' + '1414141414' + '4122140800' + '0201510906' +
    '324979413e' + '7e1111117e' + '7f49494936' + '3e41414122' + '7f4141221c' + '7f49494941' + '7f09090101' + '3e41415132' +
    '7f0808087f' + '00417f4100' + '2040413f01' + '7f08142241' + '7f40404040' + '7f0204027f' + '7f0408107f' + '3e4141413e' +
    '7f09090906' + '3e4151215e' + '7f09192946' + '4649494931' + '01017f0101' + '3f4040403f' + '1f2040201f' + '7f2018207f' +
    '6314081463' + '0304780403' + '6151494543' + '00007f4141' + '0204081020' + '41417f0000' + '0402010204' + '4040404040' +
    '0001020400' + '2054545478' + '7f48444438' + '3844444420' + '384444487f' + '3854545418' + '087e090102' + '081454543c' +
    '7f08040478' + '00447d4000' + '2040443d00' + '007f102844' + '00417f4000' + '7c04180478' + '7c08040478' + '3844444438' +
    '7c14141408' + '081414187c' + '7c08040408' + '4854545420' + '043f444020' + '3c4040207c' + '1c2040201c' + '3c4030403c' +
    '4428102844' + '0c5050503c' + '4464544c44' + '0008364100' + '00007f0000' + '0041360800' + '0804080408',
  'hex',
);

// 3x5 hex digits for the missing-glyph box, rows top to bottom, 3 bits each (MSB left).
const HEX_3X5: readonly (readonly number[])[] = [
  [7, 5, 5, 5, 7], [2, 6, 2, 2, 7], [7, 1, 7, 4, 7], [7, 1, 7, 1, 7], [5, 5, 7, 1, 1], [7, 4, 7, 1, 7], [7, 4, 7, 5, 7], [7, 1, 1, 1, 1],
  [7, 5, 7, 5, 7], [7, 5, 7, 1, 7], [7, 5, 7, 5, 5], [6, 5, 6, 5, 6], [7, 4, 4, 4, 7], [6, 5, 5, 5, 6], [7, 4, 7, 4, 7], [7, 4, 7, 4, 4],
];

export function blankBitmap(width: number, height: number): Bitmap {
  return { width, height, dots: new Uint8Array(width * height) };
}

function setDot(bitmap: Bitmap, x: number, y: number): void {
  if (x >= 0 && y >= 0 && x < bitmap.width && y < bitmap.height) bitmap.dots[y * bitmap.width + x] = 1;
}

/** East Asian wide characters take two columns (24 dots) on the printer. */
export function isFullWidth(codePoint: number): boolean {
  return (
    (codePoint >= 0x1100 && codePoint <= 0x115f) ||
    (codePoint >= 0x2e80 && codePoint <= 0xa4cf) ||
    (codePoint >= 0xac00 && codePoint <= 0xd7a3) ||
    (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
    (codePoint >= 0xfe30 && codePoint <= 0xfe4f) ||
    (codePoint >= 0xff00 && codePoint <= 0xff60) ||
    (codePoint >= 0xffe0 && codePoint <= 0xffe6) ||
    (codePoint >= 0x20000 && codePoint <= 0x3fffd)
  );
}

export class BuiltinGlyphSource implements GlyphSource {
  glyph(codePoint: number): Glyph {
    if (codePoint >= 0x20 && codePoint <= 0x7e) return this.#ascii(codePoint);
    // Not a Unicode scalar value (a caller's bug): the replacement character's box, never a throw.
    if (!Number.isInteger(codePoint) || codePoint < 0 || codePoint > 0x10ffff) return this.#hexBox(0xfffd, 24);
    // Chinese-mode printers print every non-ASCII character full width (24 dots).
    return this.#hexBox(codePoint, 24);
  }

  #ascii(codePoint: number): Bitmap {
    const bitmap = blankBitmap(12, 24);
    const offset = (codePoint - 0x20) * 5;
    // 5x7 scaled by 2 -> 10x14, placed on a baseline 4 dots above the cell bottom.
    for (let col = 0; col < 5; col++) {
      const bits = FONT_5X7[offset + col]!;
      for (let row = 0; row < 7; row++) {
        if (!(bits & (1 << row))) continue;
        for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) setDot(bitmap, 1 + col * 2 + dx, 6 + row * 2 + dy);
      }
    }
    return bitmap;
  }

  #hexBox(codePoint: number, width: number): Bitmap {
    const bitmap = blankBitmap(width, 24);
    for (let x = 0; x < width; x++) {
      setDot(bitmap, x, 0);
      setDot(bitmap, x, 23);
    }
    for (let y = 0; y < 24; y++) {
      setDot(bitmap, 0, y);
      setDot(bitmap, width - 1, y);
    }
    const hex = codePoint.toString(16).toUpperCase().padStart(4, '0');
    const perRow = width === 24 ? Math.ceil(hex.length / 2) : 2;
    const rows = [hex.slice(0, perRow), hex.slice(perRow, perRow * 2)];
    const scale = width === 24 && perRow <= 3 ? 2 : 1;
    rows.forEach((digits, r) => {
      [...digits].forEach((digit, i) => {
        const pattern = HEX_3X5[parseInt(digit, 16)]!;
        const x0 = 2 + i * (3 * scale + 1);
        const y0 = 2 + r * (5 * scale + 2);
        pattern.forEach((bits, row) => {
          for (let col = 0; col < 3; col++) {
            if (!(bits & (4 >> col))) continue;
            for (let dy = 0; dy < scale; dy++) for (let dx = 0; dx < scale; dx++) setDot(bitmap, x0 + col * scale + dx, y0 + row * scale + dy);
          }
        });
      });
    });
    return bitmap;
  }
}

/**
 * Pen positions for a line of glyphs we draw ourselves (the raster fallback),
 * each glyph magnified `scaleX`: a combining mark is drawn right-aligned to
 * the pen (over the end of the character before it, the way Unifont places
 * its marks at minus their own width) and does not advance it; a mark with no
 * character before it is drawn as a spacing glyph.
 */
export function layoutGlyphs(glyphs: readonly Glyph[], scaleX = 1): { positions: number[]; width: number } {
  const positions: number[] = [];
  let pen = 0;
  for (const glyph of glyphs) {
    const width = glyph.width * scaleX;
    if (glyph.combining && pen > 0) positions.push(Math.max(0, pen - width));
    else {
      positions.push(pen);
      pen += width;
    }
  }
  return { positions, width: pen };
}

/** Draws `src` onto `dst` at (x, y), magnified; dots outside are clipped. */
export function blit(dst: Bitmap, src: Bitmap, x: number, y: number, scaleX = 1, scaleY = 1, bold = false): void {
  for (let sy = 0; sy < src.height; sy++) {
    for (let sx = 0; sx < src.width; sx++) {
      if (!src.dots[sy * src.width + sx]) continue;
      for (let dy = 0; dy < scaleY; dy++) {
        for (let dx = 0; dx < scaleX; dx++) {
          setDot(dst, x + sx * scaleX + dx, y + sy * scaleY + dy);
          // Emphasised printing double-strikes one dot to the right.
          if (bold) setDot(dst, x + sx * scaleX + dx + 1, y + sy * scaleY + dy);
        }
      }
    }
  }
}
