// What the checks look at, each from its own source (issue 11 section 7):
// the notes each acceptor simulator stacked (its memory: the physical truth),
// each kiosk's journal (read-only SQL), the ledger in the server's database
// (read-only SQL, and the ledger's own balances), what the printer simulators
// printed, and the verdicts of the `nongbao ledger verify` and `nongbao
// receipt verify` commands run as processes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Ledger, openPgLedger } from '@nongbao/server/ledger';
import { openServerDatabase, parseDatabaseSpec } from '@nongbao/server/db-open';
import { tableExists } from '@nongbao/server/sql-schema';
import { readJournal, type JournalSnapshot } from './journal-reader.js';
import { runNongbao } from './processes.js';

export interface LedgerTransfer {
  id: string;
  debitAccountId: string;
  creditAccountId: string;
  amountFen: number;
  code: string;
}

export interface LedgerEvidence {
  /** Transfers out of any kiosk's cash box (a kiosk payment booked, a kiosk credit). */
  cashBoxTransfers: LedgerTransfer[];
  /** The ledger's own balance of each cash box (debit-normal: the cash it holds). */
  cashBoxBalanceFen: Record<string, number>;
  /** Σ debits and Σ credits over every account, from the ledger's balances. */
  trial: { debitsFen: number; creditsFen: number };
  /** Accounts whose stored balance differs from the sum of their transfers. */
  balanceMismatches: string[];
  /** Contributions of one person for one year booked more than once. */
  doubleContributions: { citizenNumber: string; year: number; count: number }[];
  /** What the gateway decided for each kiosk money event, by id. */
  kioskEvents: { id: string; terminalId: string; kind: string; booking: string }[];
}

export interface PrintedReceipt {
  file: string;
  /** The QR text, when the receipt has one. */
  qr: string | null;
}

export interface ReceiptVerdict {
  qr: string;
  file: string;
  exitCode: number | null;
  output: string;
}

export interface Evidence {
  kiosks: { terminalId: string; stackedYuan: number[]; journal: JournalSnapshot; receipts: PrintedReceipt[] }[];
  ledger: LedgerEvidence;
  ledgerVerify: { exitCode: number | null; output: string };
  receiptVerdicts: ReceiptVerdict[];
}

/** Receipts checked by `nongbao receipt verify` at once (each is a process). */
const RECEIPT_VERIFY_CONCURRENCY = 2;

/** The receipts a printer simulator printed, kept as files in `dir` too (for whoever looks at a failed run). */
export function printedReceipts(texts: readonly string[], dir: string): PrintedReceipt[] {
  mkdirSync(dir, { recursive: true });
  return texts.map((text, i) => {
    const file = join(dir, `receipt-${i}.txt`);
    writeFileSync(file, `${text}\n`);
    return { file, qr: /\[QR: (.+)\]/.exec(text)?.[1]?.trim() ?? null };
  });
}

/** The server's database read-only: the run's SQLite file (which must exist), or its PostgreSQL database. */
type SqlDatabase = Awaited<ReturnType<typeof openServerDatabase>>;

async function openEvidence(db: string): Promise<{ db: SqlDatabase; ledger: Ledger }> {
  const spec = parseDatabaseSpec(db);
  if (spec.engine === 'sqlite') {
    const sqlite = new Database(spec.path, { readonly: true, fileMustExist: true });
    return { db: sqlite, ledger: Ledger.openSqlite(sqlite, { readonly: true }) };
  }
  const pg = (await openServerDatabase(db)) as Parameters<typeof openPgLedger>[0];
  return { db: pg, ledger: openPgLedger(pg, { readonly: true }) };
}

/** `dbSpec`: the server's --db (a SQLite file or a postgres:// URL). */
export async function readLedger(dbSpec: string): Promise<LedgerEvidence> {
  const { db, ledger } = await openEvidence(dbSpec);
  try {
    const cashBoxTransfers = db
      .prepare(
        `SELECT id, debit_account_id AS debitAccountId, credit_account_id AS creditAccountId, amount_fen AS amountFen, code
         FROM ledger_transfers WHERE debit_account_id LIKE 'cashbox:%' OR credit_account_id LIKE 'cashbox:%' ORDER BY seq`,
      )
      .all() as LedgerTransfer[];
    const accounts = (db.prepare('SELECT id FROM ledger_accounts ORDER BY num').all() as { id: string }[]).map((a) => a.id);
    const recomputed = new Map<string, { d: number; c: number }>();
    for (const row of db.prepare('SELECT debit_account_id AS d, credit_account_id AS c, amount_fen AS a FROM ledger_transfers').iterate() as Iterable<{ d: string; c: string; a: number }>) {
      const debit = recomputed.get(row.d) ?? { d: 0, c: 0 };
      debit.d += row.a;
      recomputed.set(row.d, debit);
      const credit = recomputed.get(row.c) ?? { d: 0, c: 0 };
      credit.c += row.a;
      recomputed.set(row.c, credit);
    }
    const trial = { debitsFen: 0, creditsFen: 0 };
    const balanceMismatches: string[] = [];
    const cashBoxBalanceFen: Record<string, number> = {};
    for (let i = 0; i < accounts.length; i += 1_000) {
      for (const b of ledger.balances(accounts.slice(i, i + 1_000))) {
        trial.debitsFen += b.debitsFen;
        trial.creditsFen += b.creditsFen;
        const sums = recomputed.get(b.accountId) ?? { d: 0, c: 0 };
        if (sums.d !== b.debitsFen || sums.c !== b.creditsFen) balanceMismatches.push(`${b.accountId}: stored ${b.debitsFen}/${b.creditsFen}, transfers ${sums.d}/${sums.c}`);
        if (b.accountId.startsWith('cashbox:')) cashBoxBalanceFen[b.accountId.slice('cashbox:'.length)] = b.balanceFen;
      }
    }
    const doubleContributions = db
      .prepare('SELECT citizen_number AS citizenNumber, year, COUNT(*) AS count FROM reg_contributions GROUP BY citizen_number, year HAVING COUNT(*) > 1')
      .all() as LedgerEvidence['doubleContributions'];
    const hasEvents = tableExists(db, 'kiosk_money_events');
    const kioskEvents = hasEvents
      ? (db.prepare('SELECT id, terminal_id AS terminalId, kind, booking FROM kiosk_money_events').all() as LedgerEvidence['kioskEvents'])
      : [];
    return { cashBoxTransfers, cashBoxBalanceFen, trial, balanceMismatches, doubleContributions, kioskEvents };
  } finally {
    db.close();
  }
}

/** `nongbao ledger verify --db FILE`, as a process. */
export async function verifyLedger(dbPath: string): Promise<{ exitCode: number | null; output: string }> {
  const run = await runNongbao(['ledger', 'verify', '--db', dbPath]);
  return { exitCode: run.code, output: `${run.stdout}${run.stderr}`.trim() };
}

/** `nongbao receipt verify "<QR>" --db FILE` for each provisional receipt (NBR1), as processes. */
export async function verifyReceipts(dbPath: string, receipts: PrintedReceipt[]): Promise<ReceiptVerdict[]> {
  const provisional = receipts.filter((r): r is PrintedReceipt & { qr: string } => r.qr?.startsWith('NBR1|') === true);
  const verdicts: ReceiptVerdict[] = [];
  for (let i = 0; i < provisional.length; i += RECEIPT_VERIFY_CONCURRENCY) {
    const batch = provisional.slice(i, i + RECEIPT_VERIFY_CONCURRENCY);
    const runs = await Promise.all(batch.map((r) => runNongbao(['receipt', 'verify', r.qr, '--db', dbPath])));
    runs.forEach((run, j) => verdicts.push({ qr: batch[j]!.qr, file: batch[j]!.file, exitCode: run.code, output: `${run.stdout}${run.stderr}`.trim() }));
  }
  return verdicts;
}

export function readKiosk(journalPath: string, terminalId: string, stackedYuan: number[], receipts: PrintedReceipt[]): Evidence['kiosks'][number] {
  return { terminalId, stackedYuan, journal: readJournal(journalPath, terminalId), receipts };
}
