// WebSocket framing (RFC 6455 section 5.2) for the chaos run's proxy, which
// duplicates, holds and drops whole socket.io messages between a kiosk and
// the gateway (proxy.ts). Pure: bytes in, frames out; never throws on bad
// bytes (a frame it cannot read makes the reader pass the rest through).
//
// Also the few socket.io/engine.io packet shapes the proxy acts on: a
// terminal's `outbox.submit` event with its ack id, and the gateway's ack.
import { randomBytes } from 'node:crypto';
import { TERMINAL_NAMESPACE } from '@nongbao/protocol';

export const WS_OPCODE_TEXT = 0x1;
/** A frame larger than this is not a socket.io message of ours: the reader gives up and passes bytes through. */
export const WS_FRAME_LIMIT_BYTES = 1024 * 1024;
/** The HTTP upgrade head, at most. */
const HTTP_HEAD_LIMIT_BYTES = 16 * 1024;

export interface WsFrame {
  fin: boolean;
  /** RSV1-3 bits: set by an extension (permessage-deflate); such frames are passed on untouched. */
  rsv: number;
  opcode: number;
  masked: boolean;
  /** The payload, unmasked. */
  payload: Buffer;
  /** The frame's bytes as they came. */
  raw: Buffer;
}

/** One direction of a WebSocket connection: the HTTP head first, then frames. */
export type WsChunk = { kind: 'head'; raw: Buffer } | { kind: 'frame'; frame: WsFrame } | { kind: 'opaque'; raw: Buffer };

/** Cuts a byte stream into the HTTP upgrade head and then frames; anything unreadable comes out 'opaque'. */
export class WsStreamReader {
  private buffer = Buffer.alloc(0);
  private inHead = true;
  private opaque = false;

  push(chunk: Buffer): WsChunk[] {
    if (this.opaque) return [{ kind: 'opaque', raw: chunk }];
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const out: WsChunk[] = [];
    if (this.inHead) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) {
        if (this.buffer.length > HTTP_HEAD_LIMIT_BYTES) return this.giveUp(out);
        return out;
      }
      out.push({ kind: 'head', raw: this.buffer.subarray(0, end + 4) });
      this.buffer = this.buffer.subarray(end + 4);
      this.inHead = false;
    }
    for (;;) {
      const frame = readFrame(this.buffer);
      if (frame === 'incomplete') return out;
      if (frame === 'unreadable') return this.giveUp(out);
      out.push({ kind: 'frame', frame });
      this.buffer = this.buffer.subarray(frame.raw.length);
    }
  }

  private giveUp(out: WsChunk[]): WsChunk[] {
    this.opaque = true;
    if (this.buffer.length > 0) out.push({ kind: 'opaque', raw: this.buffer });
    this.buffer = Buffer.alloc(0);
    return out;
  }
}

/** One frame at the start of `bytes`. */
export function readFrame(bytes: Buffer): WsFrame | 'incomplete' | 'unreadable' {
  if (bytes.length < 2) return 'incomplete';
  const b0 = bytes[0]!;
  const b1 = bytes[1]!;
  const masked = (b1 & 0x80) !== 0;
  let length = b1 & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (bytes.length < 4) return 'incomplete';
    length = bytes.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (bytes.length < 10) return 'incomplete';
    const big = bytes.readBigUInt64BE(2);
    if (big > BigInt(WS_FRAME_LIMIT_BYTES)) return 'unreadable';
    length = Number(big);
    offset = 10;
  }
  if (length > WS_FRAME_LIMIT_BYTES) return 'unreadable';
  const mask = masked ? bytes.subarray(offset, offset + 4) : undefined;
  if (masked) offset += 4;
  if (bytes.length < offset + length) return 'incomplete';
  const payload = Buffer.from(bytes.subarray(offset, offset + length));
  if (mask) for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i % 4]!;
  return { fin: (b0 & 0x80) !== 0, rsv: (b0 >> 4) & 0x7, opcode: b0 & 0x0f, masked, payload, raw: Buffer.from(bytes.subarray(0, offset + length)) };
}

/** A final frame; masked with a fresh key when `masked` (a client's frames must be). */
export function encodeFrame(opcode: number, payload: Buffer, masked: boolean): Buffer {
  const length = payload.length;
  const head: number[] = [0x80 | opcode];
  const maskBit = masked ? 0x80 : 0;
  if (length < 126) head.push(maskBit | length);
  else if (length < 65_536) head.push(maskBit | 126, length >> 8, length & 0xff);
  else {
    const big = Buffer.alloc(8);
    big.writeBigUInt64BE(BigInt(length));
    head.push(maskBit | 127, ...big);
  }
  if (!masked) return Buffer.concat([Buffer.from(head), payload]);
  const mask = randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i]! ^= mask[i % 4]!;
  return Buffer.concat([Buffer.from(head), mask, body]);
}

// engine.io message (4) + socket.io EVENT (2) / ACK (3), in the terminal namespace, then the ack id.
const SUBMIT = new RegExp(`^42${TERMINAL_NAMESPACE},(\\d+)\\["outbox\\.submit",`);
const ACK = new RegExp(`^43${TERMINAL_NAMESPACE},(\\d+)\\[`);

/** The ack id of a terminal's `outbox.submit`, or undefined for any other frame. */
export function submitAckId(frame: WsFrame): number | undefined {
  if (frame.opcode !== WS_OPCODE_TEXT || frame.rsv !== 0 || !frame.fin) return undefined;
  const match = SUBMIT.exec(frame.payload.toString('utf8', 0, Math.min(frame.payload.length, 64)));
  return match ? Number(match[1]) : undefined;
}

/** The ack id of a gateway's answer, or undefined for any other frame. */
export function ackId(frame: WsFrame): number | undefined {
  if (frame.opcode !== WS_OPCODE_TEXT || frame.rsv !== 0 || !frame.fin) return undefined;
  const match = ACK.exec(frame.payload.toString('utf8', 0, Math.min(frame.payload.length, 64)));
  return match ? Number(match[1]) : undefined;
}

/** The same `outbox.submit` under another ack id (a replay the kiosk is not waiting for), masked afresh. */
export function withAckId(frame: WsFrame, id: number): Buffer {
  const text = frame.payload.toString('utf8').replace(SUBMIT, (whole, old: string) => whole.replace(`,${old}[`, `,${id}[`));
  return encodeFrame(frame.opcode, Buffer.from(text, 'utf8'), true);
}

/** The money event ids a submit frame carries (for the report and for waiting on the gateway's log). */
export function submitEventIds(frame: WsFrame): string[] {
  const text = frame.payload.toString('utf8');
  const start = text.indexOf('[');
  try {
    const [, body] = JSON.parse(text.slice(start)) as [string, { events?: { id?: unknown }[] }];
    return (body.events ?? []).map((e) => String(e.id));
  } catch {
    return [];
  }
}
