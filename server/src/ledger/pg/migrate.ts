// `nongbao ledger migrate` (issue #15 section 2): moves a county's ledger, as
// it stands, into an empty PostgreSQL database and verifies both ends. The
// chain is copied, not replayed: every transfer keeps its seq, id, times,
// block and index, every block its digest and hashes, so the target's verify
// re-hashes exactly what the source's verify did, and the two heads must be
// the same hash. All in one PostgreSQL transaction: a failure leaves the
// target as it was (empty), so the command can simply be run again.
import type { PgDatabase } from '../../sql/pg-database.js';
import type { AccountId, AccountSpec, VerifyReport } from '../types.js';
import type { AppendTransfer, BalanceDelta, LedgerStore, StoredBlock, StoredTransfer } from '../store.js';
import { LedgerError, LedgerErrorCode } from '../errors.js';
import { verifyLedger } from '../verify.js';
import { PgLedgerStore } from './store.js';

/** Accounts per INSERT statement of the copy. */
export const MIGRATE_ACCOUNTS_PER_STATEMENT = 10_000;

export interface LedgerMigration {
  accounts: number;
  transfers: number;
  blocks: number;
  source: VerifyReport;
  target: VerifyReport;
  /** Both verified sound and agree on the head, the counts and the totals. */
  ok: boolean;
}

function refused(reason: 'target_not_empty' | 'source_unsound', message: string): LedgerError {
  return new LedgerError(LedgerErrorCode.MigrationRefused, message, { reason });
}

/**
 * The first of the database's own (non-system) tables that holds a row, as
 * schema.table; undefined when there is none. An opened but unused ledger
 * (its version in ledger_meta, the genesis head) counts as empty.
 */
export function firstTableWithRows(db: PgDatabase): string | undefined {
  const tables = db.query(
    "SELECT table_schema AS s, table_name AS t, table_schema = current_schema() AS mine FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2",
    [],
  ).rows as { s: string; t: string; mine: boolean }[];
  for (const { s, t, mine } of tables) {
    if (mine && t === 'ledger_meta') continue;
    const quoted = `"${s.replace(/"/g, '""')}"."${t.replace(/"/g, '""')}"`;
    const beyondGenesis = mine && t === 'ledger_head' ? ' WHERE block <> 0' : '';
    if (db.query(`SELECT EXISTS (SELECT 1 FROM ${quoted}${beyondGenesis}) AS found`, []).rows[0]?.found === true) return `${s}.${t}`;
  }
  return undefined;
}

function copyAccounts(source: LedgerStore, target: PgLedgerStore): Map<AccountId, number> {
  const keys = new Map<AccountId, number>();
  let chunk: AccountSpec[] = [];
  const flush = (): void => {
    for (const [id, key] of target.insertAccounts(chunk)) keys.set(id, key);
    chunk = [];
  };
  for (const a of source.scanAccounts()) {
    chunk.push(a.spec);
    if (chunk.length === MIGRATE_ACCOUNTS_PER_STATEMENT) flush();
  }
  flush();
  return keys;
}

/** The block's transfers from the stream (verify has proved they are its seqs, in order), with the target's keys and the deltas. */
function blockRows(header: StoredBlock, rows: Iterator<StoredTransfer>, keys: Map<AccountId, number>): { transfers: AppendTransfer[]; deltas: BalanceDelta[] } {
  const transfers: AppendTransfer[] = [];
  const deltas = new Map<AccountId, BalanceDelta>();
  const delta = (accountId: AccountId): BalanceDelta => {
    let d = deltas.get(accountId);
    if (d === undefined) deltas.set(accountId, (d = { accountId, key: keys.get(accountId)!, debitsFen: 0, creditsFen: 0 }));
    return d;
  };
  for (let seq = header.firstSeq; seq <= header.lastSeq; seq++) {
    const next = rows.next();
    if (next.done === true || next.value.seq !== seq) throw new LedgerError(LedgerErrorCode.CorruptStore, `the source changed during the migration: block ${header.num} lacks seq ${seq}`);
    const t = next.value;
    transfers.push({ ...t, debitKey: keys.get(t.debitAccountId)!, creditKey: keys.get(t.creditAccountId)! });
    delta(t.debitAccountId).debitsFen += t.amountFen;
    delta(t.creditAccountId).creditsFen += t.amountFen;
  }
  return { transfers, deltas: [...deltas.values()] };
}

function copyChain(source: LedgerStore, target: PgLedgerStore, keys: Map<AccountId, number>): number {
  const rows = source.scanTransfers()[Symbol.iterator]();
  let blocks = 0;
  for (const header of source.scanBlocks()) {
    target.appendBlock({ header, ...blockRows(header, rows, keys) });
    blocks++;
  }
  // Read to the end (verify found no transfer after the last block): an open
  // SQLite statement would keep the source's read transaction from ending.
  if (rows.next().done !== true) throw new LedgerError(LedgerErrorCode.CorruptStore, 'the source changed during the migration: a transfer after the last block');
  return blocks;
}

function agree(a: VerifyReport, b: VerifyReport): boolean {
  return (
    a.ok &&
    b.ok &&
    a.transfers === b.transfers &&
    a.blocks === b.blocks &&
    a.accounts === b.accounts &&
    a.headBlock === b.headBlock &&
    a.headHash === b.headHash &&
    a.totalDebitsFen === b.totalDebitsFen &&
    a.totalCreditsFen === b.totalCreditsFen
  );
}

/**
 * Copies the ledger of `source` into the database `targetDb`, which must hold
 * no rows (MigrationRefused 'target_not_empty'); a source that does not
 * verify is not copied (MigrationRefused 'source_unsound'). Reads the source
 * in one snapshot, so what is verified is what is copied.
 */
export function migrateLedgerToPg(source: LedgerStore, targetDb: PgDatabase): LedgerMigration {
  const holder = firstTableWithRows(targetDb);
  if (holder !== undefined) throw refused('target_not_empty', `the target database is not empty (${holder} holds rows); a ledger is only migrated into an empty one`);
  return source.snapshot(() => {
    const sourceReport = verifyLedger(source);
    if (!sourceReport.ok) throw refused('source_unsound', `the source ledger does not verify (${sourceReport.problems.length}${sourceReport.problemsTruncated ? '+' : ''} problems, first: ${sourceReport.problems[0]?.kind}); nothing was migrated`);
    const target = new PgLedgerStore(targetDb);
    let counts = { accounts: 0, blocks: 0 };
    target.transaction(() => {
      // Under the head's lock: another migration or a gateway may have written since the check above.
      const again = firstTableWithRows(targetDb);
      if (again !== undefined) throw refused('target_not_empty', `the target database is not empty (${again} holds rows); a ledger is only migrated into an empty one`);
      const keys = copyAccounts(source, target);
      counts = { accounts: keys.size, blocks: copyChain(source, target, keys) };
    });
    const targetReport = verifyLedger(target);
    target.close();
    return { accounts: counts.accounts, transfers: sourceReport.transfers, blocks: counts.blocks, source: sourceReport, target: targetReport, ok: agree(sourceReport, targetReport) };
  });
}
