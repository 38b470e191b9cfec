import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WS_OPCODE_TEXT, WsStreamReader, ackId, encodeFrame, readFrame, submitAckId, submitEventIds, withAckId, type WsChunk } from './ws-frames.js';

const FUZZ_SEED = 20261205;
const HEAD = Buffer.from('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n');
const submit = (ackIdValue: number, ids: string[]) =>
  Buffer.from(`42/terminal,${ackIdValue}["outbox.submit",${JSON.stringify({ v: 1, terminalId: 'kiosk-x', events: ids.map((id) => ({ id })) })}]`);

function frameOf(bytes: Buffer) {
  const frame = readFrame(bytes);
  if (typeof frame === 'string') throw new Error(frame);
  return frame;
}

describe('WebSocket frames for the chaos proxy', () => {
  it('reads back what it encodes, masked (a client) and not (a server), short and long', () => {
    for (const size of [0, 5, 125, 126, 65_535, 65_536]) {
      const payload = Buffer.alloc(size, 0x61);
      for (const masked of [true, false]) {
        const frame = frameOf(encodeFrame(WS_OPCODE_TEXT, payload, masked));
        expect(frame).toMatchObject({ fin: true, rsv: 0, opcode: WS_OPCODE_TEXT, masked });
        expect(frame.payload.equals(payload)).toBe(true);
      }
    }
  });

  it('waits for the rest of a frame cut in two chunks', () => {
    const bytes = encodeFrame(WS_OPCODE_TEXT, Buffer.from('2'), false);
    expect(readFrame(bytes.subarray(0, 1))).toBe('incomplete');
    expect(readFrame(bytes.subarray(0, 2))).toBe('incomplete');
  });

  it('cuts the upgrade head from the frames that follow it in the same chunk', () => {
    const reader = new WsStreamReader();
    const first = encodeFrame(WS_OPCODE_TEXT, Buffer.from('0{"sid":"x"}'), false);
    const second = encodeFrame(WS_OPCODE_TEXT, Buffer.from('40/terminal,'), false);
    const chunks = reader.push(Buffer.concat([HEAD, first, second.subarray(0, 3)]));
    expect(chunks.map((c) => c.kind)).toEqual(['head', 'frame']);
    expect(reader.push(second.subarray(3)).map((c) => c.kind)).toEqual(['frame']);
  });

  it("knows a kiosk's outbox.submit and the gateway's answer by their ack ids", () => {
    expect(submitAckId(frameOf(encodeFrame(WS_OPCODE_TEXT, submit(17, ['a']), true)))).toBe(17);
    expect(submitAckId(frameOf(encodeFrame(WS_OPCODE_TEXT, Buffer.from('42/terminal,3["account.summary",{}]'), true)))).toBeUndefined();
    expect(ackId(frameOf(encodeFrame(WS_OPCODE_TEXT, Buffer.from('43/terminal,17[{"ok":true}]'), false)))).toBe(17);
    expect(ackId(frameOf(encodeFrame(WS_OPCODE_TEXT, Buffer.from('42/terminal,["kiosk.config",{}]'), false)))).toBeUndefined();
  });

  it('replays a batch under another ack id, with the same events', () => {
    const original = frameOf(encodeFrame(WS_OPCODE_TEXT, submit(4, ['e1', 'e2']), true));
    const replay = frameOf(withAckId(original, 9_000_001));
    expect(replay.masked).toBe(true);
    expect(submitAckId(replay)).toBe(9_000_001);
    expect(submitEventIds(replay)).toEqual(['e1', 'e2']);
  });

  it('never throws and gives back every byte it was given, whatever comes (fixed seed)', () => {
    const anyFrame = fc.record({ opcode: fc.constantFrom(1, 2, 8, 9, 10), masked: fc.boolean(), payload: fc.uint8Array({ maxLength: 300 }) });
    const stream = fc.tuple(fc.boolean(), fc.array(fc.oneof(anyFrame.map((f) => encodeFrame(f.opcode, Buffer.from(f.payload), f.masked)), fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b))), { maxLength: 8 }));
    fc.assert(
      fc.property(stream, fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 10 }), ([withHead, parts], cuts) => {
        const bytes = Buffer.concat([withHead ? HEAD : Buffer.alloc(0), ...parts]);
        const reader = new WsStreamReader();
        const out: WsChunk[] = [];
        let at = 0;
        for (let i = 0; at < bytes.length; i++) {
          const size = cuts[i % cuts.length]!;
          out.push(...reader.push(bytes.subarray(at, at + size)));
          at += size;
        }
        const given = Buffer.concat(out.map((c) => (c.kind === 'frame' ? c.frame.raw : c.raw)));
        // What is still buffered is a prefix of what is missing: everything given back is the stream's start.
        expect(bytes.subarray(0, given.length).equals(given)).toBe(true);
      }),
      { seed: FUZZ_SEED, numRuns: 300 },
    );
  });
});
