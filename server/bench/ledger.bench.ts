// Ledger benchmarks (issue #5 section 7), synchronous=FULL throughout
// (server/src/db.ts):
// - transfers per second, single and in batches of 100 and 1000, each against
//   raw better-sqlite3 inserts of the same rows and batch size measured in the
//   same run. Two baselines: into the ledger's own schema (what the ledger's
//   logic costs over its storage: the transfer row and, since schema 2, its
//   two rows in the per-account index ledger_postings), and into a bare table
//   with only a primary key (what the schema costs too).
//   Targets: batched >= 50 % of raw, single >= 50 % of raw single commits.
// - `ledger verify` over N transfers (10 000 000; 200 000 with --quick; or
//   NONGBAO_BENCH_LEDGER_VERIFY_TRANSFERS).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { v7 as uuidv7 } from 'uuid';
import { openDatabase, type SqliteDatabase } from '../src/db.js';
import { Ledger, MAX_BATCH_TRANSFERS, FUND_ACCOUNT_SPECS, cashBoxAccountSpec, personAccountSpecs, personAccountId, cashBoxAccountId, type TransferInput, type AccountSpec } from '../src/ledger/index.js';

interface BenchMeasurement { name: string; value: number; unit: string }
interface BenchResult { name: string; measurements: BenchMeasurement[]; baselines: BenchMeasurement[]; targets: { description: string; met: boolean }[]; notes?: string[] }

const KIOSKS = 100;
const PERSONS = 10_000;
/** Rounds per measurement; the best round counts, since the machine is shared. */
const ROUNDS = 2;

function citizen(i: number): string {
  return `4101011960${String(i).padStart(8, '0')}`;
}

function chart(persons: number): AccountSpec[] {
  const specs: AccountSpec[] = [...FUND_ACCOUNT_SPECS];
  for (let k = 0; k < KIOSKS; k++) specs.push(cashBoxAccountSpec(`k${k}`));
  for (let p = 0; p < persons; p++) specs.push(...personAccountSpecs(citizen(p)));
  return specs;
}

/** Contributions: a kiosk's cash box to a person's individual account, 100 yuan each. */
function makeTransfers(count: number, persons: number): TransferInput[] {
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
 * Raw inserts of the same rows into the ledger's schema, one transaction per
 * batch: the transfer row and its two postings (account number, seq), with
 * the account numbers looked up before the clock starts. No checks, no hash,
 * no balances.
 */
function rawSchemaRate(dir: string, name: string, transfers: TransferInput[], batchSize: number): number {
  const db = tempDb(dir, name);
  const ledger = Ledger.openSqlite(db); // creates the schema
  ensureChart(ledger, chart(PERSONS));
  const nums = new Map<string, number>();
  for (const r of db.prepare('SELECT id, num FROM ledger_accounts').raw().iterate() as Iterable<[string, number]>) nums.set(r[0], r[1]);
  const insert = db.prepare(
    'INSERT INTO ledger_transfers (seq, id, debit_account_id, credit_account_id, amount_fen, code, at, reference, meta, linked, recorded_at, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const posting = db.prepare('INSERT INTO ledger_postings (account_num, seq, debit_fen, credit_fen, at_ms) VALUES (?, ?, ?, ?, ?)');
  const hash = 'a'.repeat(64);
  let seq = 0;
  const writeBatch = db.transaction((batch: TransferInput[]) => {
    for (const t of batch) {
      insert.run(++seq, t.id, t.debitAccountId, t.creditAccountId, t.amountFen, t.code, t.at, null, JSON.stringify(t.meta), 0, t.at, hash, hash);
      const ms = Date.parse(t.at);
      posting.run(nums.get(t.debitAccountId)!, seq, t.amountFen, 0, ms);
      posting.run(nums.get(t.creditAccountId)!, seq, 0, t.amountFen, ms);
    }
  });
  const started = performance.now();
  for (let i = 0; i < transfers.length; i += batchSize) writeBatch(transfers.slice(i, i + batchSize));
  const seconds = (performance.now() - started) / 1000;
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
        raw = Math.max(raw, rawSchemaRate(dir, `raw-${run}`, transfers, c.batch));
        bare = Math.max(bare, rawBareRate(dir, `bare-${run}`, transfers, c.batch));
        ledger = Math.max(ledger, ledgerRate(dir, `ledger-${run}`, transfers, c.batch));
        run++;
      }
      const label = c.batch === 1 ? 'single' : `batch ${c.batch}`;
      baselines.push({ name: `raw inserts, ledger schema, ${label}`, value: raw, unit: 'transfers/s' });
      baselines.push({ name: `raw inserts, bare table, ${label}`, value: bare, unit: 'transfers/s' });
      measurements.push({ name: `ledger createTransfers, ${label}`, value: ledger, unit: 'transfers/s' });
      measurements.push({ name: `ledger / raw (ledger schema), ${label}`, value: (100 * ledger) / raw, unit: '%' });
      measurements.push({ name: `ledger / raw (bare table), ${label}`, value: (100 * ledger) / bare, unit: '%' });
      targets.push({
        description: c.batch === 1 ? 'single transfers >= 50% of raw single commits (ledger schema)' : `batches of ${c.batch} >= 50% of raw inserts of the same batch size (ledger schema)`,
        met: ledger >= 0.5 * raw,
      });
      targets.push({
        description: c.batch === 1 ? 'single transfers >= 50% of raw single commits (bare table)' : `batches of ${c.batch} >= 50% of raw inserts of the same batch size (bare table)`,
        met: ledger >= 0.5 * bare,
      });
    }
    notes.push(`${KIOSKS} cash boxes, ${PERSONS} persons; contribution transfers with meta; synchronous=FULL, WAL; best of ${ROUNDS} rounds.`);
    notes.push(
      'Against the bare table the batched targets are not met: each transfer to a random person dirties a random page of the per-account index (postings) and of the balances, ~3 pages a transfer (~340 pages, 1.4 MB of WAL per commit of 100, against ~5 for the bare table); a commit costs what it writes.',
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
      notes: [`${persons} persons x 5 source accounts + ${KIOSKS} cash boxes; verify re-hashes every transfer and re-sums every account.`],
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
