// Checks on the holder data (issue #3 §2 "Checks").
import { CardError, CardErrorCode } from './errors.js';
import { isCalendarDate } from './codec.js';
import type { CardIdentity } from './types.js';

/** GB 11643-1999 §8.2: weights of the first 17 digits, ISO 7064 MOD 11-2. */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

/** The check character (0-9 or X) for the first 17 digits. */
export function citizenNumberCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new CardError(CardErrorCode.citizenNumberInvalid, 'need 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

/** 18 characters, 17 digits + check character, valid check digit and birth date. */
export function isValidCitizenNumber(value: string): boolean {
  if (typeof value !== 'string' || !/^\d{17}[\dX]$/.test(value)) return false;
  if (citizenNumberCheckChar(value.slice(0, 17)) !== value[17]) return false;
  return citizenNumberBirthDate(value) !== undefined;
}

/** Birth date (digits 7-14, YYYYMMDD) as 'YYYY-MM-DD', undefined if not a date. */
export function citizenNumberBirthDate(value: string): string | undefined {
  if (typeof value !== 'string' || !/^\d{17}[\dX]$/.test(value)) return undefined;
  const iso = `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`;
  return isCalendarDate(iso) ? iso : undefined;
}

/** Digit 17 (sequence code) is odd for men, even for women (GB 11643 §6.3). */
export function citizenNumberSex(value: string): 'male' | 'female' | undefined {
  if (!/^\d{17}[\dX]$/.test(value)) return undefined;
  return Number(value[16]) % 2 === 1 ? 'male' : 'female';
}

export function assertValidCitizenNumber(value: string): void {
  if (!isValidCitizenNumber(value)) {
    throw new CardError(CardErrorCode.citizenNumberInvalid, 'citizen number fails the GB 11643 check', { field: 'citizenNumber' });
  }
}

/** The holder record is consistent: valid citizen number whose birth date equals EF06's. */
export function assertHolderConsistent(identity: Pick<CardIdentity, 'citizenNumber' | 'birthDate'>): void {
  assertValidCitizenNumber(identity.citizenNumber);
  if (citizenNumberBirthDate(identity.citizenNumber) !== identity.birthDate) {
    throw new CardError(CardErrorCode.birthDateMismatch, "EF06 birth date disagrees with the citizen number's", { field: 'birthDate' });
  }
}

export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * Refuses a card past its expiry date (the expiry day itself is still valid)
 * or before its issue date. `today` is a 'YYYY-MM-DD' (kiosk local date) or a Date (UTC day).
 */
export function assertCardUsable(identity: Pick<CardIdentity, 'issueDate' | 'expiryDate' | 'citizenNumber' | 'birthDate'>, today: string | Date): void {
  const day = typeof today === 'string' ? today : isoDay(today);
  if (!isCalendarDate(day)) throw new CardError(CardErrorCode.fieldInvalid, `today is not a date: ${day}`);
  assertHolderConsistent(identity);
  if (day > identity.expiryDate) throw new CardError(CardErrorCode.cardExpired, `card expired on ${identity.expiryDate}`, { field: 'expiryDate' });
  if (day < identity.issueDate) throw new CardError(CardErrorCode.cardNotYetValid, `card valid from ${identity.issueDate}`, { field: 'issueDate' });
}
