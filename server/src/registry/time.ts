// Calendar dates are in the county's time zone, Asia/Shanghai (POLICY.md "Money
// and dates"). China has had no daylight saving time since 1991, so the zone is
// a fixed UTC+08:00 offset for every date this scheme can meet (it began 2009).
// Ledger `at` values are always UTC ISO strings from `Date.toISOString()`, so
// that the ledger's string comparisons (`balance({ before })`) order correctly.

const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_PATTERN = /^(\d{4})-(\d{2})$/;

export function isCalendarDate(value: string): boolean {
  const m = DATE_PATTERN.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const probe = new Date(Date.UTC(y, mo - 1, d));
  return probe.getUTCFullYear() === y && probe.getUTCMonth() === mo - 1 && probe.getUTCDate() === d;
}

export function isMonth(value: string): boolean {
  const m = MONTH_PATTERN.exec(value);
  return m !== null && Number(m[2]) >= 1 && Number(m[2]) <= 12;
}

/** Milliseconds since the epoch of 00:00 Asia/Shanghai on `date` (YYYY-MM-DD). */
export function shanghaiMidnightMs(date: string): number {
  const m = DATE_PATTERN.exec(date);
  if (!m) throw new RangeError(`not a calendar date: ${date}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) - SHANGHAI_OFFSET_MS;
}

/** UTC ISO timestamp of 00:00 Asia/Shanghai on `date`. */
export function shanghaiMidnightIso(date: string): string {
  return new Date(shanghaiMidnightMs(date)).toISOString();
}

/** UTC ISO timestamp of 12:00 Asia/Shanghai on `date` (the `at` of a dated business event). */
export function shanghaiNoonIso(date: string): string {
  return new Date(shanghaiMidnightMs(date) + 12 * 3_600_000).toISOString();
}

/** The Asia/Shanghai calendar date (YYYY-MM-DD) of an instant. */
export function shanghaiDate(instant: Date | string | number): string {
  const ms = new Date(instant).getTime();
  if (Number.isNaN(ms)) throw new RangeError(`not a timestamp: ${String(instant)}`);
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

export function monthOf(date: string): string {
  return date.slice(0, 7);
}

export function addMonths(month: string, count: number): string {
  const m = MONTH_PATTERN.exec(month);
  if (!m) throw new RangeError(`not a month: ${month}`);
  const index = Number(m[1]) * 12 + Number(m[2]) - 1 + count;
  const year = Math.floor(index / 12);
  return `${String(year).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** Months from `from` to `to` inclusive; empty when `to` is before `from`. */
export function monthRange(from: string, to: string): string[] {
  const out: string[] = [];
  for (let m = from; m <= to; m = addMonths(m, 1)) out.push(m);
  return out;
}

/** Normalises an ISO timestamp with any offset to the UTC form the ledger compares. */
export function toUtcIso(timestamp: string): string {
  const ms = Date.parse(timestamp);
  if (Number.isNaN(ms)) throw new RangeError(`not a timestamp: ${timestamp}`);
  return new Date(ms).toISOString();
}
