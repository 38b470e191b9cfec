// The pure half of createTransfers (issue #15 section 2): given a normalized
// batch and what the store reports (the head, the accounts' states, the
// stored transfers among the batch's ids and references), decide every
// transfer's result, the seqs of the created ones and the balance deltas. No
// I/O: the Ledger gathers the state before and commits the outcome after.
//
// Rules (issue #5 section 1; types.ts TransferResultCode has the precedence):
// a refused transfer changes nothing; a linked chain's new transfers are
// created all or none (TigerBeetle semantics, except that `exists` counts as
// success inside a chain: a kiosk retries a whole chain after a lost
// acknowledgement and must read `exists` for each member).
import type { AccountId, TransferResult, TransferResultCode } from './types.js';
import type { AccountState, BalanceDelta, StoredTransfer } from './store.js';
import { CORRECTION_CODE, newNormalizeMemo, normalizeTransfer, type NormalizedTransfer } from './validate.js';

/** A batch after the shape checks: per input, its id ('' when it has none), its normalized form or shape result, its linked flag. */
export interface NormalizedBatch {
  ids: string[];
  rows: (NormalizedTransfer | TransferResultCode)[];
  linked: boolean[];
}

/** What the evaluation reads of the store, gathered before it starts. */
export interface BatchState {
  /** The last stored seq: created transfers take the seqs after it, in order. */
  headSeq: number;
  /** The states of the batch's accounts that exist. */
  accounts: ReadonlyMap<AccountId, AccountState>;
  /**
   * The stored transfers among the batch's ids; undefined on the first pass,
   * which assumes every id is new (they almost always are, issue #5 section 7).
   */
  stored: ReadonlyMap<string, StoredTransfer> | undefined;
  /** The stored transfer ids among the references of the batch's corrections. */
  storedReferences: ReadonlySet<string>;
}

/** A transfer the batch creates, with its seq and its accounts' store keys. */
export interface CreatedTransfer {
  row: NormalizedTransfer;
  seq: number;
  debitKey: number;
  creditKey: number;
}

/** A stored id sent again with other content (issue #5: refused and alerted). */
export interface ReusedId {
  transferId: string;
  result: TransferResultCode;
}

export type BatchEvaluation =
  | { kind: 'decided'; results: TransferResult[]; created: CreatedTransfer[]; deltas: BalanceDelta[]; reused: ReusedId[] }
  /** First pass only: a transfer was refused, and it may be a stored transfer's retry; evaluate again with the ids looked up. */
  | { kind: 'look-up-ids' };

export function normalizeBatch(batch: readonly unknown[]): NormalizedBatch {
  const n = batch.length;
  const out: NormalizedBatch = { ids: new Array<string>(n), rows: new Array<NormalizedTransfer | TransferResultCode>(n), linked: new Array<boolean>(n) };
  const memo = newNormalizeMemo();
  for (let i = 0; i < n; i++) {
    const input = batch[i] as { id?: unknown; linked?: unknown } | null | undefined;
    const isObject = typeof input === 'object' && input !== null;
    out.ids[i] = isObject && typeof input.id === 'string' ? input.id : '';
    out.rows[i] = normalizeTransfer(input, memo);
    out.linked[i] = isObject && input.linked === true;
  }
  return out;
}

/** The accounts the batch's well-formed transfers name, each once. */
export function accountIdsOf(batch: NormalizedBatch): AccountId[] {
  const ids = new Set<AccountId>();
  for (const row of batch.rows) {
    if (typeof row === 'string') continue;
    ids.add(row.debitAccountId);
    ids.add(row.creditAccountId);
  }
  return [...ids];
}

/** The ids of the batch's well-formed transfers. */
export function transferIdsOf(batch: NormalizedBatch): string[] {
  const ids: string[] = [];
  for (const row of batch.rows) if (typeof row !== 'string') ids.push(row.id);
  return ids;
}

/** The references of the batch's corrections (the transfers they must find). */
export function correctionReferencesOf(batch: NormalizedBatch): string[] {
  const refs: string[] = [];
  for (const row of batch.rows) if (typeof row !== 'string' && row.code === CORRECTION_CODE && row.reference !== null) refs.push(row.reference);
  return refs;
}

function normalBalance(normal: 'debit' | 'credit', debitsFen: number, creditsFen: number): number {
  return normal === 'debit' ? debitsFen - creditsFen : creditsFen - debitsFen;
}

/** exists* precedence (TigerBeetle order: accounts, amount, then the rest). */
export function compareExisting(row: NormalizedTransfer, existing: NormalizedTransfer | StoredTransfer): TransferResultCode {
  if (row.debitAccountId !== existing.debitAccountId) return 'exists_with_different_debit_account_id';
  if (row.creditAccountId !== existing.creditAccountId) return 'exists_with_different_credit_account_id';
  if (row.amountFen !== existing.amountFen) return 'exists_with_different_amount';
  if (row.code !== existing.code) return 'exists_with_different_code';
  if (row.at !== existing.at) return 'exists_with_different_at';
  if (row.reference !== existing.reference) return 'exists_with_different_reference';
  if (row.metaJson !== existing.metaJson) return 'exists_with_different_meta';
  return 'exists';
}

/** An account's totals while the batch is evaluated. */
interface WorkingAccount {
  id: AccountId;
  state: AccountState;
  debitsFen: number;
  creditsFen: number;
}

/** Thrown inside the evaluation to stop a first pass; never escapes evaluateBatch. */
const LOOK_UP_IDS = Symbol('look-up-ids');

class Evaluation {
  readonly #batch: NormalizedBatch;
  readonly #state: BatchState;
  readonly #accounts = new Map<AccountId, WorkingAccount | null>();
  /**
   * Transfers created so far in this batch, by id, for retries and references
   * inside the batch. The first pass keeps none (it is the hot path, issue #15
   * section 1): an id used twice is caught by the store's unique id like a
   * stored one, and a reference it cannot find among the stored ones sends the
   * batch to the second pass.
   */
  readonly #pending: Map<string, CreatedTransfer> | undefined;
  readonly created: CreatedTransfer[] = [];
  readonly results: TransferResult[];
  /** The stored or pending transfer each `created`/`exists` result refers to (its seq is read at the end). */
  readonly #refs: (CreatedTransfer | StoredTransfer | undefined)[];
  readonly reused: ReusedId[] = [];

  constructor(batch: NormalizedBatch, state: BatchState) {
    this.#batch = batch;
    this.#state = state;
    this.results = new Array<TransferResult>(batch.rows.length);
    this.#pending = state.stored === undefined ? undefined : new Map();
    this.#refs = new Array<CreatedTransfer | StoredTransfer | undefined>(batch.rows.length);
  }

  #account(id: AccountId): WorkingAccount | null {
    let a = this.#accounts.get(id);
    if (a === undefined) {
      const state = this.#state.accounts.get(id);
      a = state === undefined ? null : { id, state, debitsFen: state.debitsFen, creditsFen: state.creditsFen };
      this.#accounts.set(id, a);
    }
    return a;
  }

  /** A refusal; on the first pass it may be a stored transfer's retry, so the pass stops before anything is alerted. */
  #refuse(code: TransferResultCode): TransferResultCode {
    if (this.#state.stored === undefined) throw LOOK_UP_IDS;
    return code;
  }

  /** Transfer i against the stored and pending ones; a new one is applied to the working totals. */
  #one(i: number, row: NormalizedTransfer): TransferResultCode {
    const inBatch = this.#pending?.get(row.id);
    const existing = inBatch ?? this.#state.stored?.get(row.id);
    if (existing !== undefined) {
      const code = compareExisting(row, inBatch !== undefined ? inBatch.row : (existing as StoredTransfer));
      if (code !== 'exists') {
        this.#refuse(code);
        this.reused.push({ transferId: row.id, result: code });
      }
      this.#refs[i] = existing;
      return code;
    }
    const debit = this.#account(row.debitAccountId);
    const credit = this.#account(row.creditAccountId);
    if (debit === null || credit === null) return this.#refuse('account_not_found');
    if (row.code === CORRECTION_CODE && row.reference !== null && !this.#state.storedReferences.has(row.reference) && this.#pending?.has(row.reference) !== true) {
      return this.#refuse('reference_not_found');
    }
    const debitsAfter = debit.debitsFen + row.amountFen;
    const creditsAfter = credit.creditsFen + row.amountFen;
    if (!Number.isSafeInteger(debitsAfter) || !Number.isSafeInteger(creditsAfter)) return this.#refuse('overflows_balance');
    if (debit.state.mustNotGoNegative && normalBalance(debit.state.normal, debitsAfter, debit.creditsFen) < 0) return this.#refuse('would_go_negative');
    if (credit.state.mustNotGoNegative && normalBalance(credit.state.normal, credit.debitsFen, creditsAfter) < 0) return this.#refuse('would_go_negative');
    debit.debitsFen = debitsAfter;
    credit.creditsFen = creditsAfter;
    const c: CreatedTransfer = { row, seq: this.#state.headSeq + this.created.length + 1, debitKey: debit.state.key, creditKey: credit.state.key };
    this.#pending?.set(row.id, c);
    this.created.push(c);
    this.#refs[i] = c;
    return 'created';
  }

  /** Undoes the transfers a failed chain created (they are the end of `created`). */
  #rollbackTo(createdLength: number): void {
    while (this.created.length > createdLength) {
      const c = this.created.pop()!;
      this.#pending?.delete(c.row.id);
      this.#accounts.get(c.row.debitAccountId)!.debitsFen -= c.row.amountFen;
      this.#accounts.get(c.row.creditAccountId)!.creditsFen -= c.row.amountFen;
    }
  }

  #result(k: number, result: TransferResultCode): void {
    this.results[k] = { id: this.#batch.ids[k]!, result };
  }

  /** Transfers i..end, every one but the last linked: all applied, or the first failure and linked_event_failed for the rest. */
  #group(i: number, end: number): void {
    const mark = this.created.length;
    for (let k = i; k <= end; k++) {
      const row = this.#batch.rows[k]!;
      const code = typeof row === 'string' ? row : this.#one(k, row);
      if (code === 'created' || code === 'exists') {
        this.#result(k, code);
        continue;
      }
      if (end > i) this.#rollbackTo(mark);
      for (let j = i; j <= end; j++) this.#result(j, j === k ? code : 'linked_event_failed');
      return;
    }
  }

  run(): void {
    const { linked } = this.#batch;
    const n = linked.length;
    for (let i = 0; i < n; ) {
      let end = i;
      while (end < n - 1 && linked[end]) end++;
      if (linked[end]) {
        // The batch ends inside a chain: nothing of it is applied (TigerBeetle semantics).
        for (let k = i; k < end; k++) this.#result(k, 'linked_event_failed');
        this.#result(end, 'linked_event_chain_open');
      } else {
        this.#group(i, end);
      }
      i = end + 1;
    }
    for (let k = 0; k < n; k++) {
      const r = this.results[k]!;
      if (r.result === 'created' || r.result === 'exists') r.seq = this.#refs[k]!.seq;
    }
  }

  deltas(): BalanceDelta[] {
    const out: BalanceDelta[] = [];
    for (const a of this.#accounts.values()) {
      if (a !== null && (a.debitsFen !== a.state.debitsFen || a.creditsFen !== a.state.creditsFen)) {
        out.push({ accountId: a.id, key: a.state.key, debitsFen: a.debitsFen - a.state.debitsFen, creditsFen: a.creditsFen - a.state.creditsFen });
      }
    }
    return out;
  }
}

/** Decides a batch against the state the store reported (module header). */
export function evaluateBatch(batch: NormalizedBatch, state: BatchState): BatchEvaluation {
  const e = new Evaluation(batch, state);
  try {
    e.run();
  } catch (error) {
    if (error === LOOK_UP_IDS) return { kind: 'look-up-ids' };
    throw error;
  }
  return { kind: 'decided', results: e.results, created: e.created, deltas: e.deltas(), reused: e.reused };
}
