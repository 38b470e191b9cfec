// Receipt builder: structured lines -> ESC/POS bytes for a Chinese-mode
// (GB18030) receipt printer (issue #4 §3). Text the printer's font can print
// goes as GB18030 text in Kanji mode (FS &); a line holding any character the
// font lacks (GB18030 four-byte characters, e.g. rare name characters in CJK
// extension A/B) is drawn by us and sent as a raster image (GS v 0).
import type { Logger } from 'pino';
import {
  align as alignCommand,
  bold as boldCommand,
  characterSize,
  cut,
  encodeGb18030,
  feedLines,
  initialize,
  isPrintableInFont,
  kanjiOn,
  lineFeed,
  qrCode,
  rasterImage,
  EscPosCodecError,
} from './codec.js';
import { DEFAULT_WIDTH_DOTS, FONT_A_WIDTH_DOTS, FONT_HEIGHT_DOTS, RECEIPT_MAX_LINES } from './constants.js';
import { blankBitmap, blit, layoutGlyphs, type GlyphSource } from './font.js';
import type { Align, Bitmap, ReceiptLine, TextStyle } from './types.js';
import { defaultGlyphSource, type GlyphSourceKind } from './unifont.js';

export interface ReceiptBuilderOptions {
  widthDots?: number;
  /** Glyphs for raster lines; default Unifont (see `unifontPath`), else built-in boxes. */
  glyphs?: GlyphSource;
  /** Unifont hex file for the default source (default UNIFONT_DEFAULT_PATH). */
  unifontPath?: string;
  /** Told once per process and path how the default glyph source loaded. */
  log?: Logger;
}

/** Printer columns a character takes: ASCII one, everything else two (full width). */
export function columnsOf(text: string): number {
  let columns = 0;
  for (const char of text) columns += char.codePointAt(0)! < 0x80 ? 1 : 2;
  return columns;
}

/**
 * Splits text into lines of at most `columns`, never splitting a character.
 * `charColumns` says how many columns one character takes (default: as
 * `columnsOf`); a zero-width character (a combining mark) stays with the one
 * before it.
 */
export function wrapText(text: string, columns: number, charColumns: (char: string) => number = columnsOf): string[] {
  const lines: string[] = [];
  let line = '';
  let used = 0;
  for (const char of text.replace(/[\r\n\t]+/g, ' ')) {
    const w = charColumns(char);
    if (used + w > columns && line.length > 0) {
      lines.push(line);
      line = '';
      used = 0;
    }
    line += char;
    used += w;
  }
  lines.push(line);
  return lines;
}

/** Control characters would be taken as ESC/POS commands; they never reach the printer. */
function sanitize(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, ' ');
}

export class ReceiptBuilder {
  readonly #widthDots: number;
  readonly #glyphs: GlyphSource;
  readonly #glyphSource: GlyphSourceKind;
  readonly #parts: Buffer[] = [];
  #lines = 0;

  constructor(options: ReceiptBuilderOptions = {}) {
    this.#widthDots = options.widthDots ?? DEFAULT_WIDTH_DOTS;
    if (!Number.isInteger(this.#widthDots) || this.#widthDots < 96 || this.#widthDots > 576) {
      throw new EscPosCodecError(`widthDots ${this.#widthDots} is not 96..576`);
    }
    if (options.glyphs) {
      this.#glyphs = options.glyphs;
      this.#glyphSource = 'custom';
    } else {
      const resolved = defaultGlyphSource({
        ...(options.unifontPath === undefined ? {} : { unifontPath: options.unifontPath }),
        ...(options.log === undefined ? {} : { log: options.log }),
      });
      this.#glyphs = resolved.source;
      this.#glyphSource = resolved.kind;
    }
    // ESC @ resets; FS & selects the double-byte (GB18030) mode of Chinese printers.
    this.#parts.push(initialize(), kanjiOn());
  }

  /** Which glyphs raster lines are drawn with ('fallback': boxes, Unifont missing). */
  get glyphSource(): GlyphSourceKind {
    return this.#glyphSource;
  }

  get columns(): number {
    return Math.floor(this.#widthDots / FONT_A_WIDTH_DOTS);
  }

  #count(): void {
    this.#lines += 1;
    if (this.#lines > RECEIPT_MAX_LINES) throw new EscPosCodecError(`a receipt holds at most ${RECEIPT_MAX_LINES} lines`);
  }

  title(text: string): this {
    return this.text(text, { align: 'center', bold: true, width: 2, height: 2 });
  }

  text(text: string, style: TextStyle = {}): this {
    const width = style.width ?? 1;
    const height = style.height ?? 1;
    const columns = Math.max(1, Math.floor(this.columns / width));
    for (const line of wrapText(sanitize(text), columns, this.#wrapColumns)) this.#printLine(line, { ...style, width, height });
    return this;
  }

  /**
   * Columns for wrapping: a character the printer font has counts as the
   * printer prints it, any other as wide as we draw it (Tibetan 12 dots, a
   * combining mark 0), so the line fits whether it goes as text or raster.
   */
  readonly #wrapColumns = (char: string): number => (isPrintableInFont(char) ? columnsOf(char) : this.#rasterDots(char) / FONT_A_WIDTH_DOTS);

  #rasterDots(text: string): number {
    return layoutGlyphs([...text].map((char) => this.#glyphs.glyph(char.codePointAt(0)!))).width;
  }

  /** Columns a whole line takes as it will be printed: text, or a raster line drawn by us. */
  #lineColumns(line: string, raster: boolean): number {
    return raster ? this.#rasterDots(line) / FONT_A_WIDTH_DOTS : columnsOf(line);
  }

  /** "key      value": value right-aligned; both on separate lines if they do not fit. */
  row(key: string, value: string, options: { bold?: boolean } = {}): this {
    const k = sanitize(key);
    const v = sanitize(value);
    const raster = ![...k, ...v].every(isPrintableInFont);
    const gap = Math.floor(this.columns - this.#lineColumns(k, raster) - this.#lineColumns(v, raster));
    if (gap >= 1) return this.#printLine(`${k}${' '.repeat(gap)}${v}`, { bold: options.bold ?? false });
    this.text(k, { bold: options.bold ?? false });
    return this.text(v, { align: 'right', bold: options.bold ?? false });
  }

  separator(char = '-'): this {
    const c = sanitize(char).slice(0, 1) || '-';
    return this.#printLine(c.repeat(Math.floor(this.columns / columnsOf(c))), {});
  }

  qr(payload: string, options: { moduleSize?: number; errorLevel?: 'L' | 'M' | 'Q' | 'H' } = {}): this {
    this.#count();
    this.#parts.push(alignCommand('center'), qrCode(payload, options.moduleSize ?? 6, options.errorLevel ?? 'M'), lineFeed(), alignCommand('left'));
    return this;
  }

  feed(lines: number): this {
    this.#count();
    this.#parts.push(feedLines(lines));
    return this;
  }

  line(line: ReceiptLine): this {
    switch (line.kind) {
      case 'title':
        return this.title(line.text);
      case 'text':
        return this.text(line.text, line.style);
      case 'row':
        return this.row(line.key, line.value, line.bold === undefined ? {} : { bold: line.bold });
      case 'separator':
        return this.separator(line.char);
      case 'qr':
        return this.qr(line.payload, {
          ...(line.moduleSize === undefined ? {} : { moduleSize: line.moduleSize }),
          ...(line.errorLevel === undefined ? {} : { errorLevel: line.errorLevel }),
        });
      case 'feed':
        return this.feed(line.lines);
    }
  }

  /** The finished bytes: feed past the tear bar and cut. */
  build(options: { cut?: boolean } = {}): Buffer {
    const tail = options.cut === false ? [feedLines(3)] : [feedLines(3), cut(true)];
    return Buffer.concat([...this.#parts, ...tail]);
  }

  #printLine(line: string, style: TextStyle): this {
    this.#count();
    const align: Align = style.align ?? 'left';
    const width = style.width ?? 1;
    const height = style.height ?? 1;
    if ([...line].every(isPrintableInFont)) {
      this.#parts.push(alignCommand(align), boldCommand(style.bold ?? false), characterSize(width, height), encodeGb18030(line), lineFeed());
      // Back to normal so the next command starts from a known state.
      if (width !== 1 || height !== 1) this.#parts.push(characterSize(1, 1));
      return this;
    }
    this.#parts.push(alignCommand('left'), rasterImage(this.#rasterLine(line, align, width, height, style.bold ?? false)));
    return this;
  }

  /** Draws one line with our glyphs, positioned as the printer would align text. */
  #rasterLine(line: string, align: Align, width: number, height: number, bold: boolean): Bitmap {
    const glyphs = [...line].map((char) => this.#glyphs.glyph(char.codePointAt(0)!));
    // Drawn by us, so combining marks (Tibetan vowels, subjoined letters) stack.
    const { positions, width: lineWidth } = layoutGlyphs(glyphs, width);
    const bitmap = blankBitmap(this.#widthDots, FONT_HEIGHT_DOTS * height);
    const x = Math.max(0, align === 'left' ? 0 : align === 'center' ? Math.floor((this.#widthDots - lineWidth) / 2) : this.#widthDots - lineWidth);
    glyphs.forEach((glyph, i) => blit(bitmap, glyph, x + positions[i]!, 0, width, height, bold));
    return bitmap;
  }
}

/** Builds a whole receipt from structured lines. */
export function buildReceipt(lines: readonly ReceiptLine[], options: ReceiptBuilderOptions & { cut?: boolean } = {}): Buffer {
  const builder = new ReceiptBuilder(options);
  for (const line of lines) builder.line(line);
  return builder.build(options.cut === undefined ? {} : { cut: options.cut });
}
