// The cash-box reconciliation as a CSV file (issue 13 section 2: "GET
// /api/v1/reconciliation?... and a CSV"), for the county office's
// spreadsheet. One table, one header:
// - `day`: a kiosk's day: what its journal took, what the ledger booked into
//   its box, what was counted of the day's collections;
// - `collection`: journal, ledger and counted cash of one collection;
// - `difference`: one row per payment behind a difference (one row with
//   empty payment cells when none is), `explained` yes or no.
// Amounts are whole fen, never negative (shared/csv.ts): a difference is its
// size and a `direction` saying which side is short.
import type { CollectionReport } from '../collections/service.js';
import type { DayReport } from '../collections/day.js';
import type { Difference, RelayedCashEvent } from '../collections/types.js';
import { UTF8_BOM, csvRow, type CsvCell } from '../shared/csv.js';

export const RECONCILIATION_CSV_COLUMNS = [
  'section',
  'terminalId',
  'date',
  'collectionId',
  'status',
  'journalFen',
  'ledgerFen',
  'countedFen',
  'between',
  'kind',
  'explained',
  'denominationFen',
  'journalCount',
  'countedCount',
  'direction',
  'differenceFen',
  'paymentId',
  'paymentKind',
  'citizenNumber',
  'paymentFen',
  'takenAt',
  'bookedAt',
  'outcome',
  'reason',
  'detail',
] as const;

type Row = Partial<Record<(typeof RECONCILIATION_CSV_COLUMNS)[number], CsvCell>>;

function line(row: Row): string {
  return csvRow(RECONCILIATION_CSV_COLUMNS.map((c) => row[c]));
}

/** Which side of a difference is short: journal - ledger > 0 means the ledger is; counted - journal < 0 means the count is. */
function direction(d: Difference): 'ledger-short' | 'ledger-over' | 'counted-short' | 'counted-over' | 'none' {
  if (d.amountFen === 0) return 'none';
  if (d.between === 'journal-ledger') return d.amountFen > 0 ? 'ledger-short' : 'ledger-over';
  return d.amountFen < 0 ? 'counted-short' : 'counted-over';
}

function payment(e: RelayedCashEvent): Row {
  return { paymentId: e.id, paymentKind: e.kind, citizenNumber: e.citizenNumber, paymentFen: e.amountFen, takenAt: e.kioskAt, bookedAt: e.ledgerAt, outcome: e.outcome, reason: e.reason };
}

function* differenceLines(terminalId: string, d: Difference): Generator<string> {
  const row: Row = {
    section: 'difference',
    terminalId,
    collectionId: d.collectionId,
    between: d.between,
    kind: d.kind,
    explained: d.explained ? 'yes' : 'no',
    denominationFen: d.denominationFen,
    journalCount: d.journalCount,
    countedCount: d.countedCount,
    direction: direction(d),
    differenceFen: Math.abs(d.amountFen),
    detail: d.detail,
  };
  if (d.payments.length === 0) yield line(row);
  for (const e of d.payments) yield line({ ...row, ...payment(e) });
}

function collectionLine(c: CollectionReport): string {
  return line({ section: 'collection', terminalId: c.terminalId, collectionId: c.collectionId, status: c.status, journalFen: c.journalFen, ledgerFen: c.ledgerFen, countedFen: c.countedFen, takenAt: c.startedAt, bookedAt: c.bookedAt });
}

export function* collectionCsvLines(report: CollectionReport): Generator<string> {
  yield `${UTF8_BOM}${csvRow(RECONCILIATION_CSV_COLUMNS)}`;
  yield collectionLine(report);
  for (const d of report.differences) yield* differenceLines(report.terminalId, d);
}

export function* dayCsvLines(report: DayReport): Generator<string> {
  yield `${UTF8_BOM}${csvRow(RECONCILIATION_CSV_COLUMNS)}`;
  yield line({ section: 'day', terminalId: report.terminalId, date: report.date, journalFen: report.journal.amountFen, ledgerFen: report.ledger.inFen, countedFen: report.countedFen });
  for (const c of report.collections) yield collectionLine(c);
  for (const d of report.differences) yield* differenceLines(report.terminalId, d);
}
