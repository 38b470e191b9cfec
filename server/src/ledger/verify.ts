// `nongbao ledger verify` (issue #5 section 1, issue #15 section 1): every
// block links to the one before and hashes to its header, every transfer sits
// where it says in its block and the block's transfers hash to its digest, the
// head is the last block; every account's totals equal the sums of its
// transfers, and so do the account index's; no must-not-go-negative account
// is negative, and the books balance. One snapshot, one pass over the blocks
// and transfers together, memory bounded by the number of accounts.
import type { AccountId, VerifyProblem, VerifyProblemKind, VerifyReport } from './types.js';
import type { LedgerStore, StoredBlock, StoredTransfer } from './store.js';
import { BlockDigest, GENESIS_HASH, blockHash, canonicalTransferEncoding } from './hash.js';

/** verify lists at most this many problems; the count past it is only flagged. */
export const VERIFY_MAX_PROBLEMS = 1_000;

type Where = Omit<VerifyProblem, 'kind' | 'detail'>;

class Problems {
  readonly list: VerifyProblem[] = [];
  count = 0;

  add(kind: VerifyProblemKind, detail: string, where: Where = {}): void {
    this.count++;
    if (this.list.length < VERIFY_MAX_PROBLEMS) this.list.push({ kind, detail, ...where });
  }
}

interface Sums {
  debitsFen: number;
  creditsFen: number;
}

/** The transfers' sums per account, as the walk reads them. */
class TransferSums {
  readonly byAccount = new Map<AccountId, Sums>();
  totalFen = 0n;
  valid = 0;

  add(t: StoredTransfer, problems: Problems): void {
    if (typeof t.amountFen !== 'number' || !Number.isSafeInteger(t.amountFen) || t.amountFen <= 0 || t.debitAccountId === t.creditAccountId) {
      problems.add('transfer_invalid', `amount ${String(t.amountFen)} fen between ${t.debitAccountId} and ${t.creditAccountId}`, { seq: t.seq, transferId: t.id });
      return;
    }
    this.#of(t.debitAccountId).debitsFen += t.amountFen;
    this.#of(t.creditAccountId).creditsFen += t.amountFen;
    this.totalFen += BigInt(t.amountFen);
    this.valid++;
  }

  #of(id: AccountId): Sums {
    let s = this.byAccount.get(id);
    if (s === undefined) {
      s = { debitsFen: 0, creditsFen: 0 };
      this.byAccount.set(id, s);
    }
    return s;
  }
}

/** The blocks and the transfers walked together, both in order. */
class ChainWalk {
  transfers = 0;
  blocks = 0;
  lastSeq = 0;
  /** The last block's number, hash and last seq, as read. */
  #num = 0;
  #hash = GENESIS_HASH;
  #end = 0;
  readonly #rows: Iterator<StoredTransfer>;
  #next: StoredTransfer | undefined;

  constructor(
    rows: Iterable<StoredTransfer>,
    private readonly problems: Problems,
    private readonly sums: TransferSums,
  ) {
    this.#rows = rows[Symbol.iterator]();
    this.#advance();
  }

  #advance(): StoredTransfer | undefined {
    const current = this.#next;
    const r = this.#rows.next();
    this.#next = r.done === true ? undefined : r.value;
    if (current !== undefined) {
      this.transfers++;
      this.lastSeq = current.seq;
      this.sums.add(current, this.problems);
    }
    return current;
  }

  /** Transfers before `seq` that no block holds. */
  #outside(beforeSeq: number, why: string): void {
    while (this.#next !== undefined && this.#next.seq < beforeSeq) {
      const t = this.#advance()!;
      this.problems.add('transfer_block_mismatch', `seq ${t.seq} (block ${t.block}, index ${t.blockIndex}) lies ${why}`, { seq: t.seq, transferId: t.id, block: t.block });
    }
  }

  /** The block's header and link. */
  #header(b: StoredBlock): void {
    const at = { block: b.num };
    if (b.num !== this.#num + 1) this.problems.add('chain_seq_gap', `block ${b.num} follows block ${this.#num}`, at);
    if (b.prevHash !== this.#hash) this.problems.add('chain_prev_hash_mismatch', `prevHash does not match the hash of block ${this.#num}`, at);
    if (blockHash(b) !== b.hash) this.problems.add('chain_hash_mismatch', 'stored hash differs from the hash of the stored header', at);
    if (b.firstSeq !== this.#end + 1 || b.lastSeq < b.firstSeq) {
      this.problems.add('chain_seq_gap', `block ${b.num} holds seq ${b.firstSeq}..${b.lastSeq}, the previous block ended at seq ${this.#end}`, at);
    }
  }

  block(b: StoredBlock): void {
    this.blocks++;
    this.#header(b);
    this.#outside(b.firstSeq, `before block ${b.num} (seq ${b.firstSeq}..${b.lastSeq}), in no block`);
    const digest = new BlockDigest();
    let expected = b.firstSeq;
    while (this.#next !== undefined && this.#next.seq <= b.lastSeq) {
      const t = this.#advance()!;
      if (t.seq !== expected) this.problems.add('chain_seq_gap', `block ${b.num} lacks seq ${expected}..${t.seq - 1}`, { block: b.num, seq: expected });
      if (t.block !== b.num || t.blockIndex !== t.seq - b.firstSeq) {
        this.problems.add('transfer_block_mismatch', `seq ${t.seq} says block ${t.block} index ${t.blockIndex}; it sits in block ${b.num} at index ${t.seq - b.firstSeq}`, { seq: t.seq, transferId: t.id, block: b.num });
      }
      digest.add(canonicalTransferEncoding(t));
      expected = t.seq + 1;
    }
    if (expected <= b.lastSeq) this.problems.add('chain_seq_gap', `block ${b.num} lacks seq ${expected}..${b.lastSeq}`, { block: b.num, seq: expected });
    if (digest.digest() !== b.digest) this.problems.add('block_digest_mismatch', `the transfers of block ${b.num} do not hash to its digest`, { block: b.num });
    // Continue from the stored values, so one bad block is reported once, not for the rest of the chain.
    this.#num = b.num;
    this.#hash = b.hash;
    this.#end = Math.max(this.#end, b.lastSeq);
  }

  /** The transfers after the last block, and the head against the last block. */
  finish(head: { seq: number; block: number; hash: string }): void {
    this.#outside(Number.POSITIVE_INFINITY, `after the last block (${this.#num}), in no block`);
    if (head.block !== this.#num || head.hash !== this.#hash || head.seq !== this.#end) {
      this.problems.add('chain_head_mismatch', `head is block ${head.block} (seq ${head.seq}), the last block is ${this.#num} (seq ${this.#end})`, { block: head.block, seq: head.seq });
    }
  }
}

function normalBalance(normal: 'debit' | 'credit', debitsFen: number, creditsFen: number): number {
  return normal === 'debit' ? debitsFen - creditsFen : creditsFen - debitsFen;
}

/** Every account against the transfers' sums; returns the count and the books' totals. Consumes a copy of the sums. */
function checkAccounts(store: LedgerStore, sums: TransferSums, problems: Problems): { count: number; debits: bigint; credits: bigint } {
  const unclaimed = new Map(sums.byAccount);
  const out = { count: 0, debits: 0n, credits: 0n };
  for (const a of store.scanAccounts()) {
    out.count++;
    out.debits += BigInt(a.debitsFen);
    out.credits += BigInt(a.creditsFen);
    const s = unclaimed.get(a.spec.id) ?? { debitsFen: 0, creditsFen: 0 };
    unclaimed.delete(a.spec.id);
    if (s.debitsFen !== a.debitsFen || s.creditsFen !== a.creditsFen) {
      problems.add('balance_mismatch', `stored debits/credits ${a.debitsFen}/${a.creditsFen} fen, transfers sum to ${s.debitsFen}/${s.creditsFen} fen`, { accountId: a.spec.id });
    }
    const balanceFen = normalBalance(a.spec.normal, a.debitsFen, a.creditsFen);
    if (a.spec.mustNotGoNegative && balanceFen < 0) problems.add('negative_balance', `balance ${balanceFen} fen on an account that must not go negative`, { accountId: a.spec.id });
  }
  for (const id of unclaimed.keys()) problems.add('transfer_account_missing', 'transfers name an account the chart does not hold', { accountId: id });
  return out;
}

/**
 * The per-account index (postings) answers balance-on-a-date and statements:
 * its totals per account must be the transfers' sums (one entry per side).
 */
function checkIndex(store: LedgerStore, sums: TransferSums, problems: Problems): void {
  const unclaimed = new Map(sums.byAccount);
  let entries = 0;
  for (const x of store.scanIndexedTotals()) {
    entries += x.entries;
    for (const why of x.problems ?? []) {
      if (x.accountId === undefined) problems.add('index_mismatch', `account number ${x.key}: ${why}`);
      else problems.add('index_mismatch', why, { accountId: x.accountId });
    }
    const s = x.accountId === undefined ? undefined : unclaimed.get(x.accountId);
    if (x.accountId === undefined) {
      problems.add('index_mismatch', `the account index holds ${x.entries} entries for account number ${x.key}, which the chart does not hold`);
    } else if (s === undefined) {
      problems.add('index_mismatch', `the account index holds ${x.entries} entries for an account no transfer names`, { accountId: x.accountId });
    } else {
      unclaimed.delete(x.accountId);
      if (s.debitsFen !== x.debitsFen || s.creditsFen !== x.creditsFen) {
        problems.add('index_mismatch', `the account index sums to ${x.debitsFen}/${x.creditsFen} fen, the transfers to ${s.debitsFen}/${s.creditsFen} fen`, { accountId: x.accountId });
      }
    }
  }
  for (const id of unclaimed.keys()) problems.add('index_mismatch', 'the account index holds nothing for an account transfers name', { accountId: id });
  if (entries !== 2 * sums.valid) problems.add('index_mismatch', `the account index holds ${entries} entries for ${sums.valid} transfers (two each)`);
}

export function verifyLedger(store: LedgerStore): VerifyReport {
  const started = performance.now();
  return store.snapshot(() => {
    const problems = new Problems();
    const sums = new TransferSums();
    const walk = new ChainWalk(store.scanTransfers(), problems, sums);
    for (const b of store.scanBlocks()) walk.block(b);
    const head = store.head();
    walk.finish(head);
    const books = checkAccounts(store, sums, problems);
    checkIndex(store, sums, problems);
    if (books.debits !== books.credits || books.debits !== sums.totalFen) {
      problems.add('books_unbalanced', `accounts hold ${books.debits} fen of debits and ${books.credits} fen of credits; transfers total ${sums.totalFen} fen`);
    }
    return {
      ok: problems.count === 0,
      transfers: walk.transfers,
      blocks: walk.blocks,
      accounts: books.count,
      lastSeq: walk.lastSeq,
      headBlock: head.block,
      headHash: head.hash,
      totalDebitsFen: books.debits.toString(),
      totalCreditsFen: books.credits.toString(),
      problems: problems.list,
      problemsTruncated: problems.count > problems.list.length,
      durationMs: Math.round(performance.now() - started),
    };
  });
}
