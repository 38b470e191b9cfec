import { describe, expect, it } from 'vitest';
import { assertCardUsable, assertHolderConsistent, citizenNumberBirthDate, isValidCitizenNumber } from './checks.js';
import { CardErrorCode } from './errors.js';

const validCard = { citizenNumber: '11010519491231002X', birthDate: '1949-12-31', issueDate: '2020-06-01', expiryDate: '2030-06-01' };

describe('GB 11643 citizen number', () => {
  it('accepts the standard example with check character X', () => {
    expect(isValidCitizenNumber('11010519491231002X')).toBe(true);
  });

  it('refuses a changed digit, a lower-case x, a wrong length and an impossible birth date', () => {
    expect(isValidCitizenNumber('11010519491231003X')).toBe(false);
    expect(isValidCitizenNumber('11010519491231002x')).toBe(false);
    expect(isValidCitizenNumber('1101051949123100')).toBe(false);
    // 1949-02-30 with its own correct check digit is still not a person's number.
    expect(isValidCitizenNumber('110105194902300021')).toBe(false);
  });

  it('reads the birth date from digits 7-14', () => {
    expect(citizenNumberBirthDate('11010519491231002X')).toBe('1949-12-31');
  });
});

describe('holder and card checks', () => {
  it('refuses a birth date that disagrees with the citizen number', () => {
    expect(() => assertHolderConsistent({ ...validCard, birthDate: '1949-12-30' })).toThrow(
      expect.objectContaining({ code: CardErrorCode.birthDateMismatch }),
    );
  });

  it('refuses a citizen number with a wrong check digit', () => {
    expect(() => assertHolderConsistent({ ...validCard, citizenNumber: '110105194912310021' })).toThrow(
      expect.objectContaining({ code: CardErrorCode.citizenNumberInvalid }),
    );
  });

  it('accepts a card on its expiry day and refuses it the day after', () => {
    expect(() => assertCardUsable(validCard, '2030-06-01')).not.toThrow();
    expect(() => assertCardUsable(validCard, '2030-06-02')).toThrow(expect.objectContaining({ code: CardErrorCode.cardExpired }));
  });

  it('refuses a card before its issue date and a today that is not a date', () => {
    expect(() => assertCardUsable(validCard, '2020-05-31')).toThrow(expect.objectContaining({ code: CardErrorCode.cardNotYetValid }));
    expect(() => assertCardUsable(validCard, '2024-13-01')).toThrow(expect.objectContaining({ code: CardErrorCode.fieldInvalid }));
  });

  it('takes a Date as its UTC day', () => {
    expect(() => assertCardUsable(validCard, new Date('2031-01-01T00:00:00Z'))).toThrow(expect.objectContaining({ code: CardErrorCode.cardExpired }));
  });
});
