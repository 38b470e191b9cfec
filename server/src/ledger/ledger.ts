// The central double-entry ledger (issue #5 section 1; ARCHITECTURE.md
// "Durability and security rules"): immutable transfers between accounts, ids
// made by the originator, TigerBeetle-style results and linked chains, a hash
// chain for tamper evidence, balances derived and checked by verify.
import { pino, type Logger } from 'pino';
import type { SqliteDatabase } from '../db.js';
import type {
  AccountId,
  AccountSpec,
  Balance,
  Transfer,
  TransferInput,
  TransferMetaValue,
  TransferQuery,
  TransferResult,
  VerifyProblem,
  VerifyProblemKind,
  VerifyReport,
} from './types.js';
import type { AppendTransfer, BalanceDelta, LedgerStore, StoredTransfer, TransferQueryParams } from './store.js';
import { SqliteLedgerStore, type SqliteLedgerStoreOptions } from './sqlite/store.js';
import { GENESIS_HASH, transferHash } from './hash.js';
import { LedgerError, LedgerErrorCode, isLedgerError } from './errors.js';
import { ACCOUNT_ID_MAX_LENGTH } from './chart.js';
import { canonicalTimestamp } from './validate.js';
import { accountIdsOf, correctionReferencesOf, evaluateBatch, normalizeBatch, transferIdsOf, type BatchState, type CreatedTransfer, type NormalizedBatch } from './evaluate.js';

/** Most transfers in one createTransfers call: bounds a transaction's size and its time holding the write lock. */
export const MAX_BATCH_TRANSFERS = 10_000;
/** Most accounts in one ensureAccounts call. */
export const MAX_ENSURE_ACCOUNTS = 100_000;
export const TRANSFER_QUERY_DEFAULT_LIMIT = 1_000;
export const TRANSFER_QUERY_MAX_LIMIT = 10_000;
/** Most accounts in one balances() call. */
export const MAX_BALANCES_ACCOUNTS = 10_000;
/** verify lists at most this many problems; the count past it is only flagged. */
export const VERIFY_MAX_PROBLEMS = 1_000;

const ACCOUNT_KIND = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const ACCOUNT_META_KEY = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

export interface LedgerOptions {
  logger?: Logger;
}

function normalBalance(normal: 'debit' | 'credit', debitsFen: number, creditsFen: number): number {
  return normal === 'debit' ? debitsFen - creditsFen : creditsFen - debitsFen;
}

function sortedMeta(meta: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(meta).sort()) out[key] = meta[key]!;
  return out;
}

function toTransfer(t: StoredTransfer): Transfer {
  const out: Transfer = {
    id: t.id,
    debitAccountId: t.debitAccountId,
    creditAccountId: t.creditAccountId,
    amountFen: t.amountFen,
    code: t.code,
    at: t.at,
    seq: t.seq,
    hash: t.hash,
    prevHash: t.prevHash,
    recordedAt: t.recordedAt,
  };
  if (t.reference !== null) out.reference = t.reference;
  if (t.metaJson !== '') out.meta = JSON.parse(t.metaJson) as Record<string, TransferMetaValue>;
  if (t.linked) out.linked = true;
  return out;
}

function checkSpec(spec: unknown): AccountSpec {
  const bad = (why: string): never => {
    throw new LedgerError(LedgerErrorCode.InvalidAccountSpec, `invalid account spec: ${why}`, { spec });
  };
  if (typeof spec !== 'object' || spec === null) return bad('not an object');
  const s = spec as Partial<Record<keyof AccountSpec, unknown>>;
  if (typeof s.id !== 'string' || s.id.length === 0 || s.id.length > ACCOUNT_ID_MAX_LENGTH) return bad('id must be 1-128 characters');
  if (typeof s.kind !== 'string' || !ACCOUNT_KIND.test(s.kind)) return bad(`kind of ${s.id} must match ${ACCOUNT_KIND}`);
  if (s.normal !== 'debit' && s.normal !== 'credit') return bad(`normal of ${s.id} must be 'debit' or 'credit'`);
  if (typeof s.mustNotGoNegative !== 'boolean') return bad(`mustNotGoNegative of ${s.id} must be a boolean`);
  const out: AccountSpec = { id: s.id, kind: s.kind, normal: s.normal, mustNotGoNegative: s.mustNotGoNegative };
  if (s.meta !== undefined) {
    if (typeof s.meta !== 'object' || s.meta === null || Array.isArray(s.meta)) return bad(`meta of ${s.id} must be an object`);
    const entries = Object.entries(s.meta);
    if (entries.length > 32) return bad(`meta of ${s.id} has more than 32 keys`);
    for (const [k, v] of entries) {
      if (!ACCOUNT_META_KEY.test(k) || typeof v !== 'string' || v.length > 512) return bad(`meta ${k} of ${s.id} must be a string of at most 512 characters`);
    }
    if (entries.length > 0) out.meta = sortedMeta(s.meta as Record<string, string>);
  }
  return out;
}

function sameSpec(a: AccountSpec, b: AccountSpec): boolean {
  return (
    a.kind === b.kind &&
    a.normal === b.normal &&
    a.mustNotGoNegative === b.mustNotGoNegative &&
    JSON.stringify(a.meta ?? {}) === JSON.stringify(b.meta ?? {})
  );
}

export class Ledger {
  readonly #store: LedgerStore;
  readonly #logger: Logger;
  #closed = false;

  constructor(store: LedgerStore, options: LedgerOptions = {}) {
    this.#store = store;
    this.#logger = options.logger ?? pino({ level: 'silent' });
  }

  /** The default store on the server's database (server/src/db.ts); creates the ledger tables if missing. */
  static openSqlite(db: SqliteDatabase, options: LedgerOptions & { readonly?: boolean; checkpointTransfers?: number } = {}): Ledger {
    const storeOptions: SqliteLedgerStoreOptions = { readonly: options.readonly === true };
    if (options.checkpointTransfers !== undefined) storeOptions.checkpointTransfers = options.checkpointTransfers;
    return new Ledger(new SqliteLedgerStore(db, storeOptions), options);
  }

  get store(): LedgerStore {
    return this.#store;
  }

  #open(): void {
    if (this.#closed) throw new LedgerError(LedgerErrorCode.Closed, 'the ledger is closed');
  }

  /** Creates the accounts that are missing, in one transaction; a spec that differs from the stored one throws and creates none. */
  ensureAccounts(specs: AccountSpec[]): void {
    this.#open();
    if (!Array.isArray(specs) || specs.length > MAX_ENSURE_ACCOUNTS) {
      throw new LedgerError(LedgerErrorCode.InvalidAccountSpec, `ensureAccounts takes an array of at most ${MAX_ENSURE_ACCOUNTS} specs`);
    }
    const checked = specs.map(checkSpec);
    this.#store.transaction(() => {
      for (const spec of checked) {
        const existing = this.#store.getAccount(spec.id);
        if (existing === undefined) {
          this.#store.insertAccount(spec);
        } else if (!sameSpec(existing.spec, spec)) {
          throw new LedgerError(LedgerErrorCode.AccountSpecConflict, `account ${spec.id} exists with another spec`, { stored: existing.spec, requested: spec });
        }
      }
    });
  }

  getAccount(id: AccountId): AccountSpec | undefined {
    this.#open();
    return this.#store.getAccount(id)?.spec;
  }

  /**
   * Applies a batch in one transaction (a savepoint inside an enclosing one)
   * and returns one result per input, in order. A refused transfer writes
   * nothing; a linked chain's new transfers are written all or none
   * (evaluate.ts has the rules).
   */
  createTransfers(batch: TransferInput[]): TransferResult[] {
    this.#open();
    if (!Array.isArray(batch)) throw new LedgerError(LedgerErrorCode.InvalidBatch, 'createTransfers takes an array');
    if (batch.length > MAX_BATCH_TRANSFERS) {
      throw new LedgerError(LedgerErrorCode.InvalidBatch, `a batch holds at most ${MAX_BATCH_TRANSFERS} transfers (got ${batch.length})`);
    }
    if (batch.length === 0) return [];
    // Ids are made by the originators and are almost always new, so the batch is
    // first applied without looking them up (issue #5 section 7). A stored id
    // shows as the store's unique id refusing the row, or as a refusal (a retry
    // re-applied may not fit any more): the batch is then applied again,
    // looking every id up, in a fresh transaction (the first left nothing).
    // Normalizing needs no store: done once for both passes.
    const normalized = normalizeBatch(batch);
    try {
      return this.#store.transaction(() => this.#apply(normalized, true));
    } catch (error) {
      if (!(isLedgerError(error) && error.code === LedgerErrorCode.TransferIdStored)) throw error;
    }
    return this.#store.transaction(() => this.#apply(normalized, false));
  }

  /** Reads what the evaluation needs, decides the batch (pure), commits what it created. */
  #apply(batch: NormalizedBatch, assumeNew: boolean): TransferResult[] {
    const outcome = evaluateBatch(batch, this.#batchState(batch, assumeNew));
    if (outcome.kind === 'look-up-ids') throw new LedgerError(LedgerErrorCode.TransferIdStored, 'a refused transfer may be stored: look its id up');
    for (const r of outcome.reused) {
      // issue #5: "same id, other content: refused and alerted".
      this.#logger.warn({ event: 'ledger.transfer_id_reused', transferId: r.transferId, result: r.result }, 'transfer id reused with other content');
    }
    if (outcome.created.length > 0) this.#commit(outcome.created, outcome.deltas);
    return outcome.results;
  }

  /** The store's state for a batch: one query for its accounts, one for its stored ids and references (issue #5 section 7). */
  #batchState(batch: NormalizedBatch, assumeNew: boolean): BatchState {
    const store = this.#store;
    const references = correctionReferencesOf(batch);
    const lookups = assumeNew ? references : [...transferIdsOf(batch), ...references];
    const found = lookups.length === 0 ? new Map<string, StoredTransfer>() : store.getTransfers(lookups);
    return {
      headSeq: store.head().seq,
      accounts: store.getAccountStates(accountIdsOf(batch)),
      stored: assumeNew ? undefined : found,
      storedReferences: new Set(references.filter((r) => found.has(r))),
    };
  }

  /** Appends the created transfers, chained, and their balance deltas. */
  #commit(created: readonly CreatedTransfer[], deltas: BalanceDelta[]): void {
    const store = this.#store;
    const head = store.head();
    const recordedAt = new Date().toISOString();
    let prevHash = head.hash;
    const appended: AppendTransfer[] = new Array<AppendTransfer>(created.length);
    for (let c = 0; c < created.length; c++) {
      const { row: r, seq, debitKey, creditKey } = created[c]!;
      const s: AppendTransfer = {
        seq,
        id: r.id,
        debitAccountId: r.debitAccountId,
        creditAccountId: r.creditAccountId,
        amountFen: r.amountFen,
        code: r.code,
        at: r.at,
        reference: r.reference,
        metaJson: r.metaJson,
        linked: r.linked,
        recordedAt,
        prevHash,
        hash: '',
        debitKey,
        creditKey,
      };
      s.hash = transferHash(prevHash, s);
      prevHash = s.hash;
      appended[c] = s;
    }
    store.appendTransfers(appended);
    store.applyBalanceDeltas(deltas);
  }

  getTransfer(id: string): Transfer | undefined {
    this.#open();
    if (typeof id !== 'string') throw new LedgerError(LedgerErrorCode.InvalidQuery, 'transfer id must be a string');
    const t = this.#store.getTransfer(id);
    return t === undefined ? undefined : toTransfer(t);
  }

  /**
   * The account's balance: from the derived totals, or with `before`, summed
   * from its transfers with at < before (interest uses the balance on
   * 1 January, POLICY.md "The personal account").
   */
  balance(accountId: AccountId, options: { before?: string } = {}): Balance {
    this.#open();
    const stored = typeof accountId === 'string' ? this.#store.getAccountState(accountId) : undefined;
    if (stored === undefined) throw new LedgerError(LedgerErrorCode.AccountNotFound, `no account ${String(accountId)}`);
    let { debitsFen, creditsFen } = stored;
    if (options.before !== undefined) {
      const before = canonicalTimestamp(options.before);
      if (before === undefined) throw new LedgerError(LedgerErrorCode.InvalidQuery, `before must be an ISO timestamp (got ${JSON.stringify(options.before)})`);
      ({ debitsFen, creditsFen } = this.#store.sumTransfers(accountId, before));
    }
    return { accountId, debitsFen, creditsFen, balanceFen: normalBalance(stored.normal, debitsFen, creditsFen) };
  }

  /**
   * The current balances of several accounts, in the order asked (the payroll
   * reads a person's five sources at once). Same answers as balance() without
   * `before`; an unknown account throws AccountNotFound, as balance() does.
   */
  balances(accountIds: readonly AccountId[]): Balance[] {
    this.#open();
    if (!Array.isArray(accountIds) || accountIds.length > MAX_BALANCES_ACCOUNTS) {
      throw new LedgerError(LedgerErrorCode.InvalidQuery, `balances takes an array of at most ${MAX_BALANCES_ACCOUNTS} account ids`);
    }
    for (const accountId of accountIds) {
      if (typeof accountId !== 'string') throw new LedgerError(LedgerErrorCode.AccountNotFound, `no account ${String(accountId)}`);
    }
    const states = this.#store.getAccountStates(accountIds);
    const out = new Array<Balance>(accountIds.length);
    for (let i = 0; i < accountIds.length; i++) {
      const accountId = accountIds[i]!;
      const stored = states.get(accountId);
      if (stored === undefined) throw new LedgerError(LedgerErrorCode.AccountNotFound, `no account ${String(accountId)}`);
      out[i] = { accountId, debitsFen: stored.debitsFen, creditsFen: stored.creditsFen, balanceFen: normalBalance(stored.normal, stored.debitsFen, stored.creditsFen) };
    }
    return out;
  }

  /** Transfers in seq order, filtered; page with afterSeq = the last seq of the previous page. */
  transfers(query: TransferQuery = {}): Transfer[] {
    this.#open();
    const bad = (why: string): never => {
      throw new LedgerError(LedgerErrorCode.InvalidQuery, `invalid transfer query: ${why}`, { query });
    };
    const limit = query.limit ?? TRANSFER_QUERY_DEFAULT_LIMIT;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > TRANSFER_QUERY_MAX_LIMIT) bad(`limit must be 1-${TRANSFER_QUERY_MAX_LIMIT}`);
    const afterSeq = query.afterSeq ?? 0;
    if (!Number.isSafeInteger(afterSeq) || afterSeq < 0) bad('afterSeq must be a non-negative integer');
    if (query.accountId !== undefined && typeof query.accountId !== 'string') bad('accountId must be a string');
    if (query.code !== undefined && typeof query.code !== 'string') bad('code must be a string');
    const q: TransferQueryParams = { limit, afterSeq };
    if (query.accountId !== undefined) q.accountId = query.accountId;
    if (query.code !== undefined) q.code = query.code;
    if (query.from !== undefined) q.from = canonicalTimestamp(query.from) ?? bad('from must be an ISO timestamp');
    if (query.to !== undefined) q.to = canonicalTimestamp(query.to) ?? bad('to must be an ISO timestamp');
    return this.#store.queryTransfers(q).map(toTransfer);
  }

  /**
   * `nongbao ledger verify` (issue #5 section 1): the hash chain is unbroken and
   * matches the head, every account's totals equal the sums of its transfers,
   * no must-not-go-negative account is negative, and the books balance. Reads
   * one snapshot; one pass over the transfers, memory bounded by the number of
   * accounts.
   */
  verify(): VerifyReport {
    this.#open();
    const started = performance.now();
    const store = this.#store;
    return store.snapshot(() => {
      const problems: VerifyProblem[] = [];
      let problemCount = 0;
      const problem = (kind: VerifyProblemKind, detail: string, where: Omit<VerifyProblem, 'kind' | 'detail'> = {}): void => {
        problemCount++;
        if (problems.length < VERIFY_MAX_PROBLEMS) problems.push({ kind, detail, ...where });
      };
      const sums = new Map<AccountId, { debitsFen: number; creditsFen: number }>();
      const sumOf = (id: AccountId): { debitsFen: number; creditsFen: number } => {
        let s = sums.get(id);
        if (s === undefined) {
          s = { debitsFen: 0, creditsFen: 0 };
          sums.set(id, s);
        }
        return s;
      };
      let count = 0;
      let lastSeq = 0;
      let prevHash = GENESIS_HASH;
      let totalTransfersFen = 0n;
      let validTransfers = 0;
      for (const t of store.scanTransfers()) {
        count++;
        if (t.seq !== lastSeq + 1) problem('chain_seq_gap', `seq ${t.seq} follows ${lastSeq}`, { seq: t.seq, transferId: t.id });
        if (t.prevHash !== prevHash) problem('chain_prev_hash_mismatch', `prevHash does not match the hash of seq ${lastSeq}`, { seq: t.seq, transferId: t.id });
        const hash = transferHash(t.prevHash, t);
        if (hash !== t.hash) problem('chain_hash_mismatch', 'stored hash differs from the hash of the stored content', { seq: t.seq, transferId: t.id });
        if (typeof t.amountFen !== 'number' || !Number.isSafeInteger(t.amountFen) || t.amountFen <= 0 || t.debitAccountId === t.creditAccountId) {
          problem('transfer_invalid', `amount ${String(t.amountFen)} fen between ${t.debitAccountId} and ${t.creditAccountId}`, { seq: t.seq, transferId: t.id });
        } else {
          sumOf(t.debitAccountId).debitsFen += t.amountFen;
          sumOf(t.creditAccountId).creditsFen += t.amountFen;
          totalTransfersFen += BigInt(t.amountFen);
          validTransfers++;
        }
        lastSeq = t.seq;
        // Continue from the stored hash so one bad row is reported once, not for the whole tail.
        prevHash = t.hash;
      }
      const head = store.head();
      if (head.seq !== lastSeq || head.hash !== prevHash) {
        problem('chain_head_mismatch', `head is seq ${head.seq}, the last transfer is seq ${lastSeq}`, { seq: head.seq });
      }
      let accountCount = 0;
      let totalDebits = 0n;
      let totalCredits = 0n;
      // The transfers' sums per account, kept for the index check below (the loop over accounts consumes `sums`).
      const transferSums = new Map(sums);
      for (const a of store.scanAccounts()) {
        accountCount++;
        totalDebits += BigInt(a.debitsFen);
        totalCredits += BigInt(a.creditsFen);
        const s = sums.get(a.spec.id) ?? { debitsFen: 0, creditsFen: 0 };
        sums.delete(a.spec.id);
        if (s.debitsFen !== a.debitsFen || s.creditsFen !== a.creditsFen) {
          problem(
            'balance_mismatch',
            `stored debits/credits ${a.debitsFen}/${a.creditsFen} fen, transfers sum to ${s.debitsFen}/${s.creditsFen} fen`,
            { accountId: a.spec.id },
          );
        }
        if (a.spec.mustNotGoNegative && normalBalance(a.spec.normal, a.debitsFen, a.creditsFen) < 0) {
          problem('negative_balance', `balance ${normalBalance(a.spec.normal, a.debitsFen, a.creditsFen)} fen on an account that must not go negative`, { accountId: a.spec.id });
        }
      }
      for (const id of sums.keys()) problem('transfer_account_missing', 'transfers name an account the chart does not hold', { accountId: id });
      // The per-account index (postings) answers balance-on-a-date and statements:
      // its totals per account must be the transfers' sums (one entry per side).
      let indexEntries = 0;
      for (const x of store.scanIndexedTotals()) {
        indexEntries += x.entries;
        for (const why of x.problems ?? []) {
          if (x.accountId === undefined) problem('index_mismatch', `account number ${x.key}: ${why}`);
          else problem('index_mismatch', why, { accountId: x.accountId });
        }
        const s = x.accountId === undefined ? undefined : transferSums.get(x.accountId);
        if (s === undefined) {
          if (x.accountId === undefined) problem('index_mismatch', `the account index holds ${x.entries} entries for account number ${x.key}, which the chart does not hold`);
          else problem('index_mismatch', `the account index holds ${x.entries} entries for an account no transfer names`, { accountId: x.accountId });
          continue;
        }
        transferSums.delete(x.accountId!);
        if (s.debitsFen !== x.debitsFen || s.creditsFen !== x.creditsFen) {
          problem('index_mismatch', `the account index sums to ${x.debitsFen}/${x.creditsFen} fen, the transfers to ${s.debitsFen}/${s.creditsFen} fen`, { accountId: x.accountId! });
        }
      }
      for (const id of transferSums.keys()) problem('index_mismatch', 'the account index holds nothing for an account transfers name', { accountId: id });
      if (indexEntries !== 2 * validTransfers) problem('index_mismatch', `the account index holds ${indexEntries} entries for ${validTransfers} transfers (two each)`);
      if (totalDebits !== totalCredits || totalDebits !== totalTransfersFen) {
        problem('books_unbalanced', `accounts hold ${totalDebits} fen of debits and ${totalCredits} fen of credits; transfers total ${totalTransfersFen} fen`);
      }
      return {
        ok: problemCount === 0,
        transfers: count,
        accounts: accountCount,
        lastSeq,
        headHash: head.hash,
        totalDebitsFen: totalDebits.toString(),
        totalCreditsFen: totalCredits.toString(),
        problems,
        problemsTruncated: problemCount > problems.length,
        durationMs: Math.round(performance.now() - started),
      };
    });
  }

  /**
   * Writes the balances and account index of the transfers since the last
   * checkpoint (the store does so by itself every so many transfers and on
   * close; issue #5 section 7). Nothing depends on calling it: reads and verify
   * include unflushed transfers. A read-only ledger throws Closed.
   */
  checkpoint(): void {
    this.#open();
    this.#store.checkpoint?.();
  }

  /** Stops this Ledger; the database connection belongs to whoever opened it. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#store.close();
  }
}
