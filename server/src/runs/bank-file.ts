// The bank payment file of a payroll run (issue 5 section 4): one CSV line per
// payment (per person per run; back pay is in the same line), streamed from
// the registry so a million-line file never sits in memory.
import type { RegistryContext } from '../registry/context.js';
import { isMonth } from '../registry/time.js';
import { RunError } from './errors.js';
import { payrollRunKey } from './payroll.js';

export const BANK_FILE_HEADER = 'paymentId,citizenNumber,name,bankAccount,amountFen,amountYuan,months';

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Fen as a yuan string with two decimals, in integers only ("1234" -> "12.34"). */
export function fenToYuanText(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Lines of the bank file for `month`'s payroll, header first, each ending in CRLF. */
export function* bankFileLines(ctx: RegistryContext, month: string): Generator<string> {
  if (!isMonth(month)) throw new RunError('invalid-run-parameter', `month: YYYY-MM (got ${JSON.stringify(month)})`, 'month');
  yield `${BANK_FILE_HEADER}\r\n`;
  const rows = ctx.db
    .prepare(
      `SELECT y.payment_id, y.citizen_number, p.name, p.bank_account, SUM(y.total_fen) AS amount_fen, GROUP_CONCAT(y.month, ' ') AS months
       FROM reg_payments y JOIN reg_persons p ON p.citizen_number = y.citizen_number
       WHERE y.paid_run_key = ? AND y.status = 'paid'
       GROUP BY y.citizen_number ORDER BY y.citizen_number`,
    )
    .iterate(payrollRunKey(month)) as Iterable<{
    payment_id: string;
    citizen_number: string;
    name: string;
    bank_account: string | null;
    amount_fen: number;
    months: string;
  }>;
  for (const r of rows) {
    yield `${[r.payment_id, r.citizen_number, csvField(r.name), r.bank_account ?? '', String(r.amount_fen), fenToYuanText(r.amount_fen), r.months].join(',')}\r\n`;
  }
}
