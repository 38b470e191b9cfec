// Ledger benchmarks (issue #5 section 7), synchronous=FULL throughout
// (server/src/db.ts):
// - transfers per second, single and in batches of 100 and 1000, each against
//   raw better-sqlite3 inserts of the same transfers and batch size measured in
//   the same run: the rows exactly as the ledger stores them (seq, recorded
//   time, block and index in it; computed before the clock starts) into the
//   ledger's own transfer table, one transaction per batch, nothing else. That
//   is what storing a transfer costs; the ledger adds its checks, the block
//   (digest, hash, one row per batch) and the head, the balances and the
//   account index (checkpointed, inside the timing).
//   Targets (issue #15 sections 1 and 5): batches of 100 and 1000 >= 50 % of
//   raw, single transfers >= 50 % of raw single commits.
//   For reference, the same transfers into a bare 7-column table (no seq, no
//   hash, no recorded time): reported, with the ratio, but it stores less
//   than a transfer, so no target is set against it.
// - `ledger verify` over N transfers (10 000 000; 200 000 with --quick; or
//   NONGBAO_BENCH_LEDGER_VERIFY_TRANSFERS).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { v7 as uuidv7 } from 'uuid';
import { openDatabase, type SqliteDatabase } from '../src/db.js';
import { normalizeTransfer } from '../src/ledger/validate.js';
import { Ledger, LEDGER_CHECKPOINT_TRANSFERS, MAX_BATCH_TRANSFERS, FUND_ACCOUNT_SPECS, cashBoxAccountSpec, personAccountSpecs, personAccountId, cashBoxAccountId, type TransferInput, type AccountSpec } from '../src/ledger/index.js';

interface BenchMeasurement { name: string; value: number; unit: string }
interface BenchResult { name: string; measurements: BenchMeasurement[]; baselines: BenchMeasurement[]; targets: { description: string; met: boolean }[]; notes?: string[] }

export const KIOSKS = 100;
export const PERSONS = 10_000;
/** Rounds per measurement; the best round counts, since the machine is shared. */
export const ROUNDS = 3;

function citizen(i: number): string {
  return `4101011960${String(i).padStart(8, '0')}`;
}

export function chart(persons: number): AccountSpec[] {
  const specs: AccountSpec[] = [...FUND_ACCOUNT_SPECS];
  for (let k = 0; k < KIOSKS; k++) specs.push(cashBoxAccountSpec(`k${k}`));
  for (let p = 0; p < persons; p++) specs.push(...personAccountSpecs(citizen(p)));
  return specs;
}

/** Contributions: a kiosk's cash box to a person's individual account, 100 yuan each. */
export function makeTransfers(count: number, persons: number): TransferInput[] {
  const out: TransferInput[] = new Array<TransferInput>(count);
  for (let i = 0; i < count; i++) {
    out[i] = {
      id: uuidv7(),
      debitAccountId: cashBoxAccountId(`k${i % KIOSKS}`),
      creditAccountId: personAccountId(citizen((i * 7919) % persons), 'individual'),
      amountFen: 10_000,
      code: 'contribution.individual',
      at: '2024-03-01T08:00:00.000Z',
      meta: { year: 2024, terminalId: `k${i % KIOSKS}` },
    };
  }
  return out;
}

function ensureChart(ledger: Ledger, specs: AccountSpec[]): void {
  const CHUNK = 50_000; // below MAX_ENSURE_ACCOUNTS
  for (let i = 0; i < specs.length; i += CHUNK) ledger.ensureAccounts(specs.slice(i, i + CHUNK));
}

function tempDb(dir: string, name: string): SqliteDatabase {
  return openDatabase(join(dir, `${name}.sqlite`));
}

/**
 * Raw inserts of the same transfers as the ledger stores them: canonical meta,
 * seq, recorded time, block and index, all computed before the clock starts,
 * into the ledger's transfer table; one transaction per batch. No checks, no
 * id lookup, no block row, no head, no balances, no account index.
 */
function rawTransferRowsRate(dir: string, name: string, transfers: TransferInput[], batchSize: number): number {
  const db = tempDb(dir, name);
  const ledger = Ledger.openSqlite(db); // creates the schema
  ensureChart(ledger, chart(PERSONS));
  const recordedAt = new Date().toISOString();
  const rows = transfers.map((t, i) => {
    // The transfer as the ledger stores it (canonical at and meta), from the ledger's own normalizer.
    const r = normalizeTransfer(t);
    if (typeof r === 'string') throw new Error(`bench transfer invalid: ${r}`);
    // One block per batch, as the ledger commits them.
    const block = Math.floor(i / batchSize) + 1;
    return [i + 1, r.id, r.debitAccountId, r.creditAccountId, r.amountFen, r.code, r.at, r.reference, r.metaJson, r.linked ? 1 : 0, recordedAt, block, i % batchSize] as const;
  });
  const insert = db.prepare(
    'INSERT INTO ledger_transfers (seq, id, debit_account_id, credit_account_id, amount_fen, code, at, reference, meta, linked, recorded_at, block, block_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const writeBatch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) insert.run(...rows[i]!);
  });
  const started = performance.now();
  for (let i = 0; i < rows.length; i += batchSize) writeBatch(i, Math.min(i + batchSize, rows.length));
  const seconds = (performance.now() - started) / 1000;
  ledger.close();
  db.close();
  return transfers.length / seconds;
}

/** Raw inserts into a bare table: primary key only. */
function rawBareRate(dir: string, name: string, transfers: TransferInput[], batchSize: number): number {
  const db = tempDb(dir, name);
  db.exec('CREATE TABLE t (id TEXT PRIMARY KEY, debit TEXT NOT NULL, credit TEXT NOT NULL, amount_fen INTEGER NOT NULL, code TEXT NOT NULL, at TEXT NOT NULL, meta TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)');
  const writeBatch = db.transaction((batch: TransferInput[]) => {
    for (const t of batch) insert.run(t.id, t.debitAccountId, t.creditAccountId, t.amountFen, t.code, t.at, JSON.stringify(t.meta));
  });
  const started = performance.now();
  for (let i = 0; i < transfers.length; i += batchSize) writeBatch(transfers.slice(i, i + batchSize));
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return transfers.length / seconds;
}

function ledgerRate(dir: string, name: string, transfers: TransferInput[], batchSize: number): number {
  const db = tempDb(dir, name);
  const ledger = Ledger.openSqlite(db);
  ensureChart(ledger, chart(PERSONS));
  const started = performance.now();
  for (let i = 0; i < transfers.length; i += batchSize) {
    const results = ledger.createTransfers(transfers.slice(i, i + batchSize));
    for (const r of results) if (r.result !== 'created') throw new Error(`bench transfer refused: ${r.result}`);
  }
  // The balances and account index of the last transfers are part of the cost.
  ledger.checkpoint();
  const seconds = (performance.now() - started) / 1000;
  ledger.close();
  db.close();
  return transfers.length / seconds;
}

export async function benchLedgerThroughput(quick: boolean): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'nongbao-ledger-bench-'));
  const measurements: BenchMeasurement[] = [];
  const baselines: BenchMeasurement[] = [];
  const targets: { description: string; met: boolean }[] = [];
  const notes: string[] = [];
  try {
    const cases = [
      { batch: 1, count: quick ? 200 : 1_000 },
      { batch: 100, count: quick ? 20_000 : 100_000 },
      { batch: 1000, count: quick ? 50_000 : 200_000 },
    ];
    let run = 0;
    for (const c of cases) {
      let raw = 0;
      let bare = 0;
      let ledger = 0;
      for (let round = 0; round < ROUNDS; round++) {
        // Fresh ids per round; each measurement on a fresh file; alternated so that noise hits all three.
        const transfers = makeTransfers(c.count, PERSONS);
        raw = Math.max(raw, rawTransferRowsRate(dir, `raw-${run}`, transfers, c.batch));
        bare = Math.max(bare, rawBareRate(dir, `bare-${run}`, transfers, c.batch));
        ledger = Math.max(ledger, ledgerRate(dir, `ledger-${run}`, transfers, c.batch));
        run++;
      }
      const label = c.batch === 1 ? 'single' : `batch ${c.batch}`;
      baselines.push({ name: `raw inserts of the transfer rows, ${label}`, value: raw, unit: 'transfers/s' });
      measurements.push({ name: `ledger createTransfers, ${label}`, value: ledger, unit: 'transfers/s' });
      measurements.push({ name: `ledger / raw inserts of the transfer rows, ${label}`, value: (100 * ledger) / raw, unit: '%' });
      measurements.push({ name: `reference: raw inserts into a bare 7-column table, ${label}`, value: bare, unit: 'transfers/s' });
      measurements.push({ name: `reference: ledger / bare table, ${label}`, value: (100 * ledger) / bare, unit: '%' });
      targets.push({
        description: c.batch === 1 ? 'single transfers >= 50% of raw single commits' : `batches of ${c.batch} >= 50% of raw inserts of the same batch size`,
        met: ledger >= 0.5 * raw,
      });
    }
    notes.push(`${KIOSKS} cash boxes, ${PERSONS} persons; contribution transfers with meta; synchronous=FULL, WAL; best of ${ROUNDS} rounds.`);
    notes.push(
      `Schema 4: a batch commits its transfer rows, one block row (the hash chain is per batch, issue #15 section 1) and the head; balances and the account index are checkpointed every ${LEDGER_CHECKPOINT_TRANSFERS} transfers and once at the end of each timed run (inside the timing).`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { name: 'ledger-transfers', measurements, baselines, targets, notes };
}

/**
 * Fills a ledger with `transfers` transfers (through createTransfers, so the
 * chain, balances and postings are real) and times verify. The fill uses the
 * largest batches, FILL_BATCHES_PER_COMMIT of them per enclosing transaction
 * (createTransfers nests as a savepoint): fewer commits, same rows.
 */
export async function benchLedgerVerify(transfers: number): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'nongbao-ledger-verify-'));
  const FILL_BATCH = MAX_BATCH_TRANSFERS;
  const FILL_BATCHES_PER_COMMIT = 10;
  const persons = Math.min(100_000, Math.max(1_000, Math.floor(transfers / 10)));
  try {
    const db = tempDb(dir, 'verify');
    const ledger = Ledger.openSqlite(db);
    ensureChart(ledger, chart(persons));
    const fillStarted = performance.now();
    const fillCommit = db.transaction((from: number) => {
      for (let b = 0, done = from; b < FILL_BATCHES_PER_COMMIT && done < transfers; b++, done += FILL_BATCH) {
        const results = ledger.createTransfers(makeTransfers(Math.min(FILL_BATCH, transfers - done), persons));
        for (const r of results) if (r.result !== 'created') throw new Error(`bench transfer refused: ${r.result}`);
      }
    });
    for (let done = 0; done < transfers; done += FILL_BATCH * FILL_BATCHES_PER_COMMIT) fillCommit(done);
    const fillSeconds = (performance.now() - fillStarted) / 1000;
    ledger.close();
    db.close();

    // A fresh read-only connection, as `nongbao ledger verify` opens it (command.ts): nothing cached.
    const db2 = new Database(join(dir, 'verify.sqlite'), { readonly: true, fileMustExist: true });
    const ledger2 = Ledger.openSqlite(db2, { readonly: true });
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    const report = ledger2.verify();
    const seconds = (performance.now() - started) / 1000;
    // verify is synchronous, so nothing can sample during it; RSS right after is an upper view of what it held.
    const rssAfter = process.memoryUsage().rss;
    ledger2.close();
    db2.close();
    if (!report.ok || report.transfers !== transfers) throw new Error(`verify failed on the bench ledger: ${JSON.stringify(report.problems.slice(0, 3))}`);
    return {
      name: 'ledger-verify',
      measurements: [
        { name: `verify ${transfers} transfers`, value: seconds, unit: 's' },
        { name: 'verify rate', value: transfers / seconds, unit: 'transfers/s' },
        { name: 'process RSS growth across verify', value: (rssAfter - rssBefore) / 2 ** 20, unit: 'MiB' },
        { name: 'process RSS after verify', value: rssAfter / 2 ** 20, unit: 'MiB' },
        { name: `fill ${transfers} transfers in batches of ${FILL_BATCH}, ${FILL_BATCHES_PER_COMMIT} per commit`, value: transfers / fillSeconds, unit: 'transfers/s' },
        { name: 'database file after the fill', value: statSync(join(dir, 'verify.sqlite')).size / 2 ** 20, unit: 'MiB' },
      ],
      baselines: [],
      targets: [],
      notes: [`${persons} persons x 5 source accounts + ${KIOSKS} cash boxes; verify re-hashes every block's transfers and header and re-sums every account.`],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export default async function ledgerBench(ctx: { quick: boolean }): Promise<BenchResult[]> {
  const fromEnv = process.env.NONGBAO_BENCH_LEDGER_VERIFY_TRANSFERS;
  const verifyTransfers = fromEnv !== undefined ? Number(fromEnv) : ctx.quick ? 200_000 : 10_000_000;
  if (!Number.isSafeInteger(verifyTransfers) || verifyTransfers < 1) {
    throw new Error(`NONGBAO_BENCH_LEDGER_VERIFY_TRANSFERS must be a positive integer (got ${fromEnv})`);
  }
  return [await benchLedgerThroughput(ctx.quick), await benchLedgerVerify(verifyTransfers)];
}
