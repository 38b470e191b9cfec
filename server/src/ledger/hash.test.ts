// The block digest gathers encodings in a buffer before hashing (hash.ts);
// whatever the encodings hold and however long they are, the digest must be
// SHA-256 over their plain concatenation, as documented (docs/ledger.md).
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { BlockDigest, DIGEST_BUFFER_BYTES, blockDigest } from './hash.js';

const SEED = 20_261_205;

function plain(encodings: readonly string[]): string {
  return createHash('sha256').update(encodings.join(''), 'utf8').digest('hex');
}

describe('BlockDigest', () => {
  it('is SHA-256 over the concatenated encodings, for any text (fast-check, fixed seed)', () => {
    const text = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ maxLength: 50 }));
    fc.assert(
      fc.property(fc.array(text, { maxLength: 60 }), (encodings) => {
        expect(blockDigest(encodings)).toBe(plain(encodings));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('crosses its buffer, and takes an encoding longer than the buffer, without changing the digest', () => {
    const big = '汉'.repeat(DIGEST_BUFFER_BYTES); // 3 bytes each in UTF-8: three buffers' worth
    const encodings = ['["a"]', 'x'.repeat(DIGEST_BUFFER_BYTES - 3), '["€😀"]', big, '["b"]', ...Array.from({ length: 3_000 }, (_, i) => `["${i}","ünïcode"]`)];
    expect(blockDigest(encodings)).toBe(plain(encodings));
    // Two digests in turn (the gathering buffer is lent from one to the next) and two at once.
    const d1 = new BlockDigest();
    const d2 = new BlockDigest();
    for (const e of encodings) {
      d1.add(e);
      d2.add(`${e}!`);
    }
    expect(d1.digest()).toBe(plain(encodings));
    expect(d2.digest()).toBe(plain(encodings.map((e) => `${e}!`)));
    expect(blockDigest([])).toBe(plain([]));
  });
});
