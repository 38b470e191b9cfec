// Receipt renderer: our ESC/POS bytes back to text and a PNG, as a 58 mm
// printer would put them on paper (issue #4 §3). The printer simulator, the
// tests and the demo (which shows the printed receipt on screen) all use it.
import iconv from 'iconv-lite';
import type { Logger } from 'pino';
import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import { rasterToBitmap } from './codec.js';
import { DEFAULT_LINE_SPACING_DOTS, DEFAULT_WIDTH_DOTS, FONT_A_WIDTH_DOTS, FONT_HEIGHT_DOTS, QR_ERROR_LEVELS, QrFn } from './constants.js';
import { blankBitmap, blit, FULL_WIDTH_DOTS, type GlyphSource } from './font.js';
import { parseEscPos } from './parser.js';
import { defaultGlyphSource, type GlyphSourceKind } from './unifont.js';
import type { Align, Bitmap, EscPosCommand } from './types.js';

/** A receipt taller than this (about 2.5 m of paper) is cut off in the picture. */
export const RENDER_MAX_HEIGHT_DOTS = 20_000;

export interface RenderOptions {
  widthDots?: number;
  /** Glyphs to draw with; default Unifont (see `unifontPath`), else built-in boxes. */
  glyphs?: GlyphSource;
  /** Unifont hex file for the default source (default UNIFONT_DEFAULT_PATH). */
  unifontPath?: string;
  /** Told once per process and path how the default glyph source loaded. */
  log?: Logger;
}

export interface RenderedReceipt {
  /** One line per printed line; images as `[image WxH]`, QR codes as `[QR: payload]`. */
  text: string;
  png: Buffer;
  widthDots: number;
  heightDots: number;
  cuts: number;
  /** Commands the renderer could not place (unknown or malformed). */
  discarded: number;
  /** 'fallback': Unifont was missing, non-ASCII text shows as boxes with code points. */
  glyphSource: GlyphSourceKind;
}

interface Run {
  bytes: Buffer;
  kanji: boolean;
  bold: boolean;
  width: number;
  height: number;
}

const REPLACEMENT = 0xfffd;

/** Code points as the printer would print these bytes (Kanji mode: GB18030 double-byte). */
export function decodePrinterText(bytes: Uint8Array, kanji: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < 0x80) {
      out.push(b === 0x09 ? 0x20 : b);
      continue;
    }
    if (!kanji) {
      out.push(REPLACEMENT);
      continue;
    }
    const next = bytes[i + 1];
    if (b >= 0x81 && b <= 0xfe && next !== undefined && next >= 0x40 && next <= 0xfe && next !== 0x7f) {
      const char = iconv.decode(Buffer.from([b, next]), 'gb18030');
      out.push(char.codePointAt(0) ?? REPLACEMENT);
      i += 1;
      continue;
    }
    if (b >= 0x81 && b <= 0xfe && next !== undefined && next >= 0x30 && next <= 0x39) {
      // A four-byte GB18030 sequence: no printer font has it; it prints as garbage.
      out.push(REPLACEMENT);
      i += Math.min(3, bytes.length - 1 - i);
      continue;
    }
    out.push(REPLACEMENT);
  }
  return out;
}

export function renderReceipt(bytes: Uint8Array, options: RenderOptions = {}): RenderedReceipt {
  return renderCommands(parseEscPos(bytes), options);
}

export function renderCommands(commands: readonly EscPosCommand[], options: RenderOptions = {}): RenderedReceipt {
  const widthDots = options.widthDots ?? DEFAULT_WIDTH_DOTS;
  let glyphs: GlyphSource;
  let glyphSource: GlyphSourceKind;
  if (options.glyphs) {
    glyphs = options.glyphs;
    glyphSource = 'custom';
  } else {
    const resolved = defaultGlyphSource({
      ...(options.unifontPath === undefined ? {} : { unifontPath: options.unifontPath }),
      ...(options.log === undefined ? {} : { log: options.log }),
    });
    glyphs = resolved.source;
    glyphSource = resolved.kind;
  }
  const columns = Math.floor(widthDots / FONT_A_WIDTH_DOTS);
  const blocks: { bitmap?: Bitmap; x?: number; height: number }[] = [];
  const textLines: string[] = [];
  let align: Align = 'left';
  let bold = false;
  let width = 1;
  let height = 1;
  let kanji = false;
  let lineSpacing = DEFAULT_LINE_SPACING_DOTS;
  let runs: Run[] = [];
  let cuts = 0;
  let discarded = 0;
  const qr = { payload: Buffer.alloc(0), moduleSize: 3, level: 'M' as 'L' | 'M' | 'Q' | 'H' };

  const xFor = (contentWidth: number): number =>
    Math.max(0, align === 'left' ? 0 : align === 'center' ? Math.floor((widthDots - contentWidth) / 2) : widthDots - contentWidth);
  const padText = (text: string, textColumns: number): string => {
    const free = Math.max(0, columns - textColumns);
    return (align === 'left' ? '' : ' '.repeat(align === 'center' ? Math.floor(free / 2) : free)) + text;
  };

  const flushLine = (force: boolean): void => {
    if (runs.length === 0 && !force) return;
    const chars: { codePoint: number; bold: boolean; width: number; height: number }[] = [];
    for (const run of runs) {
      for (const codePoint of decodePrinterText(run.bytes, run.kanji)) chars.push({ codePoint, bold: run.bold, width: run.width, height: run.height });
    }
    const lineHeight = Math.max(FONT_HEIGHT_DOTS * height, ...chars.map((c) => FONT_HEIGHT_DOTS * c.height));
    // The printer prints every double-byte character in a full-width cell and
    // cannot combine marks, so a narrower glyph (Greek, a dot) sits centred in
    // 24 dots and takes the two columns the text line counts for it.
    const cells = chars.map((c) => {
      const glyph = glyphs.glyph(c.codePoint);
      const cellDots = c.codePoint < 0x80 ? glyph.width : Math.max(glyph.width, FULL_WIDTH_DOTS);
      return { ...c, glyph, cellDots };
    });
    const contentWidth = cells.reduce((sum, c) => sum + c.cellDots * c.width, 0);
    const bitmap = blankBitmap(widthDots, lineHeight);
    let x = xFor(contentWidth);
    for (const cell of cells) {
      const inset = Math.floor((cell.cellDots - cell.glyph.width) / 2) * cell.width;
      blit(bitmap, cell.glyph, x + inset, lineHeight - cell.glyph.height * cell.height, cell.width, cell.height, cell.bold);
      x += cell.cellDots * cell.width;
    }
    blocks.push({ bitmap, x: 0, height: Math.max(lineSpacing, lineHeight) });
    const text = String.fromCodePoint(...chars.map((c) => c.codePoint)).trimEnd();
    const textColumns = cells.reduce((sum, c) => sum + (c.codePoint < 0x80 ? 1 : 2) * c.width, 0);
    textLines.push(text.length === 0 ? '' : padText(text, textColumns));
    runs = [];
  };

  const placeImage = (bitmap: Bitmap, label: string): void => {
    flushLine(false);
    blocks.push({ bitmap, x: xFor(bitmap.width), height: bitmap.height });
    textLines.push(padText(label, Math.min(columns, label.length)));
  };

  for (const command of commands) {
    switch (command.op) {
      case 'text': {
        const last = runs.at(-1);
        if (last && last.kanji === kanji && last.bold === bold && last.width === width && last.height === height) {
          last.bytes = Buffer.concat([last.bytes, command.bytes]);
        } else runs.push({ bytes: command.bytes, kanji, bold, width, height });
        break;
      }
      case 'lf':
        flushLine(true);
        break;
      case 'init':
        align = 'left';
        bold = false;
        width = 1;
        height = 1;
        kanji = false;
        lineSpacing = DEFAULT_LINE_SPACING_DOTS;
        break;
      case 'align':
        align = command.align;
        break;
      case 'bold':
        bold = command.on;
        break;
      case 'size':
        width = command.width;
        height = command.height;
        break;
      case 'printMode':
        bold = (command.mode & 0x08) !== 0;
        height = command.mode & 0x10 ? 2 : 1;
        width = command.mode & 0x20 ? 2 : 1;
        break;
      case 'feedLines':
        flushLine(false);
        for (let i = 0; i < command.lines; i++) {
          blocks.push({ height: lineSpacing });
          textLines.push('');
        }
        break;
      case 'feedDots':
        flushLine(false);
        blocks.push({ height: command.dots });
        break;
      case 'lineSpacing':
        lineSpacing = command.dots ?? DEFAULT_LINE_SPACING_DOTS;
        break;
      case 'cut':
        flushLine(false);
        cuts += 1;
        break;
      case 'raster': {
        const bitmap = rasterToBitmap(command.widthBytes, command.heightDots, command.data, command.mode);
        placeImage(bitmap, `[image ${bitmap.width}x${bitmap.height}]`);
        break;
      }
      case 'qr':
        if (command.fn === QrFn.store && command.params[0] === 48) qr.payload = Buffer.from(command.params.subarray(1));
        else if (command.fn === QrFn.moduleSize && command.params.length === 1) qr.moduleSize = Math.min(16, Math.max(1, command.params[0]!));
        else if (command.fn === QrFn.errorCorrection && command.params.length === 1) {
          const level = (Object.keys(QR_ERROR_LEVELS) as (keyof typeof QR_ERROR_LEVELS)[]).find((k) => QR_ERROR_LEVELS[k] === command.params[0]);
          if (level) qr.level = level;
        } else if (command.fn === QrFn.print && qr.payload.length > 0) {
          const payload = qr.payload.toString('utf8');
          try {
            const matrix = QRCode.create(payload, { errorCorrectionLevel: qr.level }).modules;
            const bitmap = blankBitmap(matrix.size * qr.moduleSize, matrix.size * qr.moduleSize);
            for (let r = 0; r < matrix.size; r++) {
              for (let c = 0; c < matrix.size; c++) {
                if (!matrix.get(r, c)) continue;
                for (let dy = 0; dy < qr.moduleSize; dy++) bitmap.dots.fill(1, (r * qr.moduleSize + dy) * bitmap.width + c * qr.moduleSize, (r * qr.moduleSize + dy) * bitmap.width + (c + 1) * qr.moduleSize);
              }
            }
            placeImage(bitmap, `[QR: ${payload}]`);
          } catch {
            // A payload the printer could not encode prints nothing (the printer ignores the command).
            discarded += 1;
          }
        }
        break;
      case 'kanji':
        kanji = command.on;
        break;
      case 'status':
      case 'ignored':
        break;
      case 'discard':
        discarded += 1;
        break;
    }
  }
  flushLine(false);

  const heightDots = Math.min(RENDER_MAX_HEIGHT_DOTS, Math.max(1, blocks.reduce((sum, b) => sum + b.height, 0)));
  const png = new PNG({ width: widthDots, height: heightDots });
  png.data.fill(255);
  let y = 0;
  for (const block of blocks) {
    if (y >= heightDots) break;
    const bitmap = block.bitmap;
    if (bitmap) {
      for (let by = 0; by < bitmap.height && y + by < heightDots; by++) {
        for (let bx = 0; bx < bitmap.width; bx++) {
          const x = (block.x ?? 0) + bx;
          if (x >= widthDots || !bitmap.dots[by * bitmap.width + bx]) continue;
          const at = ((y + by) * widthDots + x) * 4;
          png.data[at] = 0;
          png.data[at + 1] = 0;
          png.data[at + 2] = 0;
        }
      }
    }
    y += block.height;
  }
  // Trailing blank lines (the feed before the cut) are paper, not text.
  while (textLines.length > 0 && textLines.at(-1) === '') textLines.pop();
  return { text: textLines.join('\n'), png: PNG.sync.write(png), widthDots, heightDots, cuts, discarded, glyphSource };
}
