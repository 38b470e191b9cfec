// Streaming ccTalk frame cutter (ccTalk part 1 §6, §11). It only resynchronises
// and cuts: it yields frames, the echo of our own bytes, or discarded bytes
// with a reason, and never throws (STYLE.md §3). Unlike node-serialport's
// parser-cctalk it verifies every checksum and strips the single-wire echo.
import { CCTALK_FRAME_OVERHEAD, CCTALK_INTER_BYTE_TIMEOUT_MS, CCTALK_MAX_DATA_LENGTH } from './constants.js';
import { decodeFrame } from './codec.js';
import type { ChecksumMode, DiscardReason, ParseResult } from './types.js';

/** The longest frame plus one more chunk; beyond this something is badly wrong. */
export const CCTALK_PARSER_BUFFER_LIMIT_BYTES = 4 * (CCTALK_MAX_DATA_LENGTH + CCTALK_FRAME_OVERHEAD);

export interface CctalkParserOptions {
  mode: ChecksumMode;
  /** crc16 frames carry no source byte; this fills it in. */
  assumedSource?: number;
  /**
   * Destination addresses a frame may start with. A byte at a frame boundary
   * that is not one of them is dropped at once, which resynchronises after
   * garbage without waiting for the inter-byte timeout.
   */
  destinations?: readonly number[];
  interByteTimeoutMs?: number;
}

export class CctalkParser {
  #pending: Buffer = Buffer.alloc(0);
  #lastByteAtMs = 0;
  #echo: Buffer | undefined;
  /** Bytes were just dropped: the next frame start is a guess, so look further ahead. */
  #resyncing = false;
  readonly #mode: ChecksumMode;
  readonly #assumedSource: number;
  readonly #destinations: ReadonlySet<number> | undefined;
  readonly #interByteTimeoutMs: number;

  constructor(options: CctalkParserOptions) {
    this.#mode = options.mode;
    this.#assumedSource = options.assumedSource ?? 0;
    this.#destinations = options.destinations ? new Set(options.destinations) : undefined;
    this.#interByteTimeoutMs = options.interByteTimeoutMs ?? CCTALK_INTER_BYTE_TIMEOUT_MS;
  }

  /** After writing `bytes` on a single-wire bus: the next bytes heard should be these, and are stripped. */
  expectEcho(bytes: Uint8Array): void {
    this.#echo = Buffer.from(bytes);
  }

  get pendingBytes(): number {
    return this.#pending.length;
  }

  /** Drops whatever is buffered (after a request timed out); yields it as a discard. */
  reset(): ParseResult[] {
    const out: ParseResult[] = [];
    if (this.#pending.length > 0) out.push({ kind: 'discard', raw: this.#pending, reason: 'stale' });
    this.#pending = Buffer.alloc(0);
    this.#echo = undefined;
    this.#resyncing = false;
    return out;
  }

  push(chunk: Uint8Array, nowMs: number = Date.now()): ParseResult[] {
    const out: ParseResult[] = [];
    if (this.#pending.length > 0 && nowMs - this.#lastByteAtMs > this.#interByteTimeoutMs) {
      out.push({ kind: 'discard', raw: this.#pending, reason: 'stale' });
      this.#pending = Buffer.alloc(0);
      this.#resyncing = false;
    }
    if (chunk.length > 0) this.#lastByteAtMs = nowMs;
    this.#pending = this.#pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#pending, chunk]);
    if (this.#pending.length > CCTALK_PARSER_BUFFER_LIMIT_BYTES) {
      out.push({ kind: 'discard', raw: this.#pending, reason: 'overflow' });
      this.#pending = Buffer.alloc(0);
      return out;
    }

    let discardStart = -1;
    let discardReason: DiscardReason = 'badChecksum';
    let offset = 0;
    const flushDiscard = (end: number): void => {
      if (discardStart >= 0) {
        out.push({ kind: 'discard', raw: Buffer.from(this.#pending.subarray(discardStart, end)), reason: discardReason });
        discardStart = -1;
      }
    };
    const dropByte = (reason: DiscardReason): void => {
      this.#resyncing = true;
      if (discardStart < 0) {
        discardStart = offset;
        discardReason = reason;
      }
      offset += 1;
    };

    for (;;) {
      const rest = this.#pending.subarray(offset);
      if (this.#echo) {
        const echo = this.#echo;
        const n = Math.min(echo.length, rest.length);
        if (n > 0 && rest.subarray(0, n).equals(echo.subarray(0, n))) {
          if (n < echo.length) break; // the rest of our echo is still on its way
          flushDiscard(offset);
          out.push({ kind: 'echo', raw: Buffer.from(rest.subarray(0, n)) });
          offset += n;
          this.#echo = undefined;
          continue;
        }
        if (n > 0) this.#echo = undefined; // garbled or no echo: parse normally
      }
      if (rest.length === 0) break;
      if (this.#destinations && !this.#destinations.has(rest[0]!)) {
        dropByte('badChecksum');
        continue;
      }
      if (rest.length < 2) break;
      const length = rest[1]!;
      if (length > CCTALK_MAX_DATA_LENGTH) {
        dropByte('badLength');
        continue;
      }
      const total = length + CCTALK_FRAME_OVERHEAD;
      if (rest.length < total) {
        // After a bad frame, a long "length" may be garbage hiding a good frame behind it:
        // skip to the first complete valid frame further on, if there is one.
        if (this.#resyncing) {
          const skip = this.#findFrameAfter(rest);
          if (skip > 0) {
            for (let i = 0; i < skip; i++) dropByte('badChecksum');
            continue;
          }
        }
        break;
      }
      const decoded = decodeFrame(rest.subarray(0, total), this.#mode, this.#assumedSource);
      if (!decoded.ok) {
        dropByte(decoded.reason);
        continue;
      }
      flushDiscard(offset);
      this.#resyncing = false;
      out.push({ kind: 'frame', frame: decoded.frame, raw: Buffer.from(rest.subarray(0, total)) });
      offset += total;
    }
    flushDiscard(offset);
    this.#pending = Buffer.from(this.#pending.subarray(offset));
    if (this.#pending.length === 0) this.#resyncing = false;
    return out;
  }

  /** Offset (> 0) of the first complete, valid frame in `bytes`, or 0 if none. */
  #findFrameAfter(bytes: Buffer): number {
    for (let start = 1; start + CCTALK_FRAME_OVERHEAD <= bytes.length; start++) {
      if (this.#destinations && !this.#destinations.has(bytes[start]!)) continue;
      const length = bytes[start + 1]!;
      const total = length + CCTALK_FRAME_OVERHEAD;
      if (length > CCTALK_MAX_DATA_LENGTH || start + total > bytes.length) continue;
      if (decodeFrame(bytes.subarray(start, start + total), this.#mode, this.#assumedSource).ok) return start;
    }
    return 0;
  }
}
