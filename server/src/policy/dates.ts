// Calendar dates and months (POLICY.md "Money and dates"): dates are calendar
// dates in the county's time zone (Asia/Shanghai) carried as `YYYY-MM-DD`
// strings, months as `YYYY-MM`. The engine never turns them into instants: a
// rule about "the month of the 60th birthday" is about the calendar, and doing
// it on `Date` objects in the server's zone would shift days at midnight.
import { PolicyError, PolicyErrorCode } from './errors.js';

/** A calendar date `YYYY-MM-DD` (Asia/Shanghai). */
export type IsoDate = string;
/** A calendar month `YYYY-MM`. */
export type Month = string;

/** Years the engine accepts; outside them a date is a typing error, not a person. */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 2200;

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_PATTERN = /^(\d{4})-(\d{2})$/;

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  return [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

export function isIsoDate(value: unknown): value is IsoDate {
  if (typeof value !== 'string') return false;
  const m = DATE_PATTERN.exec(value);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  return year >= MIN_YEAR && year <= MAX_YEAR && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

export function isMonth(value: unknown): value is Month {
  if (typeof value !== 'string') return false;
  const m = MONTH_PATTERN.exec(value);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  return year >= MIN_YEAR && year <= MAX_YEAR && month >= 1 && month <= 12;
}

export function assertIsoDate(value: unknown, what: string): asserts value is IsoDate {
  if (!isIsoDate(value)) {
    throw new PolicyError(PolicyErrorCode.InvalidDate, `${what} must be a calendar date YYYY-MM-DD between ${MIN_YEAR} and ${MAX_YEAR} (got ${JSON.stringify(value)})`);
  }
}

export function assertMonth(value: unknown, what: string): asserts value is Month {
  if (!isMonth(value)) {
    throw new PolicyError(PolicyErrorCode.InvalidDate, `${what} must be a month YYYY-MM between ${MIN_YEAR} and ${MAX_YEAR} (got ${JSON.stringify(value)})`);
  }
}

export function yearOf(dateOrMonth: IsoDate | Month): number {
  return Number(dateOrMonth.slice(0, 4));
}

export function monthOf(date: IsoDate): Month {
  return date.slice(0, 7);
}

export function firstDayOf(month: Month): IsoDate {
  return `${month}-01`;
}

export function lastDayOf(month: Month): IsoDate {
  const year = yearOf(month);
  const m = Number(month.slice(5, 7));
  return `${month}-${String(daysInMonth(year, m)).padStart(2, '0')}`;
}

/** A month index (year × 12 + month − 1) for arithmetic. */
export function monthIndex(month: Month): number {
  return yearOf(month) * 12 + Number(month.slice(5, 7)) - 1;
}

export function monthFromIndex(index: number): Month {
  const year = Math.floor(index / 12);
  return `${String(year).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

export function addMonths(month: Month, count: number): Month {
  return monthFromIndex(monthIndex(month) + count);
}

/** Whole months from `from` to `to` (negative when `to` is earlier). */
export function monthsBetween(from: Month, to: Month): number {
  return monthIndex(to) - monthIndex(from);
}

/**
 * Age in full years on `date` (POLICY "Money and dates"). Someone born on
 * 29 February has their birthday on 1 March in common years: the day after
 * 28 February is the first day they have lived the full year.
 */
export function ageOn(birthDate: IsoDate, date: IsoDate): number {
  const years = yearOf(date) - yearOf(birthDate);
  return date.slice(5) < birthDate.slice(5) ? years - 1 : years;
}

/** The month in which someone born on `birthDate` turns `age`. */
export function birthdayMonth(birthDate: IsoDate, age: number): Month {
  return `${String(yearOf(birthDate) + age).padStart(4, '0')}-${birthDate.slice(5, 7)}`;
}
