// Incremental ESC/POS tokenizer: cuts a byte stream into commands, keeps an
// incomplete command for the next chunk, and never throws (STYLE.md §3):
// bytes it cannot place come out as `discard`. Used by the printer simulator
// (which must spot DLE EOT in a stream) and by the receipt renderer.
import { CR, DLE, EOT, ESC, ESCPOS_MAX_COMMAND_BYTES, FS, GS, HT, LF, RASTER_MAX_HEIGHT_DOTS, RASTER_MAX_WIDTH_BYTES } from './constants.js';
import type { Align, EscPosCommand } from './types.js';

/** Pending bytes beyond one maximal command mean a runaway length field. */
export const ESCPOS_PARSER_BUFFER_LIMIT_BYTES = ESCPOS_MAX_COMMAND_BYTES + 4_096;

/** Bytes consumed and the command, or 'more' when the command is incomplete. */
type Step = { used: number; command: EscPosCommand } | 'more';

const ALIGN: Record<number, Align> = { 0: 'left', 48: 'left', 1: 'center', 49: 'center', 2: 'right', 50: 'right' };

function ignored(buf: Buffer, used: number): Step {
  return buf.length < used ? 'more' : { used, command: { op: 'ignored', raw: Buffer.from(buf.subarray(0, used)) } };
}
function discard(buf: Buffer, used: number, reason: Extract<EscPosCommand, { op: 'discard' }>['reason']): Step {
  return { used, command: { op: 'discard', raw: Buffer.from(buf.subarray(0, used)), reason } };
}

function stepEsc(b: Buffer): Step {
  if (b.length < 2) return 'more';
  const arg = b[2];
  switch (b[1]) {
    case 0x40:
      return { used: 2, command: { op: 'init' } };
    case 0x32:
      return { used: 2, command: { op: 'lineSpacing', dots: null } };
    case 0x33:
      return arg === undefined ? 'more' : { used: 3, command: { op: 'lineSpacing', dots: arg } };
    case 0x61: {
      if (arg === undefined) return 'more';
      const value = ALIGN[arg];
      return value ? { used: 3, command: { op: 'align', align: value } } : discard(b, 3, 'badParameter');
    }
    case 0x45:
      return arg === undefined ? 'more' : { used: 3, command: { op: 'bold', on: (arg & 1) === 1 } };
    case 0x21:
      return arg === undefined ? 'more' : { used: 3, command: { op: 'printMode', mode: arg } };
    case 0x64:
      return arg === undefined ? 'more' : { used: 3, command: { op: 'feedLines', lines: arg } };
    case 0x4a:
      return arg === undefined ? 'more' : { used: 3, command: { op: 'feedDots', dots: arg } };
    case 0x2d: // underline
    case 0x4d: // font
    case 0x74: // code page
    case 0x20: // right-side spacing
    case 0x7b: // upside down
    case 0x47: // double strike
      return ignored(b, 3);
    case 0x70: // drawer kick: ESC p m t1 t2
      return ignored(b, 5);
    default:
      return discard(b, 2, 'unknownCommand');
  }
}

function stepGs(b: Buffer): Step {
  if (b.length < 2) return 'more';
  switch (b[1]) {
    case 0x21: {
      if (b.length < 3) return 'more';
      const n = b[2]!;
      const width = (n >> 4) + 1;
      const height = (n & 0x0f) + 1;
      return width > 8 || height > 8 ? discard(b, 3, 'badParameter') : { used: 3, command: { op: 'size', width, height } };
    }
    case 0x56: {
      if (b.length < 3) return 'more';
      const m = b[2]!;
      if (m === 0 || m === 48) return { used: 3, command: { op: 'cut', partial: false } };
      if (m === 1 || m === 49) return { used: 3, command: { op: 'cut', partial: true } };
      if (m === 65 || m === 66) return b.length < 4 ? 'more' : { used: 4, command: { op: 'cut', partial: m === 66 } };
      return discard(b, 3, 'badParameter');
    }
    case 0x76: {
      if (b.length < 8) return 'more';
      if (b[2] !== 0x30) return discard(b, 3, 'badParameter');
      const mode = b[3]!;
      const widthBytes = b[4]! | (b[5]! << 8);
      const heightDots = b[6]! | (b[7]! << 8);
      if (![0, 1, 2, 3, 48, 49, 50, 51].includes(mode) || widthBytes === 0 || heightDots === 0 || widthBytes > RASTER_MAX_WIDTH_BYTES || heightDots > RASTER_MAX_HEIGHT_DOTS) {
        return discard(b, 8, 'badParameter');
      }
      const total = 8 + widthBytes * heightDots;
      if (b.length < total) return 'more';
      return { used: total, command: { op: 'raster', mode, widthBytes, heightDots, data: Buffer.from(b.subarray(8, total)) } };
    }
    case 0x28: {
      // GS ( fn pL pH ...: every GS ( function carries its own length.
      if (b.length < 5) return 'more';
      const length = b[3]! | (b[4]! << 8);
      const total = 5 + length;
      if (b.length < total) return 'more';
      if (b[2] === 0x6b && length >= 2 && b[5] === 49) {
        return { used: total, command: { op: 'qr', fn: b[6]!, params: Buffer.from(b.subarray(7, total)) } };
      }
      return ignored(b, total);
    }
    case 0x42: // reverse
    case 0x48: // HRI position
    case 0x68: // barcode height
    case 0x77: // barcode width
    case 0x66: // HRI font
    case 0x61: // ASB enable
      return ignored(b, 3);
    default:
      return discard(b, 2, 'unknownCommand');
  }
}

function stepFs(b: Buffer): Step {
  if (b.length < 2) return 'more';
  switch (b[1]) {
    case 0x26:
      return { used: 2, command: { op: 'kanji', on: true } };
    case 0x2e:
      return { used: 2, command: { op: 'kanji', on: false } };
    case 0x21: // Kanji print mode
    case 0x2d: // Kanji underline
    case 0x43: // Kanji code system
      return ignored(b, 3);
    default:
      return discard(b, 2, 'unknownCommand');
  }
}

function stepDle(b: Buffer): Step {
  if (b.length < 2) return 'more';
  if (b[1] === EOT) {
    if (b.length < 3) return 'more';
    const n = b[2]!;
    return n >= 1 && n <= 4 ? { used: 3, command: { op: 'status', n } } : discard(b, 3, 'badParameter');
  }
  if (b[1] === 0x05) return ignored(b, 3); // DLE ENQ n
  if (b[1] === 0x14) return ignored(b, 5); // DLE DC4 fn m t
  return discard(b, 2, 'unknownCommand');
}

function step(b: Buffer): Step {
  const first = b[0]!;
  if (first >= 0x20 || first === HT) {
    let end = 1;
    while (end < b.length && (b[end]! >= 0x20 || b[end] === HT)) end++;
    return { used: end, command: { op: 'text', bytes: Buffer.from(b.subarray(0, end)) } };
  }
  switch (first) {
    case LF:
      return { used: 1, command: { op: 'lf' } };
    case CR:
      return ignored(b, 1);
    case ESC:
      return stepEsc(b);
    case GS:
      return stepGs(b);
    case FS:
      return stepFs(b);
    case DLE:
      return stepDle(b);
    default:
      return discard(b, 1, 'controlByte');
  }
}

export class EscPosParser {
  #pending: Buffer = Buffer.alloc(0);

  get pendingBytes(): number {
    return this.#pending.length;
  }

  /**
   * Commands complete in what has arrived so far. A text run at the end of the
   * chunk is emitted as is (text has no terminator; the next chunk continues it).
   */
  push(chunk: Uint8Array): EscPosCommand[] {
    const out: EscPosCommand[] = [];
    this.#pending = this.#pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#pending, chunk]);
    let offset = 0;
    while (offset < this.#pending.length) {
      const result = step(this.#pending.subarray(offset));
      if (result === 'more') break;
      out.push(result.command);
      offset += result.used;
    }
    this.#pending = Buffer.from(this.#pending.subarray(offset));
    if (this.#pending.length > ESCPOS_PARSER_BUFFER_LIMIT_BYTES) {
      out.push({ op: 'discard', raw: this.#pending, reason: 'overflow' });
      this.#pending = Buffer.alloc(0);
    }
    return out;
  }

  /** End of input: whatever is left is an incomplete command. */
  end(): EscPosCommand[] {
    if (this.#pending.length === 0) return [];
    const raw = this.#pending;
    this.#pending = Buffer.alloc(0);
    return [{ op: 'discard', raw, reason: 'badParameter' }];
  }
}

/** Parses a whole buffer. */
export function parseEscPos(bytes: Uint8Array): EscPosCommand[] {
  const parser = new EscPosParser();
  return [...parser.push(bytes), ...parser.end()];
}
