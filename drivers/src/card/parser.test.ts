import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeRecord, parseRecords } from './parser.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const FUZZ_SEED = 0x5eed_0003;

describe('record parser', () => {
  it('cuts [tag][len][value] records in order', () => {
    const parsed = parseRecords(hex('02 01 33 07 03 41 42 43'));
    expect([...parsed.records]).toEqual([
      [0x02, hex('33')],
      [0x07, hex('414243')],
    ]);
    expect(parsed.discards).toEqual([]);
  });

  it('treats trailing 00/FF padding as the end of the file, not as damage', () => {
    const parsed = parseRecords(hex('02 01 33 00 00 FF FF'));
    expect(parsed.records.size).toBe(1);
    expect(parsed.discards).toEqual([]);
  });

  it('discards a record whose length runs past the end, keeping the ones before', () => {
    const parsed = parseRecords(hex('02 01 33 07 09 42 30'));
    expect(parsed.records.get(0x02)).toEqual(hex('33'));
    expect(parsed.records.has(0x07)).toBe(false);
    expect(parsed.discards).toEqual([expect.objectContaining({ reason: 'truncated', offset: 3 })]);
  });

  it('keeps the first of two records with the same tag and discards the second', () => {
    const parsed = parseRecords(hex('02 01 33 02 01 4D'));
    expect(parsed.records.get(0x02)).toEqual(hex('33'));
    expect(parsed.discards).toEqual([expect.objectContaining({ reason: 'duplicate-tag' })]);
  });

  it('discards bytes after a padding byte that is followed by more data', () => {
    const parsed = parseRecords(hex('02 01 33 00 07 01 41'));
    expect(parsed.records.size).toBe(1);
    expect(parsed.discards).toEqual([expect.objectContaining({ reason: 'bad-tag', offset: 3 })]);
  });

  it('reads records split anywhere when the chunks are joined', () => {
    const whole = Buffer.concat([encodeRecord(8, Buffer.from('11010519491231002X')), encodeRecord(0x0a, Buffer.from('2'))]);
    for (let cut = 0; cut <= whole.length; cut += 1) {
      const joined = Buffer.concat([whole.subarray(0, cut), whole.subarray(cut)]);
      expect(parseRecords(joined).records.get(8)?.toString()).toBe('11010519491231002X');
    }
  });

  it('never throws and accounts for every byte, over 10 000 random and mutated inputs', () => {
    const valid = Buffer.concat([encodeRecord(1, Buffer.alloc(16, 0x43)), encodeRecord(2, Buffer.from('3')), encodeRecord(7, Buffer.from('B00000131'))]);
    const mutated = fc
      .array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 6 })
      .map((edits) => {
        const copy = Buffer.from(valid);
        for (const [at, value] of edits) copy[at] = value;
        return copy;
      });
    const random = fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a));
    fc.assert(
      fc.property(fc.oneof(random, mutated, mutated.map((b) => b.subarray(0, b.length >> 1))), (bytes) => {
        const parsed = parseRecords(bytes);
        // Every item lies inside the input and items do not overlap.
        let cursor = 0;
        for (const item of parsed.items) {
          expect(item.offset).toBeGreaterThanOrEqual(cursor);
          const length = item.kind === 'record' ? item.value.length + 2 : item.bytes.length;
          cursor = item.offset + length;
          expect(cursor).toBeLessThanOrEqual(bytes.length);
        }
      }),
      { seed: FUZZ_SEED, numRuns: 10_000 },
    );
  });
});
