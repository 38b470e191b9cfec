// The default ledger store: better-sqlite3 on the server's one database file
// (server/src/db.ts: WAL, synchronous=FULL, one writer connection).
//
// Speed (issue #5 section 7). Every statement is prepared once; a batch is one
// transaction. What a commit costs is mostly the pages it dirties, and a
// transfer between accounts spread over the chart dirties one page per account
// in every per-account structure. History of that trade:
// - schema 1: two indexes on (debit/credit account id TEXT, at), ~70-byte
//   entries; batches of 100 ran at 5-8 % of raw inserts;
// - schema 2: narrow per-account structures keyed by the account's integer
//   number (ledger_balances, ledger_postings, one ~20-byte row per posting),
//   still written with every batch: ~10 %;
// - schema 3 (now; TigerBeetle-style: the log is the truth, derived state is
//   checkpointed): a batch commits only its transfer rows and the chain head,
//   durable before createTransfers returns. The balances and postings of the
//   transfers after ledger_checkpoint.seq (the tail) live in memory and are
//   written, sorted by account number, every LEDGER_CHECKPOINT_TRANSFERS
//   transfers, with the new checkpoint seq in the same transaction; a
//   checkpoint writes one posting-run row per account it moved (up to
//   POSTING_RUN_ENTRIES postings packed in a blob), not one row per posting.
//   Every read adds the tail. The tail is rebuilt from the transfers after the
//   checkpoint whenever the stored head or checkpoint differs from what memory
//   last saw (open, crash recovery, an enclosing transaction rolled back,
//   another connection wrote, a read-only verify while a server appends), so
//   nothing is lost between checkpoints.
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from '../db.js';
import type { AccountId, AccountSpec, TransferQuery } from './types.js';
import type { AccountState, AppendTransfer, BalanceDelta, ChainHead, IndexedTotals, LedgerStore, StoredAccount, StoredTransfer } from './store.js';
import { GENESIS_HASH } from './hash.js';
import { LedgerError, LedgerErrorCode } from './errors.js';

/**
 * 2: ledger_postings replaced the (account id, at) indexes of 1; 3: balances
 * and postings are checkpointed (ledger_checkpoint), so code reading schema 2
 * would see stale balances. Opening a 1 or 2 read-write migrates it.
 */
export const LEDGER_SCHEMA_VERSION = 3;

/**
 * Transfers after which the tail's balances and postings are checkpointed
 * (issue #5 section 7). Bounds the memory of the tail (one entry per side of a
 * transfer), the work of a recovery replay, and the scan a statement of the
 * tail costs; larger spreads a checkpoint's page writes over more transfers.
 */
export const LEDGER_CHECKPOINT_TRANSFERS = 50_000;

/**
 * Page cache the store asks of its connection, in KiB (SQLite's default is
 * 2 MiB). Checkpoints and account reads touch balance, account and posting
 * pages spread over the chart; with the default cache most of them are read
 * back from the OS each time (issue #5 section 7; 16 and 256 MiB measured no
 * better for the payroll).
 */
export const LEDGER_CACHE_KIB = 65_536;

/**
 * Most accounts whose rules and checkpointed totals a store keeps between
 * batches (the oldest entries go first when it is full). Saves a batch the
 * lookup of its accounts by text id, the largest cost left once the balances
 * moved out of the commit (issue #5 section 7).
 */
export const LEDGER_ACCOUNT_CACHE_LIMIT = 100_000;

/** Rows per multi-row INSERT of transfers (13 parameters each). */
const TRANSFERS_PER_INSERT = 50;

/** Posting runs read per statement by the per-account queries (bounds what one read holds). */
const RUNS_PER_READ = 256;

/** Postings migrated from schema 1 per statement round (bounds the rows held in memory). */
const MIGRATION_CHUNK_ROWS = 10_000;

// Tables are prefixed: the registry shares this database file so that a
// registry change and its transfers commit together (db.ts).
const SCHEMA = `
CREATE TABLE IF NOT EXISTS ledger_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS ledger_accounts (
  num INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  normal TEXT NOT NULL CHECK (normal IN ('debit', 'credit')),
  must_not_go_negative INTEGER NOT NULL CHECK (must_not_go_negative IN (0, 1)),
  meta TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS ledger_balances (
  num INTEGER PRIMARY KEY,
  debits_fen INTEGER NOT NULL,
  credits_fen INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS ledger_transfers (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  debit_account_id TEXT NOT NULL,
  credit_account_id TEXT NOT NULL,
  amount_fen INTEGER NOT NULL,
  code TEXT NOT NULL,
  at TEXT NOT NULL,
  reference TEXT,
  meta TEXT NOT NULL,
  linked INTEGER NOT NULL,
  recorded_at TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
) STRICT;
-- The per-account history (schema 3): balances on a date (interest on
-- 1 January, POLICY.md) and an account's transfers (statements). A row is a
-- run of up to POSTING_RUN_ENTRIES postings of one account, consecutive in seq
-- and written by one checkpoint, packed in data (postings-codec below), keyed
-- by its first seq: one B-tree entry for what a checkpoint brings an account,
-- not one per posting.
CREATE TABLE IF NOT EXISTS ledger_posting_runs (
  account_num INTEGER NOT NULL,
  first_seq INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (account_num, first_seq)
) STRICT, WITHOUT ROWID;
-- The chain's head, so that opening a ledger does not read the chain, and so
-- that deleting the last transfers is seen by verify.
CREATE TABLE IF NOT EXISTS ledger_head (
  one INTEGER PRIMARY KEY CHECK (one = 1),
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL
) STRICT;
-- Schema 3: ledger_balances and ledger_posting_runs hold exactly the transfers with
-- seq <= this; the later ones are replayed from ledger_transfers.
CREATE TABLE IF NOT EXISTS ledger_checkpoint (
  one INTEGER PRIMARY KEY CHECK (one = 1),
  seq INTEGER NOT NULL
) STRICT;
-- Transfers are immutable (issue #5 section 1). Dropping these triggers is
-- possible for whoever holds the file; verify is what catches that.
CREATE TRIGGER IF NOT EXISTS ledger_transfers_no_update BEFORE UPDATE ON ledger_transfers
BEGIN SELECT RAISE(ABORT, 'ledger transfers are append-only'); END;
CREATE TRIGGER IF NOT EXISTS ledger_transfers_no_delete BEFORE DELETE ON ledger_transfers
BEGIN SELECT RAISE(ABORT, 'ledger transfers are append-only'); END;
CREATE TRIGGER IF NOT EXISTS ledger_posting_runs_no_update BEFORE UPDATE ON ledger_posting_runs
BEGIN SELECT RAISE(ABORT, 'ledger postings are append-only'); END;
CREATE TRIGGER IF NOT EXISTS ledger_posting_runs_no_delete BEFORE DELETE ON ledger_posting_runs
BEGIN SELECT RAISE(ABORT, 'ledger postings are append-only'); END;
`;

const LEDGER_TABLES = ['ledger_meta', 'ledger_accounts', 'ledger_balances', 'ledger_transfers', 'ledger_head'];

const ACCOUNT_SELECT =
  'SELECT a.id, a.kind, a.normal, a.must_not_go_negative, a.meta, b.debits_fen, b.credits_fen, a.num FROM ledger_accounts a JOIN ledger_balances b ON b.num = a.num';

const TRANSFER_COLUMNS =
  'seq, id, debit_account_id, credit_account_id, amount_fen, code, at, reference, meta, linked, recorded_at, prev_hash, hash';
const T_TRANSFER_COLUMNS = TRANSFER_COLUMNS.split(', ')
  .map((c) => `t.${c}`)
  .join(', ');

type TransferRow = [number, string, string, string, number, string, string, string | null, string, number, string, string, string];
type AccountRow = [string, string, string, number, string, number, number, number];
type AccountStateRow = [number, string, number, number, number];

function toTransfer(r: TransferRow): StoredTransfer {
  return {
    seq: r[0],
    id: r[1],
    debitAccountId: r[2],
    creditAccountId: r[3],
    amountFen: r[4],
    code: r[5],
    at: r[6],
    reference: r[7],
    metaJson: r[8],
    linked: r[9] === 1,
    recordedAt: r[10],
    prevHash: r[11],
    hash: r[12],
  };
}

/** One account's share of the tail (the transfers after the checkpoint). */
interface TailAccount {
  id: AccountId;
  debitsFen: number;
  creditsFen: number;
  /** Postings in seq order, flattened: seq, debit fen, credit fen, at in ms. */
  postings: number[];
}

/** A transfer of the tail as replayed: seq, amount, at, debit id, credit id, debit num, credit num. */
type ReplayRow = [number, number, string, string, string, number | null, number | null];

function toAccount(r: AccountRow, tail: TailAccount | undefined): StoredAccount {
  let meta: Record<string, string> | undefined;
  if (r[4] !== '') {
    try {
      meta = JSON.parse(r[4]) as Record<string, string>;
    } catch {
      throw new LedgerError(LedgerErrorCode.CorruptStore, `account ${r[0]} has unreadable meta`);
    }
  }
  const spec: AccountSpec = { id: r[0], kind: r[1], normal: r[2] as 'debit' | 'credit', mustNotGoNegative: r[3] === 1 };
  if (meta !== undefined) spec.meta = meta;
  return { spec, debitsFen: r[5] + (tail?.debitsFen ?? 0), creditsFen: r[6] + (tail?.creditsFen ?? 0) };
}

/** ms since the epoch of a canonical ISO timestamp (validate.ts made it; Date.parse cannot fail on it). */
function atMs(canonicalAt: string): number {
  const ms = Date.parse(canonicalAt);
  if (Number.isNaN(ms)) throw new LedgerError(LedgerErrorCode.CorruptStore, `transfer time ${JSON.stringify(canonicalAt)} is not a timestamp`);
  return ms;
}

// Postings codec: a run is little-endian float64 triples (seq, signed amount:
// + debit / - credit, at in ms); every value is an integer well inside 2^53,
// and an account is never both sides of one transfer, so the sign is enough.
// Flattened in memory as (seq, debit fen, credit fen, at ms) quadruples.

/** Most postings in one run row: ~24 bytes each keeps a row inside its B-tree page (no overflow pages). */
export const POSTING_RUN_ENTRIES = 40;
const RUN_ENTRY_BYTES = 24;

function encodeRun(quads: readonly number[]): Buffer {
  const n = quads.length / 4;
  const out = Buffer.allocUnsafe(n * RUN_ENTRY_BYTES);
  for (let i = 0, q = 0, o = 0; i < n; i++, q += 4, o += RUN_ENTRY_BYTES) {
    out.writeDoubleLE(quads[q]!, o);
    out.writeDoubleLE(quads[q + 1]! > 0 ? quads[q + 1]! : -quads[q + 2]!, o + 8);
    out.writeDoubleLE(quads[q + 3]!, o + 16);
  }
  return out;
}

/** A run decoded as quadruples, or a description of what is wrong with it (verify reports it). */
function decodeRun(firstSeq: number, data: Buffer): number[] | string {
  if (data.length === 0 || data.length % RUN_ENTRY_BYTES !== 0) return `a posting run of ${data.length} bytes (not a positive multiple of ${RUN_ENTRY_BYTES})`;
  const out: number[] = [];
  let last = 0;
  for (let o = 0; o < data.length; o += RUN_ENTRY_BYTES) {
    const seq = data.readDoubleLE(o);
    const amount = data.readDoubleLE(o + 8);
    const ms = data.readDoubleLE(o + 16);
    if (!Number.isSafeInteger(seq) || seq <= last || (o === 0 && seq !== firstSeq)) return `a posting run starting at seq ${firstSeq} holds seq ${seq} out of order`;
    if (!Number.isSafeInteger(amount) || amount === 0 || !Number.isSafeInteger(ms)) return `a posting run starting at seq ${firstSeq} holds an unreadable posting at seq ${seq}`;
    out.push(seq, amount > 0 ? amount : 0, amount < 0 ? -amount : 0, ms);
    last = seq;
  }
  return out;
}

/** Schema 2's per-posting table: made by the schema 1 migration, read and dropped by the schema 2 one. */
const SCHEMA_2_POSTINGS = `CREATE TABLE IF NOT EXISTS ledger_postings (
  account_num INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  debit_fen INTEGER NOT NULL,
  credit_fen INTEGER NOT NULL,
  at_ms INTEGER NOT NULL,
  PRIMARY KEY (account_num, seq)
) STRICT, WITHOUT ROWID`;

/** Schema 1 -> 2: postings from the stored transfers, then the old indexes go. Runs inside the opening transaction. */
function migrateFromV1(db: SqliteDatabase): void {
  db.exec(SCHEMA_2_POSTINGS);
  const read = db
    .prepare<[number, number], [number, number, string, number | null, number | null]>(
      `SELECT t.seq, t.amount_fen, t.at, d.num, c.num FROM ledger_transfers t
       LEFT JOIN ledger_accounts d ON d.id = t.debit_account_id LEFT JOIN ledger_accounts c ON c.id = t.credit_account_id
       WHERE t.seq > ? ORDER BY t.seq LIMIT ?`,
    )
    .raw();
  const insert = db.prepare('INSERT OR IGNORE INTO ledger_postings (account_num, seq, debit_fen, credit_fen, at_ms) VALUES (?, ?, ?, ?, ?)');
  let after = 0;
  for (;;) {
    const rows = read.all(after, MIGRATION_CHUNK_ROWS);
    if (rows.length === 0) break;
    for (const [seq, amount, at, debitNum, creditNum] of rows) {
      // A transfer naming an account the chart lacks gets no posting there; verify reports it.
      const ms = Date.parse(at);
      const when = Number.isNaN(ms) ? 0 : ms;
      if (debitNum !== null) insert.run(debitNum, seq, amount, 0, when);
      if (creditNum !== null) insert.run(creditNum, seq, 0, amount, when);
    }
    after = rows[rows.length - 1]![0];
  }
  db.exec('DROP INDEX IF EXISTS ledger_transfers_debit_at; DROP INDEX IF EXISTS ledger_transfers_credit_at;');
}

/** Schema 2 -> 3: the postings become runs (streamed in key order), then the schema 2 table goes. */
function migrateFromV2(db: SqliteDatabase): void {
  const insertRun = db.prepare('INSERT INTO ledger_posting_runs (account_num, first_seq, data) VALUES (?, ?, ?)');
  let num = -1;
  let run: number[] = [];
  const flush = (): void => {
    if (run.length > 0) insertRun.run(num, run[0]!, encodeRun(run));
    run = [];
  };
  // Read in pages (keyset on the primary key): the connection cannot insert while a read is open.
  const page = db
    .prepare<[number, number, number, number], [number, number, number, number, number]>(
      `SELECT account_num, seq, debit_fen, credit_fen, at_ms FROM ledger_postings
       WHERE account_num > ? OR (account_num = ? AND seq > ?) ORDER BY account_num, seq LIMIT ?`,
    )
    .raw();
  let afterNum = -1;
  let afterSeq = 0;
  for (;;) {
    const rows = page.all(afterNum, afterNum, afterSeq, MIGRATION_CHUNK_ROWS);
    if (rows.length === 0) break;
    for (const [account, seq, debit, credit, ms] of rows) {
      if (account !== num || run.length === POSTING_RUN_ENTRIES * 4) {
        flush();
        num = account;
      }
      run.push(seq, debit, credit, ms);
    }
    [afterNum, afterSeq] = rows[rows.length - 1]!;
  }
  flush();
  db.exec('DROP TRIGGER IF EXISTS ledger_postings_no_update; DROP TRIGGER IF EXISTS ledger_postings_no_delete; DROP TABLE ledger_postings;');
}

/** Schema 1 or 2 -> 3: their balances and postings are complete, so the checkpoint is the head. */
function setCheckpointToHead(db: SqliteDatabase): void {
  const head = (db.prepare('SELECT seq FROM ledger_head WHERE one = 1').pluck().get() as number | undefined) ?? 0;
  db.prepare('INSERT INTO ledger_checkpoint (one, seq) VALUES (1, ?) ON CONFLICT (one) DO UPDATE SET seq = excluded.seq').run(head);
}

export interface SqliteLedgerStoreOptions {
  /** Opened read-only (verify): never create tables; refuse a database without a ledger. */
  readonly?: boolean;
  /** Transfers between checkpoints (default LEDGER_CHECKPOINT_TRANSFERS). */
  checkpointTransfers?: number;
}

export class SqliteLedgerStore implements LedgerStore {
  readonly kind = 'sqlite';
  readonly #db: SqliteDatabase;
  readonly #getAccount: Statement<[string], AccountRow>;
  readonly #getAccountState: Statement<[string], AccountStateRow>;
  readonly #insertAccount: (id: string, kind: string, normal: string, mustNotGoNegative: number, meta: string) => void;
  readonly #getTransfer: Statement<[string], TransferRow>;
  readonly #getTransfers: Statement<[string], TransferRow>;
  readonly #head: Statement<[], [number, string]>;
  readonly #setHead: Statement<[number, string]>;
  readonly #insertTransfer: Statement<unknown[]>;
  readonly #insertRun: Statement<[number, number, Buffer]>;
  readonly #insertTransfers: Statement<[unknown[]]>;
  /** An account's runs in seq order, from a first seq on. */
  readonly #runsFrom: Statement<[number, number, number], [number, Buffer]>;
  /** The run that holds a seq, if any: the last one starting at or before it. */
  readonly #runAt: Statement<[number, number], [number, Buffer]>;
  readonly #queries = new Map<string, Statement<unknown[], TransferRow>>();
  readonly #readonly: boolean;
  readonly #checkpointTransfers: number;
  readonly #position: Statement<[], [number | null, string | null, number | null]>;
  readonly #replay: Statement<[number], ReplayRow>;
  readonly #hashAt: Statement<[number], string>;
  readonly #addBalance: Statement<[number, number, number]>;
  readonly #setCheckpoint: Statement<[number]>;
  /**
   * Account id -> (num, normal, must not go negative, checkpointed totals).
   * A committed account never changes its number or rules, and its totals only
   * move with the checkpoint (updated in place, or the cache is emptied when
   * #sync sees a checkpoint it did not make). The one hazard is an account
   * created in a transaction that is later rolled back: its number can be given
   * to another account. So every account insert writes a new generation to a
   * TEMP table (which rolls back with the transaction), and the cache is
   * emptied whenever the stored generation is not the last one written. That
   * lets a caller's long transactions (the payroll's chunks) use the cache too.
   * (One store per connection: the TEMP table is the connection's.)
   */
  readonly #accountCache = new Map<AccountId, AccountStateRow>();
  /** Generations written to temp.ledger_account_mark: strictly increasing, never reused. */
  #markCounter = 0;
  /** The generation the cache is valid for (0: no account inserted through this store yet). */
  #markSeen = 0;
  readonly #readMark: Statement<[], number> | undefined;
  readonly #writeMark: Statement<[number]> | undefined;
  /** The tail per account number: the transfers with seq in (#tailFrom, #tailHead.seq]. */
  readonly #tail = new Map<number, TailAccount>();
  /** The checkpoint seq the tail starts after; -1: never synced. */
  #tailFrom = -1;
  /** The head the tail ends at, as the head table held it. */
  #tailHead: ChainHead = { seq: -1, hash: '' };

  constructor(db: SqliteDatabase, options: SqliteLedgerStoreOptions = {}) {
    this.#db = db;
    const readonly = options.readonly === true;
    this.#readonly = readonly;
    const every = options.checkpointTransfers ?? LEDGER_CHECKPOINT_TRANSFERS;
    if (!Number.isSafeInteger(every) || every < 1) throw new LedgerError(LedgerErrorCode.InvalidQuery, `checkpointTransfers must be a positive integer (got ${String(every)})`);
    this.#checkpointTransfers = every;
    if (readonly) {
      const found = db
        .prepare(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN (${LEDGER_TABLES.map((t) => `'${t}'`).join(', ')})`)
        .pluck()
        .get() as number;
      if (found !== LEDGER_TABLES.length) throw new LedgerError(LedgerErrorCode.SchemaMissing, 'the database holds no ledger (ledger tables missing)');
    } else {
      db.transaction(() => {
        db.exec(SCHEMA);
        const stored = db.prepare("SELECT value FROM ledger_meta WHERE key = 'schema_version'").pluck().get() as string | undefined;
        if (stored === undefined) {
          db.prepare('INSERT INTO ledger_meta (key, value) VALUES (?, ?)').run('schema_version', String(LEDGER_SCHEMA_VERSION));
          setCheckpointToHead(db);
        } else if (stored === '1' || stored === '2') {
          if (stored === '1') migrateFromV1(db);
          migrateFromV2(db);
          setCheckpointToHead(db);
          db.prepare("UPDATE ledger_meta SET value = ? WHERE key = 'schema_version'").run(String(LEDGER_SCHEMA_VERSION));
        }
      }).immediate();
      // Only ever raised: the connection may belong to a server that asked for more.
      const cache = db.pragma('cache_size', { simple: true }) as number;
      const pageSize = db.pragma('page_size', { simple: true }) as number;
      const cacheKib = cache < 0 ? -cache : (cache * pageSize) / 1024;
      if (cacheKib < LEDGER_CACHE_KIB) db.pragma(`cache_size = -${LEDGER_CACHE_KIB}`);
    }
    const version = db.prepare("SELECT value FROM ledger_meta WHERE key = 'schema_version'").pluck().get() as string | undefined;
    if (version !== String(LEDGER_SCHEMA_VERSION)) {
      const hint = (version === '1' || version === '2') && readonly ? ' (open it read-write once, e.g. start the server, to migrate it)' : '';
      throw new LedgerError(LedgerErrorCode.SchemaVersionMismatch, `ledger schema version ${String(version)}, this code reads ${LEDGER_SCHEMA_VERSION}${hint}`);
    }
    if (readonly && db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'ledger_checkpoint'").pluck().get() !== 1) {
      throw new LedgerError(LedgerErrorCode.SchemaMissing, 'the ledger has no checkpoint table (ledger_checkpoint)');
    }
    this.#getAccount = db.prepare<[string], AccountRow>(`${ACCOUNT_SELECT} WHERE a.id = ?`).raw();
    this.#getAccountState = db
      .prepare<[string], AccountStateRow>(
        'SELECT a.num, a.normal, a.must_not_go_negative, b.debits_fen, b.credits_fen FROM ledger_accounts a JOIN ledger_balances b ON b.num = a.num WHERE a.id = ?',
      )
      .raw();
    this.#getTransfer = db.prepare<[string], TransferRow>(`SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE id = ?`).raw();
    // One statement for a whole batch's ids (issue #5 section 7): almost always it finds none.
    this.#getTransfers = db
      .prepare<[string], TransferRow>(`SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE id IN (SELECT value FROM json_each(?))`)
      .raw();
    this.#head = db.prepare<[], [number, string]>('SELECT seq, hash FROM ledger_head WHERE one = 1').raw();
    this.#position = db
      .prepare<[], [number | null, string | null, number | null]>(
        'SELECT (SELECT seq FROM ledger_head WHERE one = 1), (SELECT hash FROM ledger_head WHERE one = 1), (SELECT seq FROM ledger_checkpoint WHERE one = 1)',
      )
      .raw();
    this.#replay = db
      .prepare<[number], ReplayRow>(
        `SELECT t.seq, t.amount_fen, t.at, t.debit_account_id, t.credit_account_id, d.num, c.num FROM ledger_transfers t
         LEFT JOIN ledger_accounts d ON d.id = t.debit_account_id LEFT JOIN ledger_accounts c ON c.id = t.credit_account_id
         WHERE t.seq > ? ORDER BY t.seq`,
      )
      .raw();
    this.#hashAt = db.prepare<[number], string>('SELECT hash FROM ledger_transfers WHERE seq = ?').pluck();
    this.#runsFrom = db
      .prepare<[number, number, number], [number, Buffer]>(
        'SELECT first_seq, data FROM ledger_posting_runs WHERE account_num = ? AND first_seq >= ? ORDER BY first_seq LIMIT ?',
      )
      .raw();
    this.#runAt = db
      .prepare<[number, number], [number, Buffer]>(
        'SELECT first_seq, data FROM ledger_posting_runs WHERE account_num = ? AND first_seq <= ? ORDER BY first_seq DESC LIMIT 1',
      )
      .raw();
    if (readonly) {
      // Writes are refused by the read-only connection itself; prepare nothing that writes.
      const refuse = (): never => {
        throw new LedgerError(LedgerErrorCode.Closed, 'the ledger was opened read-only');
      };
      const readOnly = { run: refuse } as unknown;
      this.#insertAccount = refuse;
      this.#setHead = readOnly as Statement<[number, string]>;
      this.#insertTransfer = readOnly as Statement<unknown[]>;
      this.#insertRun = readOnly as Statement<[number, number, Buffer]>;
      this.#insertTransfers = readOnly as Statement<[unknown[]]>;
      this.#readMark = undefined;
      this.#writeMark = undefined;
      this.#addBalance = readOnly as Statement<[number, number, number]>;
      this.#setCheckpoint = readOnly as Statement<[number]>;
    } else {
      const insertSpec = db.prepare('INSERT INTO ledger_accounts (id, kind, normal, must_not_go_negative, meta) VALUES (?, ?, ?, ?, ?)');
      const insertBalance = db.prepare('INSERT INTO ledger_balances (num, debits_fen, credits_fen) VALUES (?, 0, 0)');
      this.#insertAccount = (...args) => {
        insertBalance.run(insertSpec.run(...args).lastInsertRowid);
      };
      this.#setHead = db.prepare('INSERT INTO ledger_head (one, seq, hash) VALUES (1, ?, ?) ON CONFLICT (one) DO UPDATE SET seq = excluded.seq, hash = excluded.hash');
      this.#insertTransfer = db.prepare(`INSERT INTO ledger_transfers (${TRANSFER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      db.exec('CREATE TEMP TABLE IF NOT EXISTS ledger_account_mark (one INTEGER PRIMARY KEY CHECK (one = 1), gen INTEGER NOT NULL)');
      this.#readMark = db.prepare<[], number>('SELECT gen FROM temp.ledger_account_mark WHERE one = 1').pluck();
      this.#writeMark = db.prepare<[number]>('INSERT INTO temp.ledger_account_mark (one, gen) VALUES (1, ?) ON CONFLICT (one) DO UPDATE SET gen = excluded.gen');
      this.#insertTransfers = db.prepare<[unknown[]]>(
        `INSERT INTO ledger_transfers (${TRANSFER_COLUMNS}) VALUES ${Array.from({ length: TRANSFERS_PER_INSERT }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
      );
      this.#insertRun = db.prepare<[number, number, Buffer]>('INSERT INTO ledger_posting_runs (account_num, first_seq, data) VALUES (?, ?, ?)');
      this.#addBalance = db.prepare('UPDATE ledger_balances SET debits_fen = debits_fen + ?, credits_fen = credits_fen + ? WHERE num = ?');
      this.#setCheckpoint = db.prepare('INSERT INTO ledger_checkpoint (one, seq) VALUES (1, ?) ON CONFLICT (one) DO UPDATE SET seq = excluded.seq');
    }
  }

  transaction<T>(fn: () => T): T {
    const txn = this.#db.transaction(fn);
    // Inside an enclosing transaction better-sqlite3 nests with a savepoint;
    // alone, take the write lock at BEGIN so a batch never fails half-way on SQLITE_BUSY.
    return this.#db.inTransaction ? txn() : txn.immediate();
  }

  /** A read transaction: verify sees one snapshot even while a writer appends. */
  snapshot<T>(fn: () => T): T {
    return this.#db.inTransaction ? fn() : this.#db.transaction(fn).deferred();
  }

  /**
   * Brings the in-memory tail to what the database (as this connection sees
   * it now) holds. Memory is trusted only while the stored head and checkpoint
   * are the ones it last saw: any other value means a rollback, a crash, or
   * another connection, and the tail is replayed from the transfers (only the
   * new ones when the chain merely grew past the head memory knows).
   */
  #sync(): void {
    const [seqOrNull, hashOrNull, checkpointOrNull] = this.#position.get()!;
    const seq = seqOrNull ?? 0;
    const hash = hashOrNull ?? GENESIS_HASH;
    const checkpoint = checkpointOrNull ?? 0;
    const known = this.#tailHead;
    if (seq === known.seq && hash === known.hash && checkpoint === this.#tailFrom) return;
    const grewFromKnown =
      checkpoint === this.#tailFrom &&
      known.seq >= checkpoint &&
      seq > known.seq &&
      (known.seq === 0 ? known.hash === GENESIS_HASH : this.#hashAt.get(known.seq) === known.hash);
    if (!grewFromKnown) this.#tail.clear();
    if (checkpoint !== this.#tailFrom) this.#accountCache.clear();
    this.#tailFrom = checkpoint;
    // Until the replay is done memory matches nothing (an exception half-way leaves it so).
    this.#tailHead = { seq: -1, hash: '' };
    const from = grewFromKnown ? known.seq : checkpoint;
    let lastAt = '';
    let lastMs = 0;
    for (const [tSeq, amount, at, debitId, creditId, debitNum, creditNum] of this.#replay.iterate(from)) {
      if (at !== lastAt) {
        const ms = Date.parse(at);
        // A tampered time is verify's to report (chain_hash_mismatch); replay keeps going.
        lastMs = Number.isNaN(ms) ? 0 : ms;
        lastAt = at;
      }
      // A transfer naming an account the chart lacks moves no balance; verify reports it.
      if (debitNum !== null) this.#addToTail(debitNum, debitId, tSeq, amount, 0, lastMs);
      if (creditNum !== null) this.#addToTail(creditNum, creditId, tSeq, 0, amount, lastMs);
    }
    this.#tailHead = { seq, hash };
  }

  #addToTail(num: number, id: AccountId, seq: number, debitFen: number, creditFen: number, ms: number): void {
    let a = this.#tail.get(num);
    if (a === undefined) {
      a = { id, debitsFen: 0, creditsFen: 0, postings: [] };
      this.#tail.set(num, a);
    }
    a.debitsFen += debitFen;
    a.creditsFen += creditFen;
    a.postings.push(seq, debitFen, creditFen, ms);
  }

  /** Transfers after the checkpoint (for tests and the bench). */
  get unflushedTransfers(): number {
    this.#sync();
    return this.#tailHead.seq - this.#tailFrom;
  }

  /**
   * Writes the tail's balances and postings, sorted by account number (one
   * pass over the B-trees), and moves the checkpoint to the head, in one
   * transaction (nested in the caller's, if any). A rollback of that
   * transaction is seen by the next #sync, which replays the tail again.
   */
  checkpoint(): void {
    if (this.#readonly) throw new LedgerError(LedgerErrorCode.Closed, 'the ledger was opened read-only');
    this.transaction(() => {
      this.#sync();
      const head = this.#tailHead;
      if (head.seq === this.#tailFrom) return;
      const nums = [...this.#tail.keys()].sort((a, b) => a - b);
      // Each account's new postings as runs of up to POSTING_RUN_ENTRIES: one
      // B-tree entry per run rather than per posting (issue #5 section 7).
      const runQuads = POSTING_RUN_ENTRIES * 4;
      for (const num of nums) {
        const a = this.#tail.get(num)!;
        if (this.#addBalance.run(a.debitsFen, a.creditsFen, num).changes !== 1) {
          throw new LedgerError(LedgerErrorCode.CorruptStore, `account ${a.id} has no balance row`);
        }
        const p = a.postings;
        for (let k = 0; k < p.length; k += runQuads) {
          this.#insertRun.run(num, p[k]!, encodeRun(k === 0 && p.length <= runQuads ? p : p.slice(k, k + runQuads)));
        }
      }
      this.#setCheckpoint.run(head.seq);
      // The cached checkpointed totals move with the checkpoint rather than being
      // refetched (a refill was a tenth of a batch's time). Should this
      // transaction still roll back, #sync sees the old checkpoint and empties the cache.
      const cache = this.#accountCache;
      for (const a of this.#tail.values()) {
        const cached = cache.get(a.id);
        if (cached !== undefined) {
          cached[3] += a.debitsFen;
          cached[4] += a.creditsFen;
        }
      }
      this.#tail.clear();
      this.#tailFrom = head.seq;
    });
  }

  getAccount(id: AccountId): StoredAccount | undefined {
    const r = this.#getAccount.get(id);
    if (r === undefined) return undefined;
    this.#sync();
    return toAccount(r, this.#tail.get(r[7]));
  }

  #state(r: AccountStateRow): AccountState {
    const t = this.#tail.get(r[0]);
    return {
      key: r[0],
      normal: r[1] as 'debit' | 'credit',
      mustNotGoNegative: r[2] === 1,
      debitsFen: r[3] + (t?.debitsFen ?? 0),
      creditsFen: r[4] + (t?.creditsFen ?? 0),
    };
  }

  getAccountState(id: AccountId): AccountState | undefined {
    const r = this.#getAccountState.get(id);
    if (r === undefined) return undefined;
    this.#sync();
    return this.#state(r);
  }

  getAccountStates(ids: readonly AccountId[]): Map<AccountId, AccountState> {
    const found = new Map<AccountId, AccountState>();
    if (ids.length === 0) return found;
    this.#sync();
    const cache = this.#accountCache;
    if (this.#readMark !== undefined) {
      const mark = this.#readMark.get() ?? 0;
      if (mark !== this.#markSeen) {
        // An account insert was rolled back: a cached number may now be another account's.
        cache.clear();
        this.#markSeen = mark;
      }
    }
    const missing: AccountId[] = [];
    for (const id of ids) {
      const cached = cache.get(id);
      if (cached === undefined) missing.push(id);
      else found.set(id, this.#state(cached));
    }
    if (missing.length === 0) return found;
    const keep = this.#readMark !== undefined;
    if (keep && cache.size + missing.length > LEDGER_ACCOUNT_CACHE_LIMIT) {
      // First in, first out (a Map iterates in insertion order): what was read
      // just before (the payroll's balances of a chunk, then its transfers) stays.
      let drop = cache.size + missing.length - LEDGER_ACCOUNT_CACHE_LIMIT;
      for (const id of cache.keys()) {
        if (drop-- <= 0) break;
        cache.delete(id);
      }
    }
    // One indexed get per account: twice as fast as one statement over a JSON
    // array of them on a chart of millions (measured, 2.5M accounts: 2.0 vs 4.2-5.2 us).
    const get = this.#getAccountState;
    for (const id of missing) {
      const r = get.get(id);
      if (r === undefined) continue;
      // A fresh array per row (raw mode): the cache may keep it and move its totals in place.
      if (keep) cache.set(id, r);
      found.set(id, this.#state(r));
    }
    return found;
  }

  insertAccount(spec: AccountSpec): void {
    this.#insertAccount(spec.id, spec.kind, spec.normal, spec.mustNotGoNegative ? 1 : 0, spec.meta === undefined ? '' : JSON.stringify(spec.meta));
    if (this.#writeMark !== undefined) {
      // Catch up first: after a rollback the cache must not outlive it under a new generation.
      if ((this.#readMark!.get() ?? 0) !== this.#markSeen) this.#accountCache.clear();
      this.#writeMark.run(++this.#markCounter);
      this.#markSeen = this.#markCounter;
    }
  }

  getTransfer(id: string): StoredTransfer | undefined {
    const r = this.#getTransfer.get(id);
    return r === undefined ? undefined : toTransfer(r);
  }

  getTransfers(ids: readonly string[]): Map<string, StoredTransfer> {
    const found = new Map<string, StoredTransfer>();
    if (ids.length === 0) return found;
    for (const r of this.#getTransfers.all(JSON.stringify(ids))) found.set(r[1], toTransfer(r));
    return found;
  }

  head(): ChainHead {
    const r = this.#head.get();
    return r === undefined ? { seq: 0, hash: GENESIS_HASH } : { seq: r[0], hash: r[1] };
  }

  #insertRows(rows: readonly AppendTransfer[]): void {
    const insert = this.#insertTransfer;
    // Whole statements of TRANSFERS_PER_INSERT rows, then one row at a time:
    // the statement's own cost is shared by its rows (issue #5 section 7).
    const whole = rows.length - (rows.length % TRANSFERS_PER_INSERT);
    if (whole > 0) {
      const params: unknown[] = new Array<unknown>(TRANSFERS_PER_INSERT * 13);
      for (let from = 0; from < whole; from += TRANSFERS_PER_INSERT) {
        let k = 0;
        for (let i = from; i < from + TRANSFERS_PER_INSERT; i++) {
          const t = rows[i]!;
          params[k++] = t.seq;
          params[k++] = t.id;
          params[k++] = t.debitAccountId;
          params[k++] = t.creditAccountId;
          params[k++] = t.amountFen;
          params[k++] = t.code;
          params[k++] = t.at;
          params[k++] = t.reference;
          params[k++] = t.metaJson;
          params[k++] = t.linked ? 1 : 0;
          params[k++] = t.recordedAt;
          params[k++] = t.prevHash;
          params[k++] = t.hash;
        }
        this.#insertTransfers.run(params);
      }
    }
    for (let i = whole; i < rows.length; i++) {
      const t = rows[i]!;
      insert.run(t.seq, t.id, t.debitAccountId, t.creditAccountId, t.amountFen, t.code, t.at, t.reference, t.metaJson, t.linked ? 1 : 0, t.recordedAt, t.prevHash, t.hash);
    }
  }

  /** The transfer rows and the head; their balances and postings go to the in-memory tail (checkpointed later). */
  appendTransfers(rows: readonly AppendTransfer[]): void {
    if (rows.length === 0) return;
    this.#sync();
    try {
      this.#insertRows(rows);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE' && /ledger_transfers\.id/.test((error as Error).message)) {
        throw new LedgerError(LedgerErrorCode.TransferIdStored, 'a transfer id of the batch is already stored');
      }
      throw error;
    }
    const last = rows[rows.length - 1]!;
    this.#setHead.run(last.seq, last.hash);
    // The rows are written; memory follows only if it was at the head they continue.
    const continuesTail = rows[0]!.seq === this.#tailHead.seq + 1;
    this.#tailHead = { seq: -1, hash: '' };
    if (!continuesTail) return;
    let lastAt = '';
    let lastMs = 0;
    for (const t of rows) {
      // A batch's transfers mostly share one time (a run's, a kiosk's morning): parse it once.
      if (t.at !== lastAt) {
        lastMs = atMs(t.at);
        lastAt = t.at;
      }
      this.#addToTail(t.debitKey, t.debitAccountId, t.seq, t.amountFen, 0, lastMs);
      this.#addToTail(t.creditKey, t.creditAccountId, t.seq, 0, t.amountFen, lastMs);
    }
    this.#tailHead = { seq: last.seq, hash: last.hash };
  }

  /**
   * The totals were already added from the rows by appendTransfers (the log is
   * the one source, so the live path and a replay cannot differ): the deltas
   * are not needed here; this checkpoints when it is due.
   */
  applyBalanceDeltas(_deltas: Iterable<BalanceDelta>): void {
    if (this.#tailHead.seq - this.#tailFrom >= this.#checkpointTransfers) this.checkpoint();
  }

  sumTransfers(accountId: AccountId, before: string | undefined): { debitsFen: number; creditsFen: number } {
    const beforeMs = before === undefined ? undefined : atMs(before);
    let debitsFen = 0;
    let creditsFen = 0;
    const num = this.#getAccountState.get(accountId)?.[0];
    if (num === undefined) return { debitsFen, creditsFen };
    /** Adds postings (seq, debit, credit, ms quads) dated before `before`, or all of them. */
    const add = (q: readonly number[]): void => {
      for (let k = 0; k < q.length; k += 4) {
        if (beforeMs === undefined || q[k + 3]! < beforeMs) {
          debitsFen += q[k + 1]!;
          creditsFen += q[k + 2]!;
        }
      }
    };
    this.#sync();
    for (let from = 0; ; ) {
      const runs = this.#runsFrom.all(num, from, RUNS_PER_READ);
      for (const [firstSeq, data] of runs) add(this.#decode(accountId, firstSeq, data));
      if (runs.length < RUNS_PER_READ) break;
      from = runs[runs.length - 1]![0] + 1;
    }
    const t = this.#tail.get(num);
    if (t !== undefined && beforeMs === undefined) {
      // The tail's running totals: no need to walk its postings.
      debitsFen += t.debitsFen;
      creditsFen += t.creditsFen;
    } else if (t !== undefined) {
      add(t.postings);
    }
    return { debitsFen, creditsFen };
  }

  #decode(accountId: AccountId, firstSeq: number, data: Buffer): number[] {
    const q = decodeRun(firstSeq, data);
    if (typeof q === 'string') throw new LedgerError(LedgerErrorCode.CorruptStore, `account ${accountId}: ${q}`);
    return q;
  }

  #statement(sql: string): Statement<unknown[], TransferRow> {
    let stmt = this.#queries.get(sql);
    if (stmt === undefined) {
      stmt = this.#db.prepare<unknown[], TransferRow>(sql).raw();
      this.#queries.set(sql, stmt);
    }
    return stmt;
  }

  queryTransfers(query: Required<Pick<TransferQuery, 'limit' | 'afterSeq'>> & Omit<TransferQuery, 'limit' | 'afterSeq'>): StoredTransfer[] {
    // One prepared statement per combination of filters (at most 32), cached.
    const filters: string[] = [];
    const filterParams: unknown[] = [];
    if (query.code !== undefined) {
      filters.push('t.code = ?');
      filterParams.push(query.code);
    }
    if (query.from !== undefined) {
      filters.push('t.at >= ?');
      filterParams.push(query.from);
    }
    if (query.to !== undefined) {
      filters.push('t.at < ?');
      filterParams.push(query.to);
    }
    const and = filters.map((f) => ` AND ${f}`).join('');
    if (query.accountId === undefined) {
      const sql = `SELECT ${T_TRANSFER_COLUMNS} FROM ledger_transfers t WHERE t.seq > ?${and} ORDER BY t.seq LIMIT ?`;
      return this.#statement(sql).all(query.afterSeq, ...filterParams, query.limit).map(toTransfer);
    }
    // Up to the checkpoint the account's posting runs in seq order give the
    // candidate seqs, read a page of runs at a time, so a page of a busy fund
    // account reads only about that page; after it, the tail's own list of the
    // account's seqs. The transfers are fetched by seq with the filters applied.
    const accountId = query.accountId;
    const account = this.#getAccountState.get(accountId);
    if (account === undefined) return [];
    const num = account[0];
    this.#sync();
    const checkpoint = this.#tailFrom;
    const out: StoredTransfer[] = [];
    const bySeqs = this.#statement(`SELECT ${T_TRANSFER_COLUMNS} FROM ledger_transfers t WHERE t.seq IN (SELECT value FROM json_each(?))${and} ORDER BY t.seq LIMIT ?`);
    const pending: number[] = [];
    const flush = (): void => {
      if (pending.length > 0 && out.length < query.limit) {
        for (const r of bySeqs.all(JSON.stringify(pending), ...filterParams, query.limit - out.length)) out.push(toTransfer(r));
      }
      pending.length = 0;
    };
    const take = (firstSeq: number, data: Buffer): void => {
      const q = this.#decode(accountId, firstSeq, data);
      for (let k = 0; k < q.length; k += 4) {
        const seq = q[k]!;
        if (seq > query.afterSeq && seq <= checkpoint) pending.push(seq);
      }
    };
    if (query.afterSeq < checkpoint) {
      // The run that may hold seqs on both sides of afterSeq, then the runs after it.
      const straddling = this.#runAt.get(num, query.afterSeq);
      if (straddling !== undefined) take(straddling[0], straddling[1]);
      for (let from = query.afterSeq + 1; out.length < query.limit; ) {
        const runs = this.#runsFrom.all(num, from, RUNS_PER_READ);
        for (const [firstSeq, data] of runs) take(firstSeq, data);
        flush();
        if (runs.length < RUNS_PER_READ) break;
        from = runs[runs.length - 1]![0] + 1;
      }
    }
    const tail = this.#tail.get(num);
    if (out.length < query.limit && tail !== undefined) {
      for (let k = 0; k < tail.postings.length; k += 4) {
        const seq = tail.postings[k]!;
        if (seq > query.afterSeq) pending.push(seq);
      }
      flush();
    }
    return out;
  }

  *scanTransfers(): Iterable<StoredTransfer> {
    const stmt = this.#db.prepare<[], TransferRow>(`SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers ORDER BY seq`).raw();
    for (const r of stmt.iterate()) yield toTransfer(r);
  }

  /** Every account with its totals at the head: the checkpointed ones plus the tail. */
  *scanAccounts(): Iterable<StoredAccount> {
    this.#sync();
    const stmt = this.#db.prepare<[], AccountRow>(`${ACCOUNT_SELECT} ORDER BY a.id`).raw();
    for (const r of stmt.iterate()) yield toAccount(r, this.#tail.get(r[7]));
  }

  /** The index at the head: the checkpointed postings plus the tail's. */
  *scanIndexedTotals(): Iterable<IndexedTotals> {
    this.#sync();
    const checkpoint = this.#tailFrom;
    const stmt = this.#db
      .prepare<[], [number, string | null, number, Buffer]>(
        `SELECT r.account_num, a.id, r.first_seq, r.data FROM ledger_posting_runs r LEFT JOIN ledger_accounts a ON a.num = r.account_num
         ORDER BY r.account_num, r.first_seq`,
      )
      .raw();
    const seen = new Set<number>();
    let current: (IndexedTotals & { lastSeq: number }) | undefined;
    const finish = (x: IndexedTotals & { lastSeq: number }): IndexedTotals => {
      const t = this.#tail.get(x.key);
      if (t !== undefined) seen.add(x.key);
      const out: IndexedTotals = {
        key: x.key,
        accountId: x.accountId,
        debitsFen: x.debitsFen + (t?.debitsFen ?? 0),
        creditsFen: x.creditsFen + (t?.creditsFen ?? 0),
        entries: x.entries + (t === undefined ? 0 : t.postings.length / 4),
      };
      if (x.problems !== undefined) out.problems = x.problems;
      return out;
    };
    for (const [num, id, firstSeq, data] of stmt.iterate()) {
      if (current !== undefined && current.key !== num) {
        yield finish(current);
        current = undefined;
      }
      current ??= { key: num, accountId: id ?? undefined, debitsFen: 0, creditsFen: 0, entries: 0, lastSeq: 0 };
      const q = decodeRun(firstSeq, data);
      const problem = (why: string): void => {
        (current!.problems ??= []).push(why);
      };
      if (typeof q === 'string') {
        problem(q);
        continue;
      }
      if (firstSeq <= current.lastSeq) problem(`posting runs overlap at seq ${firstSeq}`);
      for (let k = 0; k < q.length; k += 4) {
        current.debitsFen += q[k + 1]!;
        current.creditsFen += q[k + 2]!;
        current.entries++;
      }
      current.lastSeq = q[q.length - 4]!;
      if (current.lastSeq > checkpoint) problem(`a posting run holds seq ${current.lastSeq}, after the checkpoint at ${checkpoint}`);
    }
    if (current !== undefined) yield finish(current);
    for (const [num, t] of this.#tail) {
      if (!seen.has(num)) yield { key: num, accountId: t.id, debitsFen: t.debitsFen, creditsFen: t.creditsFen, entries: t.postings.length / 4 };
    }
  }

  /**
   * Checkpoints a read-write store (so the next open replays nothing), then
   * forgets the tail. A failed checkpoint loses nothing: the transfers are
   * committed and the next open replays them, so close does not throw for it.
   */
  close(): void {
    if (!this.#readonly && this.#db.open && !this.#db.inTransaction) {
      try {
        this.checkpoint();
      } catch {
        // Recovery replays the tail on the next open (see the header).
      }
    }
    this.#tail.clear();
    this.#accountCache.clear();
    this.#tailFrom = -1;
    this.#tailHead = { seq: -1, hash: '' };
    this.#queries.clear();
  }
}
