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
  TransferResultCode,
  VerifyProblem,
  VerifyProblemKind,
  VerifyReport,
} from './types.js';
import type { AccountState, AppendTransfer, BalanceDelta, LedgerStore, StoredTransfer, TransferQueryParams } from './store.js';
import { SqliteLedgerStore, type SqliteLedgerStoreOptions } from './sqlite/store.js';
import { GENESIS_HASH, transferHash } from './hash.js';
import { LedgerError, LedgerErrorCode, isLedgerError } from './errors.js';
import { ACCOUNT_ID_MAX_LENGTH } from './chart.js';
import { CORRECTION_CODE, canonicalTimestamp, newNormalizeMemo, normalizeTransfer, type NormalizedTransfer } from './validate.js';

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

/** An account's totals while a batch is evaluated; written back once at the end. */
interface WorkingAccount {
  id: AccountId;
  state: AccountState;
  debitsFen: number;
  creditsFen: number;
  readonly startDebitsFen: number;
  readonly startCreditsFen: number;
}

/** A transfer accepted in this batch, before it has a seq and hash. */
interface Pending {
  row: NormalizedTransfer;
  debitKey: number;
  creditKey: number;
  stored?: StoredTransfer;
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

/** exists* precedence (TigerBeetle order: accounts, amount, then the rest). */
function compareExisting(row: NormalizedTransfer, existing: NormalizedTransfer | StoredTransfer): TransferResultCode {
  if (row.debitAccountId !== existing.debitAccountId) return 'exists_with_different_debit_account_id';
  if (row.creditAccountId !== existing.creditAccountId) return 'exists_with_different_credit_account_id';
  if (row.amountFen !== existing.amountFen) return 'exists_with_different_amount';
  if (row.code !== existing.code) return 'exists_with_different_code';
  if (row.at !== existing.at) return 'exists_with_different_at';
  if (row.reference !== existing.reference) return 'exists_with_different_reference';
  if (row.metaJson !== existing.metaJson) return 'exists_with_different_meta';
  return 'exists';
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
   * nothing; a linked chain's new transfers are written all or none.
   *
   * `exists` counts as success inside a chain (a deliberate difference from
   * TigerBeetle): the kiosk retries a whole chain after a lost acknowledgement,
   * and must read `exists` for each member rather than one `exists` and
   * `linked_event_failed` for the rest.
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
    const n = batch.length;
    const rows: (NormalizedTransfer | TransferResultCode)[] = new Array<NormalizedTransfer | TransferResultCode>(n);
    const linkedFlags: boolean[] = new Array<boolean>(n);
    const memo = newNormalizeMemo();
    for (let i = 0; i < n; i++) {
      const input: unknown = batch[i];
      rows[i] = normalizeTransfer(input, memo);
      linkedFlags[i] = typeof input === 'object' && input !== null && (input as { linked?: unknown }).linked === true;
    }
    try {
      return this.#store.transaction(() => this.#apply(batch, rows, linkedFlags, true));
    } catch (error) {
      if (!(isLedgerError(error) && error.code === LedgerErrorCode.TransferIdStored)) throw error;
    }
    return this.#store.transaction(() => this.#apply(batch, rows, linkedFlags, false));
  }

  #apply(
    batch: readonly unknown[],
    rows: readonly (NormalizedTransfer | TransferResultCode)[],
    linkedFlags: readonly boolean[],
    assumeNew: boolean,
  ): TransferResult[] {
    const store = this.#store;
    const n = batch.length;
    const results: TransferResult[] = new Array<TransferResult>(n);
    const idOf = (i: number): string => {
      const input = batch[i] as { id?: unknown } | null | undefined;
      return typeof input === 'object' && input !== null && typeof input.id === 'string' ? input.id : '';
    };

    // The batch's stored ids (looked up only on the second pass, see createTransfers) and its accounts, one query each (issue #5 section 7);
    // nothing is written before the end of the batch, so both stay true while it is evaluated.
    const ids: string[] = [];
    const accountIds = new Set<AccountId>();
    for (const row of rows) {
      if (typeof row === 'string') continue;
      ids.push(row.id);
      accountIds.add(row.debitAccountId);
      accountIds.add(row.creditAccountId);
    }
    const stored = assumeNew ? new Map<string, StoredTransfer>() : store.getTransfers(ids);
    const states = store.getAccountStates([...accountIds]);
    const accounts = new Map<AccountId, WorkingAccount | null>();
    const account = (id: AccountId): WorkingAccount | null => {
      let a = accounts.get(id);
      if (a === undefined) {
        const state = states.get(id);
        a = state === undefined ? null : { id, state, debitsFen: state.debitsFen, creditsFen: state.creditsFen, startDebitsFen: state.debitsFen, startCreditsFen: state.creditsFen };
        accounts.set(id, a);
      }
      return a;
    };
    const pending = new Map<string, Pending>();
    const created: Pending[] = [];
    /** The stored or pending transfer that holds an id, for exists* and `exists`' seq. */
    const existingRef = new Array<Pending | StoredTransfer | undefined>(n);

    /**
     * A refusal on the first pass may be a stored transfer's retry (its id was
     * not looked up): start again with the lookups, before anything is alerted.
     * Refusals are rare, so the first pass keeps its speed.
     */
    const refuse = (code: TransferResultCode): TransferResultCode => {
      if (assumeNew) throw new LedgerError(LedgerErrorCode.TransferIdStored, 'a refused transfer may be stored: look its id up');
      return code;
    };
    /** Evaluates one transfer against the working state and applies it; returns the result code. */
    const evaluate = (i: number, row: NormalizedTransfer): TransferResultCode => {
      const inBatch = pending.get(row.id);
      const existing = inBatch ?? stored.get(row.id);
      if (existing !== undefined) {
        const code = compareExisting(row, inBatch !== undefined ? inBatch.row : (existing as StoredTransfer));
        if (code !== 'exists') {
          refuse(code);
          // issue #5: "same id, other content: refused and alerted".
          this.#logger.warn({ event: 'ledger.transfer_id_reused', transferId: row.id, result: code }, 'transfer id reused with other content');
        }
        existingRef[i] = existing;
        return code;
      }
      const debit = account(row.debitAccountId);
      const credit = account(row.creditAccountId);
      if (debit === null || credit === null) return refuse('account_not_found');
      if (row.code === CORRECTION_CODE && row.reference !== null && !pending.has(row.reference) && store.getTransfer(row.reference) === undefined) {
        return refuse('reference_not_found');
      }
      const debitsAfter = debit.debitsFen + row.amountFen;
      const creditsAfter = credit.creditsFen + row.amountFen;
      if (!Number.isSafeInteger(debitsAfter) || !Number.isSafeInteger(creditsAfter)) return refuse('overflows_balance');
      if (debit.state.mustNotGoNegative && normalBalance(debit.state.normal, debitsAfter, debit.creditsFen) < 0) return refuse('would_go_negative');
      if (credit.state.mustNotGoNegative && normalBalance(credit.state.normal, credit.debitsFen, creditsAfter) < 0) return refuse('would_go_negative');
      debit.debitsFen = debitsAfter;
      credit.creditsFen = creditsAfter;
      const p: Pending = { row, debitKey: debit.state.key, creditKey: credit.state.key };
      pending.set(row.id, p);
      created.push(p);
      existingRef[i] = p;
      return 'created';
    };

    /** Undoes the transfers this chain created (they are the tail of `created`). */
    const rollbackTo = (createdLength: number): void => {
      while (created.length > createdLength) {
        const p = created.pop()!;
        pending.delete(p.row.id);
        accounts.get(p.row.debitAccountId)!.debitsFen -= p.row.amountFen;
        accounts.get(p.row.creditAccountId)!.creditsFen -= p.row.amountFen;
      }
    };

    let i = 0;
    while (i < n) {
      // A group: transfers i..end where every one but the last is linked.
      let end = i;
      while (end < n - 1 && linkedFlags[end]) end++;
      if (linkedFlags[end]) {
        // The batch ends inside a chain: nothing of it is applied (TigerBeetle semantics).
        for (let k = i; k < end; k++) results[k] = { id: idOf(k), result: 'linked_event_failed' };
        results[end] = { id: idOf(end), result: 'linked_event_chain_open' };
        i = end + 1;
        continue;
      }
      const mark = created.length;
      let failedAt = -1;
      let failure: TransferResultCode = 'created';
      for (let k = i; k <= end; k++) {
        const row = rows[k]!;
        const code = typeof row === 'string' ? row : evaluate(k, row);
        if (code === 'created' || code === 'exists') {
          results[k] = { id: idOf(k), result: code };
        } else {
          failedAt = k;
          failure = code;
          break;
        }
      }
      if (failedAt >= 0) {
        if (end > i) rollbackTo(mark);
        for (let k = i; k <= end; k++) results[k] = { id: idOf(k), result: k === failedAt ? failure : 'linked_event_failed' };
      }
      i = end + 1;
    }

    if (created.length > 0) {
      const head = store.head();
      const recordedAt = new Date().toISOString();
      let prevHash = head.hash;
      let seq = head.seq;
      const appended: AppendTransfer[] = new Array<AppendTransfer>(created.length);
      for (let c = 0; c < created.length; c++) {
        const p = created[c]!;
        const r = p.row;
        const s: AppendTransfer = {
          seq: ++seq,
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
          debitKey: p.debitKey,
          creditKey: p.creditKey,
        };
        s.hash = transferHash(prevHash, s);
        prevHash = s.hash;
        p.stored = s;
        appended[c] = s;
      }
      store.appendTransfers(appended);
      const deltas: BalanceDelta[] = [];
      for (const a of accounts.values()) {
        if (a !== null && (a.debitsFen !== a.startDebitsFen || a.creditsFen !== a.startCreditsFen)) {
          deltas.push({ accountId: a.id, key: a.state.key, debitsFen: a.debitsFen - a.startDebitsFen, creditsFen: a.creditsFen - a.startCreditsFen });
        }
      }
      store.applyBalanceDeltas(deltas);
    }

    for (let k = 0; k < n; k++) {
      const r = results[k]!;
      if (r.result === 'created' || r.result === 'exists') {
        const ref = existingRef[k]!;
        const seq = 'row' in ref ? ref.stored?.seq : ref.seq;
        if (seq !== undefined) r.seq = seq;
      }
    }
    return results;
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
