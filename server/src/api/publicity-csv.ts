// The printed publicity list of a village (POLICY.md "Publicity and
// coverage": "The kiosk shows its own village's list; the office prints
// it"). The rows are those of `registry.publicityList`, the same call the
// kiosk shows, so the paper and the screen cannot disagree; names are masked
// there, never here.
//
// One table, one header: `section` says whether a row is a contributor
// (tier, date paid) or a pension recipient (monthly amount, certification);
// the cells of the other section stay empty. Lines end in CRLF (RFC 4180).
import type { PublicityList } from '../registry/index.js';

export const PUBLICITY_CSV_HEADER = 'section,name,tierYuan,paidOn,monthlyFen,monthlyYuan,certification';

/**
 * The first line starts with a UTF-8 byte-order mark: the spreadsheet
 * programs of a county office (Excel, WPS) read a CSV without one as GBK and
 * print the village's names garbled.
 */
export const UTF8_BOM = '\uFEFF';

/**
 * A spreadsheet runs a cell starting with = + - @ (or a tab/CR) as a formula;
 * names are free text typed at the office, so such a cell is quoted as text
 * with a leading apostrophe (OWASP "CSV injection").
 */
function csvText(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Fen as yuan with two decimals, in integers only (5500 -> "55.00"); amounts here are never negative. */
export function fenToYuanText(fen: number): string {
  if (!Number.isSafeInteger(fen) || fen < 0) throw new RangeError(`not a non-negative whole number of fen: ${fen}`);
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}

/** The CSV lines of a publicity list, header first, each ending in CRLF. */
export function* publicityCsvLines(list: PublicityList): Generator<string> {
  yield `${UTF8_BOM}${PUBLICITY_CSV_HEADER}\r\n`;
  for (const c of list.contributors) {
    yield `${['contributor', csvText(c.name), String(c.tierYuan), c.paidOn, '', '', ''].join(',')}\r\n`;
  }
  for (const r of list.recipients) {
    yield `${['recipient', csvText(r.name), '', '', String(r.monthlyFen), fenToYuanText(r.monthlyFen), r.certification].join(',')}\r\n`;
  }
}
