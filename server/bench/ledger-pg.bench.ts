// Ledger benchmarks on PostgreSQL (issue #15 section 5), beside the SQLite
// ones (ledger.bench.ts, whose chart and transfers this reuses): transfers per
// second through createTransfers on the PostgreSQL store, single and in
// batches of 100 and 1000, each against raw inserts of the same rows on the
// same engine, in the same run, in a throwaway cluster this file starts
// (initdb + pg_ctl, fsync and synchronous_commit on: a commit is durable, as
// SQLite's synchronous=FULL) and stops.
//
// The raw baseline is the cheapest way to store those rows: the transfers
// exactly as the ledger stores them (seq, recorded time, block and index,
// account numbers; computed before the clock starts) into the ledger's own
// transfer table (with its id and per-account indexes), one multi-row
// INSERT ... SELECT FROM unnest(...) per batch, which commits by itself: one
// round trip per batch. The ledger does per batch: BEGIN, lock and read the
// head, read the batch's accounts, evaluate, seal the block (digest, hash),
// one statement for rows + block + balances + head, COMMIT: five round
// trips. The issue sets no target for PostgreSQL; this reports the ratio.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchResult } from '../../cli/bench.js';
import { startPgCluster, type PgCluster } from '../src/sql/pg-cluster.js';
import { PgDatabase } from '../src/sql/pg-database.js';
import { normalizeTransfer } from '../src/ledger/validate.js';
import { Ledger, type TransferInput } from '../src/ledger/index.js';
import { PgLedgerStore } from '../src/ledger/pg/store.js';
import { toIntArray } from '../src/ledger/pg/rows.js';
import { toTextArray } from '../src/ledger/pg/schema.js';
import { KIOSKS, PERSONS, ROUNDS, chart, makeTransfers } from './ledger.bench.js';

const RAW_INSERT_SQL = `INSERT INTO ledger_transfers (seq, id, debit_account_id, credit_account_id, debit_num, credit_num, amount_fen, code, at, reference, meta, linked, recorded_at, block, block_index)
  SELECT * FROM unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::smallint[], ?::text[], ?::bigint[], ?::bigint[])`;

let databases = 0;

/** A fresh database with the ledger's tables and the bench chart; the account keys by id. */
function freshLedgerDatabase(cluster: PgCluster): { db: PgDatabase; store: PgLedgerStore; keys: Map<string, number> } {
  const db = new PgDatabase(cluster.createDatabase(`bench_${databases++}`));
  const store = new PgLedgerStore(db);
  const keys = new Map<string, number>();
  const specs = chart(PERSONS);
  store.transaction(() => {
    for (let i = 0; i < specs.length; i += 10_000) for (const [id, key] of store.insertAccounts(specs.slice(i, i + 10_000))) keys.set(id, key);
  });
  db.exec('VACUUM ANALYZE');
  return { db, store, keys };
}

/** The statement parameters of each batch, as the ledger would store the rows. */
function rawBatches(transfers: TransferInput[], batchSize: number, keys: Map<string, number>): unknown[][] {
  const recordedAt = new Date().toISOString();
  const out: unknown[][] = [];
  for (let from = 0; from < transfers.length; from += batchSize) {
    const rows = transfers.slice(from, from + batchSize).map((t) => {
      const r = normalizeTransfer(t);
      if (typeof r === 'string') throw new Error(`bench transfer invalid: ${r}`);
      return r;
    });
    const seq = rows.map((_, i) => from + i + 1);
    out.push([
      toIntArray(seq),
      toTextArray(rows.map((r) => r.id)),
      toTextArray(rows.map((r) => r.debitAccountId)),
      toTextArray(rows.map((r) => r.creditAccountId)),
      toIntArray(rows.map((r) => keys.get(r.debitAccountId)!)),
      toIntArray(rows.map((r) => keys.get(r.creditAccountId)!)),
      toIntArray(rows.map((r) => r.amountFen)),
      toTextArray(rows.map((r) => r.code)),
      toTextArray(rows.map((r) => r.at)),
      toTextArray(rows.map((r) => r.reference)),
      toTextArray(rows.map((r) => r.metaJson)),
      toIntArray(rows.map((r) => (r.linked ? 1 : 0))),
      toTextArray(rows.map(() => recordedAt)),
      toIntArray(rows.map(() => from / batchSize + 1)),
      toIntArray(rows.map((_, i) => i)),
    ]);
  }
  return out;
}

function rawRate(cluster: PgCluster, transfers: TransferInput[], batchSize: number): number {
  const { db, keys } = freshLedgerDatabase(cluster);
  const batches = rawBatches(transfers, batchSize, keys);
  const started = performance.now();
  for (const params of batches) db.query(RAW_INSERT_SQL, params);
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return transfers.length / seconds;
}

function ledgerRate(cluster: PgCluster, transfers: TransferInput[], batchSize: number): number {
  const { db, store } = freshLedgerDatabase(cluster);
  const ledger = new Ledger(store);
  const started = performance.now();
  for (let i = 0; i < transfers.length; i += batchSize) {
    for (const r of ledger.createTransfers(transfers.slice(i, i + batchSize))) if (r.result !== 'created') throw new Error(`bench transfer refused: ${r.result}`);
  }
  const seconds = (performance.now() - started) / 1000;
  const report = ledger.verify();
  if (!report.ok || report.transfers !== transfers.length) throw new Error(`verify failed on the bench ledger: ${JSON.stringify(report.problems.slice(0, 3))}`);
  ledger.close();
  db.close();
  return transfers.length / seconds;
}

export async function benchPgLedgerThroughput(quick: boolean): Promise<BenchResult> {
  const cluster = await startPgCluster({ dataDir: mkdtempSync(join(tmpdir(), 'nongbao-ledger-pg-bench-')), removeOnStop: true });
  const measurements: BenchResult['measurements'] = [];
  const baselines: BenchResult['baselines'] = [];
  let version = '';
  try {
    const admin = new PgDatabase(cluster.url());
    version = String(admin.query('SHOW server_version', []).rows[0]?.server_version ?? '');
    admin.close();
    const cases = [
      { batch: 1, count: quick ? 300 : 1_000 },
      { batch: 100, count: quick ? 10_000 : 50_000 },
      { batch: 1000, count: quick ? 20_000 : 100_000 },
    ];
    for (const c of cases) {
      let raw = 0;
      let ledger = 0;
      for (let round = 0; round < ROUNDS; round++) {
        // Fresh ids per round, each measurement on a fresh database; alternated so that noise hits both.
        const transfers = makeTransfers(c.count, PERSONS);
        raw = Math.max(raw, rawRate(cluster, transfers, c.batch));
        ledger = Math.max(ledger, ledgerRate(cluster, transfers, c.batch));
      }
      const label = c.batch === 1 ? 'single' : `batch ${c.batch}`;
      baselines.push({ name: `postgres: raw inserts of the transfer rows, ${label}`, value: raw, unit: 'transfers/s' });
      measurements.push({ name: `postgres: ledger createTransfers, ${label}`, value: ledger, unit: 'transfers/s' });
      measurements.push({ name: `postgres: ledger / raw inserts of the transfer rows, ${label}`, value: (100 * ledger) / raw, unit: '%' });
    }
  } finally {
    cluster.stop();
  }
  return {
    name: 'ledger-transfers-postgres',
    measurements,
    baselines,
    targets: [],
    notes: [
      `PostgreSQL ${version}, a throwaway cluster on 127.0.0.1 (TCP), fsync=on, synchronous_commit=on; ${KIOSKS} cash boxes, ${PERSONS} persons; contribution transfers with meta; best of ${ROUNDS} rounds.`,
      'Raw: one self-committing INSERT ... SELECT FROM unnest per batch into ledger_transfers (1 round trip). Ledger: BEGIN, head FOR UPDATE, account states, one append statement, COMMIT (5 round trips); no target is set for PostgreSQL (issue #15 section 5 asks for the ratio).',
    ],
  };
}

export default async function ledgerPgBench(ctx: { quick: boolean }): Promise<BenchResult[]> {
  return [await benchPgLedgerThroughput(ctx.quick)];
}
