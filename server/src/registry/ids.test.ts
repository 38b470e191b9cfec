import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { derivedUuidV7, isUuidV7, orderedUuidV7 } from './ids.js';

describe('derived UUIDv7 ids', () => {
  it('are UUIDv7-shaped, stable for a (time, name), and carry SHA-256 of the name in their random bits', () => {
    const id = derivedUuidV7(Date.UTC(2024, 4, 10), 'payroll:2024-05|513227196105080344|account');
    expect(isUuidV7(id)).toBe(true);
    expect(derivedUuidV7(Date.UTC(2024, 4, 10), 'payroll:2024-05|513227196105080344|account')).toBe(id);
    expect(id.slice(0, 13)).toBe(`${Date.UTC(2024, 4, 10).toString(16).padStart(12, '0').slice(0, 8)}-${Date.UTC(2024, 4, 10).toString(16).padStart(12, '0').slice(8)}`);
    // The last 12 hex digits are bytes 10..15 of the id = bytes 4..9 of the digest (unchanged by version/variant).
    const digest = createHash('sha256').update('payroll:2024-05|513227196105080344|account', 'utf8').digest('hex');
    expect(id.slice(-12)).toBe(digest.slice(8, 20));
    expect(derivedUuidV7(Date.UTC(2024, 4, 10), 'payroll:2024-05|513227196105080344|pool')).not.toBe(id);
  });
});

describe('ordered UUIDv7 ids', () => {
  const TIME = Date.UTC(2024, 4, 1);
  const ORDINAL_MAX = (1n << 74n) - 1n;

  it('carry the time and the 74-bit ordinal around the version and variant bits', () => {
    const id = orderedUuidV7(TIME, 0x2_abc_def0123456789abn);
    expect(isUuidV7(id)).toBe(true);
    // rand_a = the top 12 bits, rand_b = the low 62 bits with the variant 10 on top.
    const hex = id.replaceAll('-', '');
    expect(BigInt(`0x${hex.slice(0, 12)}`)).toBe(BigInt(TIME));
    expect(hex[12]).toBe('7');
    const randA = BigInt(`0x${hex.slice(13, 16)}`);
    const randB = BigInt(`0x${hex.slice(16)}`);
    expect(randB >> 62n).toBe(0b10n);
    expect((randA << 62n) | (randB & ((1n << 62n) - 1n))).toBe(0x2_abc_def0123456789abn);
    expect(orderedUuidV7(TIME, 0n)).toBe('018f3173-7000-7000-8000-000000000000');
    expect(orderedUuidV7(TIME, ORDINAL_MAX)).toBe('018f3173-7000-7fff-bfff-ffffffffffff');
  });

  it('sort as strings in the order of their ordinals at one time (fixed-seed property)', () => {
    const ordinal = fc.bigInt({ min: 0n, max: ORDINAL_MAX });
    fc.assert(
      fc.property(ordinal, ordinal, (a, b) => {
        const x = orderedUuidV7(TIME, a);
        const y = orderedUuidV7(TIME, b);
        expect(isUuidV7(x)).toBe(true);
        expect(x < y).toBe(a < b);
        expect(x === y).toBe(a === b);
      }),
      { seed: 5_07, numRuns: 500 },
    );
  });

  it('refuse an ordinal or a time out of range', () => {
    expect(() => orderedUuidV7(TIME, -1n)).toThrow(RangeError);
    expect(() => orderedUuidV7(TIME, ORDINAL_MAX + 1n)).toThrow(RangeError);
    expect(() => orderedUuidV7(-1, 0n)).toThrow(RangeError);
    expect(() => orderedUuidV7(2 ** 48, 0n)).toThrow(RangeError);
  });
});
