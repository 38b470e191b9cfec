import { describe, expect, it } from 'vitest';
import { assertBirthDateAgrees, birthDateFromCitizenNumber, citizenCheckChar, isValidCitizenNumber, parseCitizenNumber } from './citizen.js';
import { PolicyErrorCode, isPolicyError } from './errors.js';

describe('citizen number (GB 11643)', () => {
  it('computes the mod-11 check character by hand', () => {
    // 4 4 0 7 8 3 1 9 6 0 0 5 2 0 1 2 3 × 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
    // = 28+36+0+35+64+12+2+9+36+0+0+45+20+0+8+8+6 = 309; 309 mod 11 = 1 -> '0'.
    expect(citizenCheckChar('44078319600520123')).toBe('0');
    expect(isValidCitizenNumber('440783196005201230')).toBe(true);
  });

  it('accepts a check character X (sum mod 11 = 2)', () => {
    expect(isValidCitizenNumber('11010519491231002X')).toBe(true);
    expect(birthDateFromCitizenNumber('11010519491231002X')).toBe('1949-12-31');
  });

  it('names the problem: wrong check digit, impossible birth date, bad shape', () => {
    expect(parseCitizenNumber('440783196005201231')).toMatchObject({ ok: false, problem: 'check-digit' });
    expect(parseCitizenNumber('440783196002301238')).toMatchObject({ ok: false, problem: 'birth-date' });
    expect(parseCitizenNumber('11010519491231002x')).toMatchObject({ ok: false, problem: 'format' });
    expect(parseCitizenNumber('4407831960052012')).toMatchObject({ ok: false, problem: 'format' });
    expect(parseCitizenNumber(440783196005201230)).toMatchObject({ ok: false, problem: 'format' });
  });

  it('throws typed errors for a bad number and for a registry birth date that disagrees', () => {
    expect(() => birthDateFromCitizenNumber('440783196005201231')).toThrowError(expect.objectContaining({ code: PolicyErrorCode.InvalidCitizenNumber }));
    let caught: unknown;
    try {
      assertBirthDateAgrees('440783196005201230', '1960-05-21');
    } catch (error) {
      caught = error;
    }
    expect(isPolicyError(caught) && caught.code).toBe(PolicyErrorCode.BirthDateMismatch);
    expect(() => assertBirthDateAgrees('440783196005201230', '1960-05-20')).not.toThrow();
  });
});
