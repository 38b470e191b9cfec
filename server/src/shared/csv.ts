// The one CSV writer of the project (issue 10 section 5: "One CSV writer for
// the whole project ... and every export uses it"). Every CSV the office
// downloads (the village publicity list, the bank payment file) is built
// from csvRow, so no export can forget a rule:
// - a text cell starting with = + - @ tab or CR is run by Excel/WPS/LibreOffice
//   as a formula (`=HYPERLINK(...)`, `+cmd|' /C calc'!A0`): it gets a leading
//   apostrophe, which the spreadsheet shows as text (OWASP "CSV injection");
// - a cell holding a quote, comma, CR or LF is quoted, quotes doubled (RFC 4180);
// - lines end in CRLF (RFC 4180);
// - numbers are whole and never negative (fen, counts, years), so a number
//   cell never starts with '-' and needs no apostrophe.

/**
 * Put first in a file that a county office opens in a spreadsheet: Excel and
 * WPS read a CSV without it as GBK and show the village's names garbled.
 */
export const UTF8_BOM = '\uFEFF';
export const CSV_LINE_END = '\r\n';
/** What a spreadsheet would take for the start of a formula (OWASP "CSV injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A cell with one of these is quoted (RFC 4180 section 2, rules 6 and 7). */
const NEEDS_QUOTES = /[",\r\n]/;
/** Prefixed to a formula-like text cell; the spreadsheet shows the rest as text. */
export const FORMULA_NEUTRALISER = "'";

/** A cell: text as typed by someone, a whole non-negative number, or empty. */
export type CsvCell = string | number | null | undefined;

/** One cell as it goes into the file. */
export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`a CSV number cell must be a whole number >= 0 (got ${value})`);
    return String(value);
  }
  const safe = FORMULA_START.test(value) ? `${FORMULA_NEUTRALISER}${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** One line of the file: the cells escaped, joined by commas, ended by CRLF. */
export function csvRow(cells: readonly CsvCell[]): string {
  let line = '';
  for (let i = 0; i < cells.length; i++) line += (i === 0 ? '' : ',') + csvCell(cells[i]);
  return line + CSV_LINE_END;
}

/**
 * Fen as yuan with two decimals, in integers only (5500 -> "55.00"; POLICY.md
 * "Money and dates": no floating point). Amounts in an export are never negative.
 */
export function fenToYuanText(fen: number): string {
  if (!Number.isSafeInteger(fen) || fen < 0) throw new RangeError(`not a non-negative whole number of fen: ${fen}`);
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}
