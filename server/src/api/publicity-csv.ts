// The printed publicity list of a village (POLICY.md "Publicity and
// coverage": "The kiosk shows its own village's list; the office prints
// it"). The rows are those of `registry.publicityList`, the same call the
// kiosk shows, so the paper and the screen cannot disagree; names are masked
// there, never here.
//
// One table, one header: `section` says whether a row is a contributor
// (tier, date paid) or a pension recipient (monthly amount, certification);
// the cells of the other section stay empty. Escaping, CRLF and the BOM are
// the project's one CSV writer's (shared/csv.ts).
import type { PublicityList } from '../registry/index.js';
import { UTF8_BOM, csvRow, fenToYuanText } from '../shared/csv.js';

export const PUBLICITY_CSV_COLUMNS = ['section', 'name', 'tierYuan', 'paidOn', 'monthlyFen', 'monthlyYuan', 'certification'] as const;
export const PUBLICITY_CSV_HEADER = PUBLICITY_CSV_COLUMNS.join(',');

/** The CSV lines of a publicity list, header first (after the BOM), each ending in CRLF. */
export function* publicityCsvLines(list: PublicityList): Generator<string> {
  yield `${UTF8_BOM}${csvRow(PUBLICITY_CSV_COLUMNS)}`;
  for (const c of list.contributors) yield csvRow(['contributor', c.name, c.tierYuan, c.paidOn, null, null, null]);
  for (const r of list.recipients) yield csvRow(['recipient', r.name, null, null, r.monthlyFen, fenToYuanText(r.monthlyFen), r.certification]);
}
