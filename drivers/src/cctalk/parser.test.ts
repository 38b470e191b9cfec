import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeFrame } from './codec.js';
import { FRAME_FIXTURES } from './fixtures/frames.js';
import { CctalkParser } from './parser.js';
import type { ParseResult } from './types.js';

const FUZZ_SEED = 0x4e42_0004;
const hex = (s: string) => Buffer.from(s, 'hex');
const frames = (results: ParseResult[]) => results.filter((r) => r.kind === 'frame').map((r) => (r.kind === 'frame' ? r.raw.toString('hex').toUpperCase() : ''));

describe('ccTalk parser', () => {
  it('cuts back-to-back frames from one chunk', () => {
    const parser = new CctalkParser({ mode: 'simple8' });
    expect(frames(parser.push(hex('280001FED9' + '01002800D7'), 0))).toEqual(['280001FED9', '01002800D7']);
  });

  for (const fixture of FRAME_FIXTURES) {
    it(`reassembles "${fixture.name}" fed one byte at a time`, () => {
      const parser = new CctalkParser({ mode: fixture.mode });
      const out: ParseResult[] = [];
      for (const byte of hex(fixture.hex)) out.push(...parser.push(Buffer.from([byte]), 0));
      expect(frames(out)).toEqual([fixture.hex]);
    });
  }

  it('waits for a checksum that arrives in a separate chunk', () => {
    const parser = new CctalkParser({ mode: 'simple8' });
    expect(parser.push(hex('01002800'), 0)).toEqual([]);
    expect(frames(parser.push(hex('D7'), 10))).toEqual(['01002800D7']);
  });

  it('discards a frame with a bad checksum and still finds the next good one', () => {
    const parser = new CctalkParser({ mode: 'simple8' });
    const out = parser.push(hex('01002800D6' + '01002800D7'), 0);
    expect(frames(out)).toEqual(['01002800D7']);
    expect(out.filter((r) => r.kind === 'discard').map((r) => r.raw.length).reduce((a, b) => a + b, 0)).toBe(5);
  });

  it('resynchronises after a garbage prefix', () => {
    const parser = new CctalkParser({ mode: 'simple8', destinations: [1] });
    const out = parser.push(hex('FF00A5' + '01002800D7'), 0);
    expect(frames(out)).toEqual(['01002800D7']);
    expect(out[0]).toMatchObject({ kind: 'discard', raw: hex('FF00A5') });
  });

  it('drops bytes left over longer than the 50 ms inter-byte timeout', () => {
    const parser = new CctalkParser({ mode: 'simple8' });
    expect(parser.push(hex('0105'), 0)).toEqual([]);
    const out = parser.push(hex('01002800D7'), 100);
    expect(out[0]).toMatchObject({ kind: 'discard', reason: 'stale', raw: hex('0105') });
    expect(frames(out)).toEqual(['01002800D7']);
  });

  it('strips the echo of our own request, then yields the reply', () => {
    const parser = new CctalkParser({ mode: 'simple8' });
    const request = hex('280001FED9');
    parser.expectEcho(request);
    const out = [...parser.push(hex('2800'), 0), ...parser.push(hex('01FED9' + '0100'), 1), ...parser.push(hex('2800D7'), 2)];
    expect(out.map((r) => r.kind)).toEqual(['echo', 'frame']);
    expect(frames(out)).toEqual(['01002800D7']);
  });

  it('parses normally when the expected echo never comes', () => {
    const parser = new CctalkParser({ mode: 'simple8' });
    parser.expectEcho(hex('280001FED9'));
    expect(frames(parser.push(hex('01002800D7'), 0))).toEqual(['01002800D7']);
  });

  it('never throws and never keeps more than its buffer limit on 10 000 random inputs', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), fc.constantFrom('simple8' as const, 'crc16' as const), (chunks, mode) => {
        const parser = new CctalkParser({ mode });
        let at = 0;
        for (const chunk of chunks) {
          const results = parser.push(chunk, (at += 10));
          for (const r of results) expect(['frame', 'discard', 'echo']).toContain(r.kind);
        }
        expect(parser.pendingBytes).toBeLessThanOrEqual(8 * 64);
      }),
      { seed: FUZZ_SEED, numRuns: 10_000 },
    );
  });

  it('finds every valid frame inside 10 000 mutated streams (garbage around, random chunking)', () => {
    const frameArb = fc.record({
      header: fc.integer({ min: 0, max: 255 }),
      data: fc.uint8Array({ maxLength: 12 }),
    });
    fc.assert(
      fc.property(fc.array(frameArb, { minLength: 1, maxLength: 4 }), fc.uint8Array({ maxLength: 6 }), fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 10 }), (specs, garbage, cuts) => {
        const encoded = specs.map((s) => encodeFrame({ destination: 1, source: 40, header: s.header, data: Buffer.from(s.data) }, 'simple8'));
        // Garbage without the host address, so no accidental frame starts in it.
        const prefix = Buffer.from(garbage.map((b) => (b === 1 ? 2 : b)));
        const stream = Buffer.concat([prefix, ...encoded]);
        const parser = new CctalkParser({ mode: 'simple8', destinations: [1] });
        const out: ParseResult[] = [];
        let offset = 0;
        let i = 0;
        while (offset < stream.length) {
          const size = cuts[i++ % cuts.length]!;
          out.push(...parser.push(stream.subarray(offset, offset + size), 0));
          offset += size;
        }
        const got = frames(out);
        expect(got.slice(-encoded.length)).toEqual(encoded.map((e) => e.toString('hex').toUpperCase()));
      }),
      { seed: FUZZ_SEED + 1, numRuns: 10_000 },
    );
  });
});
