// The bank payment file of a payroll run (issue 5 section 4): one CSV line per
// payment (per person per run; back pay is in the same line), streamed from
// the registry so a million-line file never sits in memory. Written by the
// project's one CSV writer (shared/csv.ts): a name typed at the office such as
// `=HYPERLINK(...)` reaches the bank's spreadsheet as text (issue 10 section 5).
// No BOM: the file is read by the bank's import, not opened by the office.
// Every line has a bank account: the payroll refuses to pay anyone without one
// (payroll.ts, `refuseMissingBankAccounts`).
import type { RegistryContext } from '../registry/context.js';
import { isMonth } from '../registry/time.js';
import { csvRow, fenToYuanText } from '../shared/csv.js';
import { RunError } from './errors.js';
import { payrollRunKey } from './payroll.js';

export const BANK_FILE_COLUMNS = ['paymentId', 'citizenNumber', 'name', 'bankAccount', 'amountFen', 'amountYuan', 'months'] as const;
export const BANK_FILE_HEADER = BANK_FILE_COLUMNS.join(',');

/** Lines of the bank file for `month`'s payroll, header first, each ending in CRLF. */
export function* bankFileLines(ctx: RegistryContext, month: string): Generator<string> {
  if (!isMonth(month)) throw new RunError('invalid-run-parameter', `month: YYYY-MM (got ${JSON.stringify(month)})`, 'month');
  yield csvRow(BANK_FILE_COLUMNS);
  const rows = ctx.db
    .prepare(
      `SELECT MIN(y.payment_id) AS payment_id, p.citizen_number, p.name, p.bank_account, SUM(y.total_fen) AS amount_fen, GROUP_CONCAT(y.month, ' ') AS months
       FROM reg_payments y JOIN reg_persons p ON p.citizen_number = y.citizen_number
       WHERE y.paid_run_key = ? AND y.status = 'paid'
       GROUP BY p.citizen_number ORDER BY p.citizen_number`,
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
    yield csvRow([r.payment_id, r.citizen_number, r.name, r.bank_account, r.amount_fen, fenToYuanText(r.amount_fen), r.months]);
  }
}
