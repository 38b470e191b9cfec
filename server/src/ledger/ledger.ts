// The central double-entry ledger (issue #5 section 1; ARCHITECTURE.md
// "Durability and security rules"): immutable transfers between accounts, ids
// made by the originator, TigerBeetle-style results and linked chains, a hash
// chain of blocks (one per committed batch, issue #15 section 1) for tamper
// evidence, balances derived and checked by verify.
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
import type { BalanceDelta, ChainHead, LedgerStore, StoredTransfer, TransferQueryParams } from './store.js';
import { SqliteLedgerStore, type SqliteLedgerStoreOptions } from './sqlite/store.js';
import { MAX_BLOCK_TRANSFERS, sealBlock } from './block.js';
import { verifyLedger } from './verify.js';
import { LedgerError, LedgerErrorCode, isLedgerError } from './errors.js';
import { ACCOUNT_ID_MAX_LENGTH } from './chart.js';
import { canonicalTimestamp } from './validate.js';
import { accountIdsOf, correctionReferencesOf, evaluateBatch, normalizeBatch, transferIdsOf, type BatchState, type CreatedTransfer, type NormalizedBatch } from './evaluate.js';

/** Most transfers in one createTransfers call: bounds a transaction's size and its time holding the write lock. A batch commits as one block. */
export const MAX_BATCH_TRANSFERS = MAX_BLOCK_TRANSFERS;
/** Most accounts in one ensureAccounts call. */
export const MAX_ENSURE_ACCOUNTS = 100_000;
export const TRANSFER_QUERY_DEFAULT_LIMIT = 1_000;
export const TRANSFER_QUERY_MAX_LIMIT = 10_000;
/** Most accounts in one balances() call. */
export const MAX_BALANCES_ACCOUNTS = 10_000;
export { VERIFY_MAX_PROBLEMS } from './verify.js';

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
    block: t.block,
    blockIndex: t.blockIndex,
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
    const head = this.#store.head();
    const outcome = evaluateBatch(batch, this.#batchState(batch, assumeNew, head.seq));
    if (outcome.kind === 'look-up-ids') throw new LedgerError(LedgerErrorCode.TransferIdStored, 'a refused transfer may be stored: look its id up');
    for (const r of outcome.reused) {
      // issue #5: "same id, other content: refused and alerted".
      this.#logger.warn({ event: 'ledger.transfer_id_reused', transferId: r.transferId, result: r.result }, 'transfer id reused with other content');
    }
    if (outcome.created.length > 0) this.#commit(head, outcome.created, outcome.deltas);
    return outcome.results;
  }

  /** The store's state for a batch: one query for its accounts, one for its stored ids and references (issue #5 section 7). */
  #batchState(batch: NormalizedBatch, assumeNew: boolean, headSeq: number): BatchState {
    const store = this.#store;
    const references = correctionReferencesOf(batch);
    const lookups = assumeNew ? references : [...transferIdsOf(batch), ...references];
    const found = lookups.length === 0 ? new Map<string, StoredTransfer>() : store.getTransfers(lookups);
    return {
      headSeq,
      accounts: store.getAccountStates(accountIdsOf(batch)),
      stored: assumeNew ? undefined : found,
      storedReferences: new Set(references.filter((r) => found.has(r))),
    };
  }

  /**
   * Seals the created transfers into the block after `head` (read in this
   * transaction, so still the head) and appends it (issue #15 section 1: one
   * hash chain link per batch).
   */
  #commit(head: ChainHead, created: readonly CreatedTransfer[], deltas: readonly BalanceDelta[]): void {
    const block = sealBlock(head, created, deltas, new Date().toISOString());
    this.#store.appendBlock(block);
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
    const stored = typeof accountId === 'string' ? this.#store.getAccountStates([accountId]).get(accountId) : undefined;
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

  /** `nongbao ledger verify`: the chain of blocks, the balances, the account index and the books (verify.ts). */
  verify(): VerifyReport {
    this.#open();
    return verifyLedger(this.#store);
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
