import { describe, expect, it } from 'vitest';
import { applyRateHalfUp, divideFenHalfUp, divideHalfUp, parseRate, yuanToFen, assertFen } from './money.js';
import { PolicyErrorCode, isPolicyError } from './errors.js';

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (error) {
    return isPolicyError(error) ? error.code : -1;
  }
  return undefined;
}

describe('money (POLICY "Money and dates")', () => {
  it('parses decimal-string rates exactly, with no binary fraction involved', () => {
    expect(parseRate('0.0225')).toEqual({ numerator: 225n, denominator: 10_000n });
    expect(parseRate('0.035')).toEqual({ numerator: 35n, denominator: 1000n });
    expect(parseRate('1')).toEqual({ numerator: 1n, denominator: 1n });
  });

  it('reads an integer rate as basis points', () => {
    expect(parseRate(225)).toEqual({ numerator: 225n, denominator: 10_000n });
  });

  it('refuses malformed rates and rates above one with InvalidRate', () => {
    for (const bad of ['2.25%', '.5', '0.', '-0.01', '1.5', '0x10', 10_001, -1, 2.5]) {
      expect(codeOf(() => parseRate(bad as string | number))).toBe(PolicyErrorCode.InvalidRate);
    }
  });

  it('rounds a product half-up once: 20 350 fen at 3 % is 610.5, credited as 611', () => {
    expect(applyRateHalfUp(20_350, parseRate('0.03'))).toBe(611);
    // 33 fen at 1.5 % is 0.495: below the half, rounds down.
    expect(applyRateHalfUp(33, parseRate('0.015'))).toBe(0);
    // 41 890 at 2.75 % is 1151.975: rounds up.
    expect(applyRateHalfUp(41_890, parseRate('0.0275'))).toBe(1152);
  });

  it('gets an exact half right where floating point does not', () => {
    // 15 000 fen at 0.21 % is exactly 31.5 fen, but in doubles 15000 × 0.0021
    // is 31.499999999999996, which Math.round takes to 31.
    expect(Math.round(15_000 * 0.0021)).toBe(31);
    expect(applyRateHalfUp(15_000, parseRate('0.0021'))).toBe(32);
    expect(applyRateHalfUp(15_000, parseRate(21))).toBe(32);
  });

  it('divides half-up: the account pension of 141 265 fen is 1 016 (1016.29), of 250 fen by 100 is 3 (2.5)', () => {
    expect(divideFenHalfUp(141_265, 139)).toBe(1016);
    expect(divideFenHalfUp(250, 100)).toBe(3);
    expect(divideFenHalfUp(249, 100)).toBe(2);
  });

  it('rounds negative halves away from zero (symmetric half-up)', () => {
    expect(divideHalfUp(-5n, 2n)).toBe(-3n);
    expect(divideHalfUp(5n, 2n)).toBe(3n);
  });

  it('refuses amounts that are not whole non-negative fen', () => {
    for (const bad of [1.5, -1, Number.NaN, 1e20, '100']) {
      expect(codeOf(() => assertFen(bad, 'amount'))).toBe(PolicyErrorCode.InvalidAmount);
    }
    expect(codeOf(() => yuanToFen(0.5))).toBe(PolicyErrorCode.InvalidAmount);
    expect(yuanToFen(100)).toBe(10_000);
  });
});
