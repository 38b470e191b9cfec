// The citizen number (POLICY.md "Money and dates"; GB 11643-1999): 6 digits of
// address code, 8 digits of birth date YYYYMMDD, 3 digits of sequence, and a
// check character: ISO 7064 MOD 11-2 over the first 17 digits, `X` for 10.
// It is the person's key; the birth date is read from it and must agree with
// the registry.
import { PolicyError, PolicyErrorCode } from './errors.js';
import { isIsoDate, type IsoDate } from './dates.js';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
/** Check character for (weighted sum mod 11) = index. */
const CHECK_CHARS = '10X98765432';
const SHAPE = /^[0-9]{17}[0-9X]$/;

export type CitizenNumberProblem = 'format' | 'birth-date' | 'check-digit';

export type CitizenNumberResult =
  | { ok: true; citizenNumber: string; birthDate: IsoDate }
  | { ok: false; problem: CitizenNumberProblem; message: string };

/** The check character GB 11643 gives the first 17 digits (`first17` must be 17 digits). */
export function citizenCheckChar(first17: string): string {
  if (!/^[0-9]{17}$/.test(first17)) {
    throw new PolicyError(PolicyErrorCode.InvalidArgument, 'the check character is computed over exactly 17 digits');
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (WEIGHTS[i] ?? 0);
  return CHECK_CHARS[sum % 11] ?? '';
}

/**
 * Checks shape, embedded birth date and check character. The number must be in
 * its canonical form: 18 characters, an upper-case `X` (a reader that yields
 * `x` normalises before calling), so that one person has exactly one key.
 */
export function parseCitizenNumber(value: unknown): CitizenNumberResult {
  if (typeof value !== 'string' || !SHAPE.test(value)) {
    return { ok: false, problem: 'format', message: 'a citizen number is 17 digits followed by a digit or X' };
  }
  const birthDate = `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`;
  if (!isIsoDate(birthDate)) {
    return { ok: false, problem: 'birth-date', message: `characters 7-14 are not a birth date (${value.slice(6, 14)})` };
  }
  const expected = citizenCheckChar(value.slice(0, 17));
  if (value[17] !== expected) {
    return { ok: false, problem: 'check-digit', message: `the check character is ${value[17] ?? ''}, GB 11643 gives ${expected}` };
  }
  return { ok: true, citizenNumber: value, birthDate };
}

export function isValidCitizenNumber(value: unknown): value is string {
  return parseCitizenNumber(value).ok;
}

/** The birth date a valid citizen number carries; throws `InvalidCitizenNumber` otherwise. */
export function birthDateFromCitizenNumber(citizenNumber: string): IsoDate {
  const parsed = parseCitizenNumber(citizenNumber);
  if (!parsed.ok) throw new PolicyError(PolicyErrorCode.InvalidCitizenNumber, `invalid citizen number: ${parsed.message}`);
  return parsed.birthDate;
}

/** Throws `BirthDateMismatch` when the registry's birth date is not the number's. */
export function assertBirthDateAgrees(citizenNumber: string, registryBirthDate: IsoDate): void {
  const fromNumber = birthDateFromCitizenNumber(citizenNumber);
  if (fromNumber !== registryBirthDate) {
    throw new PolicyError(PolicyErrorCode.BirthDateMismatch, `the citizen number gives birth date ${fromNumber}, the registry ${registryBirthDate}`);
  }
}
