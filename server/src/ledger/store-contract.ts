// The LedgerStore contract suite (issue #15 section 2; STYLE.md section 2):
// one set of tests every engine must pass, through the store interface alone
// (store.ts states the contract they check). The SQLite store runs it in
// sqlite/store.contract.test.ts; a PostgreSQL store will run the same suite.
// It imports vitest, so it is not part of the ledger's runtime entry.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountSpec } from './types.js';
import type { AccountState, BalanceDelta, LedgerStore, NewBlock, StoredTransfer } from './store.js';
import type { CreatedTransfer } from './evaluate.js';
import type { NormalizedTransfer } from './validate.js';
import { sealBlock } from './block.js';
import { GENESIS_HASH } from './hash.js';
import { LedgerErrorCode, isLedgerError } from './errors.js';

export interface LedgerStoreHarness {
  /** A store over an empty ledger. */
  store: LedgerStore;
  /**
   * A new store over the same ledger, as after a restart: `crash` drops the
   * current store without close() (nothing flushed that was not committed),
   * otherwise it is closed first. The harness keeps the new one as `store`.
   */
  reopen(options: { crash: boolean }): LedgerStore;
  /** Releases everything (files, connections). */
  dispose(): void;
}

const CASH = 'cashbox:k1';
const A = 'person:110101199003077777:individual';
const B = 'person:110101195001011234:individual';
const FUND = 'fund:collection';

const SPECS: AccountSpec[] = [
  { id: CASH, kind: 'cashbox', normal: 'debit', mustNotGoNegative: true },
  { id: A, kind: 'person.individual', normal: 'credit', mustNotGoNegative: true, meta: { citizenNumber: '110101199003077777', source: 'individual' } },
  { id: B, kind: 'person.individual', normal: 'credit', mustNotGoNegative: true },
  { id: FUND, kind: 'fund', normal: 'debit', mustNotGoNegative: false },
];

/** A UUIDv7-shaped id for test number n. */
function id(n: number): string {
  return `01900000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
}

type Move = Partial<NormalizedTransfer> & Pick<NormalizedTransfer, 'debitAccountId' | 'creditAccountId' | 'amountFen'> & { n: number };

function row(m: Move): NormalizedTransfer {
  const { n, ...rest } = m;
  return { id: id(n), code: 'contribution.individual', at: '2024-03-01T08:00:00.000Z', reference: null, metaJson: '', linked: false, ...rest };
}

/** The next block over `moves`, sealed as the Ledger would: seqs after the head, the accounts' keys, the deltas. */
function blockOf(store: LedgerStore, moves: readonly Move[], recordedAt = '2024-03-01T08:00:01.000Z'): NewBlock {
  const head = store.head();
  const states = store.getAccountStates(moves.flatMap((m) => [m.debitAccountId, m.creditAccountId]));
  const key = (accountId: string): number => states.get(accountId)!.key;
  const created: CreatedTransfer[] = moves.map((m, i) => ({ row: row(m), seq: head.seq + 1 + i, debitKey: key(m.debitAccountId), creditKey: key(m.creditAccountId) }));
  const deltas = new Map<string, BalanceDelta>();
  const delta = (accountId: string): BalanceDelta => {
    let d = deltas.get(accountId);
    if (d === undefined) deltas.set(accountId, (d = { accountId, key: key(accountId), debitsFen: 0, creditsFen: 0 }));
    return d;
  };
  for (const m of moves) {
    delta(m.debitAccountId).debitsFen += m.amountFen;
    delta(m.creditAccountId).creditsFen += m.amountFen;
  }
  return sealBlock(head, created, [...deltas.values()], recordedAt);
}

function append(store: LedgerStore, moves: readonly Move[], recordedAt?: string): NewBlock {
  const block = blockOf(store, moves, recordedAt);
  store.transaction(() => store.appendBlock(block));
  return block;
}

/** What a transfer reads back as: the appended row without the store keys. */
function stored(t: StoredTransfer & { debitKey?: number; creditKey?: number }): StoredTransfer {
  const { debitKey: _d, creditKey: _c, ...rest } = t;
  return rest;
}

function totals(store: LedgerStore): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  for (const [accountId, s] of store.getAccountStates(SPECS.map((x) => x.id))) out[accountId] = [s.debitsFen, s.creditsFen];
  return out;
}

function rolledBack(): Error {
  return new Error('the caller rolls back');
}

/** A history over two years in four blocks, both sides of several accounts, with a correction and meta. */
const HISTORY: Move[][] = [
  [
    { n: 1, debitAccountId: CASH, creditAccountId: A, amountFen: 10_000, at: '2024-01-05T02:00:00.000Z', metaJson: '{"year":2024}' },
    { n: 2, debitAccountId: CASH, creditAccountId: B, amountFen: 20_000, at: '2024-01-06T02:00:00.000Z', linked: true },
    { n: 3, debitAccountId: FUND, creditAccountId: CASH, amountFen: 30_000, code: 'collection', at: '2024-01-07T00:00:00.000Z' },
  ],
  [{ n: 4, debitAccountId: A, creditAccountId: FUND, amountFen: 700, code: 'pension.account', at: '2024-12-31T23:59:59.999Z' }],
  [
    { n: 5, debitAccountId: CASH, creditAccountId: A, amountFen: 300, at: '2025-01-01T00:00:00.000Z' },
    { n: 6, debitAccountId: A, creditAccountId: CASH, amountFen: 300, code: 'correction', reference: id(5), at: '2025-01-02T00:00:00.000Z' },
  ],
  [{ n: 7, debitAccountId: CASH, creditAccountId: B, amountFen: 5, at: '2023-06-01T00:00:00.000Z' }],
];

/** The running suite's harness and store (the store changes when a test reopens it). */
interface Suite {
  harness: LedgerStoreHarness;
  store: LedgerStore;
}

/** Appends HISTORY; returns its blocks. */
function history(store: LedgerStore): NewBlock[] {
  return HISTORY.map((moves, i) => append(store, moves, `2025-02-0${i + 1}T00:00:00.000Z`));
}

function allTransfers(blocks: NewBlock[]): StoredTransfer[] {
  return blocks.flatMap((b) => b.transfers.map(stored));
}

/** Accounts: kept as given, found in any mix of ids, a stored id refused. */
function accountsContract(s: Suite): void {
  describe('accounts', () => {
    it('keeps each account with zero totals, found alone or in any mix with absent and repeated ids', () => {
      const store = s.store;
      for (const spec of SPECS) expect(store.getAccount(spec.id)).toEqual({ spec, debitsFen: 0, creditsFen: 0 });
      expect(store.getAccount('person:nobody:individual')).toBeUndefined();
      const states = store.getAccountStates([A, 'person:nobody:individual', A, CASH]);
      expect([...states.keys()].sort()).toEqual([A, CASH].sort());
      expect(states.get(A)).toMatchObject({ normal: 'credit', mustNotGoNegative: true, debitsFen: 0, creditsFen: 0 } satisfies Partial<AccountState>);
      expect(states.get(CASH)).toMatchObject({ normal: 'debit', mustNotGoNegative: true });
      const keys = [...store.getAccountStates(SPECS.map((s) => s.id)).values()].map((s) => s.key);
      expect(new Set(keys).size).toBe(SPECS.length);
      expect(keys.every((k) => Number.isSafeInteger(k))).toBe(true);
      expect(store.getAccountStates([]).size).toBe(0);
      expect([...store.scanAccounts()].map((a) => a.spec.id).sort()).toEqual(SPECS.map((s) => s.id).sort());
    });

    it('refuses an account id that is stored, adding nothing', () => {
      const store = s.store;
      expect(() => store.transaction(() => store.insertAccount({ ...SPECS[1]!, kind: 'other' }))).toThrow();
      expect(store.getAccount(A)!.spec).toEqual(SPECS[1]);
      expect([...store.scanAccounts()]).toHaveLength(SPECS.length);
    });
  });
}

/** appendBlock: every field back as given, the header and head, the deltas; TransferIdStored leaves nothing. */
function appendContract(s: Suite): void {
  describe('appendBlock', () => {
    it('starts from an empty chain', () => {
      const store = s.store;
      expect(store.head()).toEqual({ seq: 0, block: 0, hash: GENESIS_HASH });
      expect([...store.scanTransfers()]).toEqual([]);
      expect([...store.scanBlocks()]).toEqual([]);
    });

    it('stores every field of every transfer as given, the header, the head, and adds the deltas', () => {
      const store = s.store;
      const blocks = history(store);
      const all = allTransfers(blocks);
      expect([...store.scanTransfers()]).toEqual(all);
      expect([...store.scanBlocks()]).toEqual(blocks.map((b) => b.header));
      const last = blocks[blocks.length - 1]!.header;
      expect(store.head()).toEqual({ seq: last.lastSeq, block: last.num, hash: last.hash });
      for (const t of all) expect(store.getTransfer(t.id)).toEqual(t);
      expect(store.getTransfer(id(99))).toBeUndefined();
      const found = store.getTransfers([id(2), id(99), id(6), id(2)]);
      expect([...found.keys()].sort()).toEqual([id(2), id(6)]);
      expect(found.get(id(6))).toEqual(all[5]);
      expect(totals(store)).toEqual({ [CASH]: [30_305, 30_300], [A]: [1_000, 10_300], [B]: [0, 20_005], [FUND]: [30_000, 700] });
      expect(store.getAccount(A)).toMatchObject({ debitsFen: 1_000, creditsFen: 10_300 });
      const scanned = Object.fromEntries([...store.scanAccounts()].map((a) => [a.spec.id, [a.debitsFen, a.creditsFen]]));
      expect(scanned).toEqual(totals(store));
    });

    it('throws TransferIdStored for a stored id and, the transaction rolled back, keeps nothing of the block', () => {
      const store = s.store;
      history(store);
      const before = { head: store.head(), totals: totals(store), transfers: [...store.scanTransfers()], blocks: [...store.scanBlocks()] };
      const clash = blockOf(store, [
        { n: 50, debitAccountId: CASH, creditAccountId: A, amountFen: 1 },
        { n: 3, debitAccountId: CASH, creditAccountId: A, amountFen: 2 },
      ]);
      let error: unknown;
      try {
        store.transaction(() => store.appendBlock(clash));
      } catch (e) {
        error = e;
      }
      expect(isLedgerError(error) && error.code).toBe(LedgerErrorCode.TransferIdStored);
      expect({ head: store.head(), totals: totals(store), transfers: [...store.scanTransfers()], blocks: [...store.scanBlocks()] }).toEqual(before);
      expect(store.getTransfer(id(50))).toBeUndefined();
      // The store goes on.
      const next = append(store, [{ n: 50, debitAccountId: CASH, creditAccountId: A, amountFen: 1 }]);
      expect(store.head()).toMatchObject({ block: next.header.num, seq: next.header.lastSeq });
    });
  });
}

/** transaction: atomic, memory included, and nested as savepoints both ways. */
function transactionContract(s: Suite): void {
  describe('transaction', () => {
    it('returns what fn returns, and on a throw keeps nothing, memory included, and rethrows the same error', () => {
      const store = s.store;
      history(store);
      const before = { head: store.head(), totals: totals(store) };
      expect(store.transaction(() => 42)).toBe(42);
      const thrown = rolledBack();
      let caught: unknown;
      try {
        store.transaction(() => {
          store.appendBlock(blockOf(store, [{ n: 60, debitAccountId: CASH, creditAccountId: B, amountFen: 9 }]));
          store.insertAccount({ id: 'cashbox:k2', kind: 'cashbox', normal: 'debit', mustNotGoNegative: true });
          // Reads inside see the writes.
          expect(store.getTransfer(id(60))).toBeDefined();
          expect(totals(store)[B]).toEqual([0, 20_014]);
          throw thrown;
        });
      } catch (e) {
        caught = e;
      }
      expect(caught).toBe(thrown);
      expect({ head: store.head(), totals: totals(store) }).toEqual(before);
      expect(store.getTransfer(id(60))).toBeUndefined();
      expect(store.getAccount('cashbox:k2')).toBeUndefined();
    });

    it('nests: an inner throw undoes only the inner writes; an outer throw undoes the committed inner ones too', () => {
      const store = s.store;
      store.transaction(() => {
        store.insertAccount({ id: 'cashbox:k2', kind: 'cashbox', normal: 'debit', mustNotGoNegative: true });
        expect(() =>
          store.transaction(() => {
            store.appendBlock(blockOf(store, [{ n: 70, debitAccountId: CASH, creditAccountId: A, amountFen: 70 }]));
            throw rolledBack();
          }),
        ).toThrow(/rolls back/);
        expect(store.head().seq).toBe(0);
        store.transaction(() => store.appendBlock(blockOf(store, [{ n: 71, debitAccountId: 'cashbox:k2', creditAccountId: A, amountFen: 71 }])));
      });
      expect(store.getAccount('cashbox:k2')).toBeDefined();
      expect(store.getTransfer(id(70))).toBeUndefined();
      expect(store.getTransfer(id(71))).toMatchObject({ seq: 1, block: 1, blockIndex: 0 });
      expect(totals(store)[A]).toEqual([0, 71]);
      const head = store.head();
      expect(() =>
        store.transaction(() => {
          store.transaction(() => store.appendBlock(blockOf(store, [{ n: 72, debitAccountId: CASH, creditAccountId: A, amountFen: 72 }])));
          expect(store.head().block).toBe(2);
          throw rolledBack();
        }),
      ).toThrow(/rolls back/);
      expect(store.head()).toEqual(head);
      expect(totals(store)[A]).toEqual([0, 71]);
      expect(store.getTransfer(id(72))).toBeUndefined();
      // The rolled-back seq and block are given again, and the chain goes on from the head.
      const next = append(store, [{ n: 73, debitAccountId: CASH, creditAccountId: A, amountFen: 73 }]);
      expect(next.header).toMatchObject({ num: 2, firstSeq: 2, prevHash: head.hash });
      expect(totals(store)[A]).toEqual([0, 144]);
    });
  });
}

/** Reads: sums before a date, paged queries, the account index, snapshots. */
function readsContract(s: Suite): void {
  describe('reads', () => {
    it('sums an account before a date (at < before) and in all, like a sum over its transfers', () => {
      const store = s.store;
      const all = allTransfers(history(store));
      for (const accountId of [CASH, A, B, FUND]) {
        for (const before of [undefined, '2023-06-01T00:00:00.000Z', '2024-01-06T02:00:00.000Z', '2025-01-01T00:00:00.000Z', '2030-01-01T00:00:00.000Z']) {
          const mine = all.filter((t) => before === undefined || t.at < before);
          const expected = {
            debitsFen: mine.filter((t) => t.debitAccountId === accountId).reduce((s, t) => s + t.amountFen, 0),
            creditsFen: mine.filter((t) => t.creditAccountId === accountId).reduce((s, t) => s + t.amountFen, 0),
          };
          expect(store.sumTransfers(accountId, before), `${accountId} before ${before}`).toEqual(expected);
        }
      }
      expect(store.sumTransfers('person:nobody:individual', undefined)).toEqual({ debitsFen: 0, creditsFen: 0 });
    });

    it('queries transfers in seq order after afterSeq, by account on either side, code and time, at most limit', () => {
      const store = s.store;
      const all = allTransfers(history(store));
      const filters = [{}, { accountId: A }, { accountId: CASH, code: 'contribution.individual' }, { from: '2024-01-06T02:00:00.000Z' }, { to: '2025-01-01T00:00:00.000Z', accountId: B }];
      for (const f of filters) {
        const q = f as { accountId?: string; code?: string; from?: string; to?: string };
        const expected = all.filter(
          (t) =>
            (q.accountId === undefined || t.debitAccountId === q.accountId || t.creditAccountId === q.accountId) &&
            (q.code === undefined || t.code === q.code) &&
            (q.from === undefined || t.at >= q.from) &&
            (q.to === undefined || t.at < q.to),
        );
        expect(store.queryTransfers({ ...q, limit: 100, afterSeq: 0 }), JSON.stringify(f)).toEqual(expected);
        // Pages of 2.
        const paged: StoredTransfer[] = [];
        for (let afterSeq = 0; ; ) {
          const page = store.queryTransfers({ ...q, limit: 2, afterSeq });
          expect(page.length).toBeLessThanOrEqual(2);
          if (page.length === 0) break;
          paged.push(...page);
          afterSeq = page[page.length - 1]!.seq;
        }
        expect(paged).toEqual(expected);
      }
      expect(store.queryTransfers({ accountId: 'person:nobody:individual', limit: 10, afterSeq: 0 })).toEqual([]);
    });

    it('reports the account index as the transfers sum it, two entries per transfer', () => {
      const store = s.store;
      const all = allTransfers(history(store));
      const indexed = [...store.scanIndexedTotals()];
      expect(indexed.every((x) => x.problems === undefined || x.problems.length === 0)).toBe(true);
      expect(indexed.reduce((s, x) => s + x.entries, 0)).toBe(2 * all.length);
      const byAccount = Object.fromEntries(indexed.map((x) => [x.accountId, [x.debitsFen, x.creditsFen]]));
      expect(byAccount).toEqual(totals(store));
    });

    it('reads one snapshot, and returns what fn returns', () => {
      const store = s.store;
      history(store);
      const seen = store.snapshot(() => ({ head: store.head(), transfers: [...store.scanTransfers()].length, blocks: [...store.scanBlocks()].length }));
      expect(seen).toEqual({ head: store.head(), transfers: 7, blocks: 4 });
    });
  });
}

/** Durability: a close, a crash, a checkpoint. */
function durabilityContract(s: Suite): void {
  describe('durability', () => {
    it.each([
      ['closed', false],
      ['dropped without close (a crash)', true],
    ])('keeps every committed block when %s and reopened, and the chain goes on', (_how, crash) => {
      let store = s.store;
      const blocks = history(store);
      const before = { head: store.head(), totals: totals(store), transfers: [...store.scanTransfers()], blocks: [...store.scanBlocks()] };
      store = s.harness.reopen({ crash });
      expect({ head: store.head(), totals: totals(store), transfers: [...store.scanTransfers()], blocks: [...store.scanBlocks()] }).toEqual(before);
      expect(store.sumTransfers(A, '2025-01-01T00:00:00.000Z')).toEqual({ debitsFen: 700, creditsFen: 10_000 });
      expect(store.queryTransfers({ accountId: B, limit: 10, afterSeq: 0 }).map((t) => t.id)).toEqual([id(2), id(7)]);
      const next = append(store, [{ n: 80, debitAccountId: CASH, creditAccountId: B, amountFen: 80 }]);
      expect(next.header).toMatchObject({ num: blocks.length + 1, prevHash: before.head.hash });
      expect(totals(store)[B]).toEqual([0, 20_085]);
    });

    it('answers the same before and after a checkpoint, where the store has one', () => {
      const store = s.store;
      history(store);
      const before = { totals: totals(store), index: [...store.scanIndexedTotals()], sum: store.sumTransfers(A, '2025-01-01T00:00:00.000Z'), page: store.queryTransfers({ accountId: A, limit: 10, afterSeq: 1 }) };
      store.checkpoint?.();
      append(store, [{ n: 90, debitAccountId: CASH, creditAccountId: A, amountFen: 1, at: '2026-01-01T00:00:00.000Z' }]);
      const t = totals(store);
      t[CASH] = [t[CASH]![0] - 1, t[CASH]![1]];
      t[A] = [t[A]![0], t[A]![1] - 1];
      expect(t).toEqual(before.totals);
      expect(store.sumTransfers(A, '2025-01-01T00:00:00.000Z')).toEqual(before.sum);
      expect(store.queryTransfers({ accountId: A, limit: 10, afterSeq: 1 })).toEqual([...before.page, expect.objectContaining({ id: id(90) })]);
      expect([...store.scanIndexedTotals()].reduce((s, x) => s + x.entries, 0)).toBe(before.index.reduce((s, x) => s + x.entries, 0) + 2);
    });
  });
}

export function describeLedgerStoreContract(name: string, makeHarness: () => LedgerStoreHarness): void {
  describe(`LedgerStore contract: ${name}`, () => {
    const s = {} as Suite;
    beforeEach(() => {
      s.harness = makeHarness();
      s.store = s.harness.store;
      s.store.transaction(() => SPECS.forEach((spec) => s.store.insertAccount(spec)));
    });
    afterEach(() => s.harness.dispose());
    accountsContract(s);
    appendContract(s);
    transactionContract(s);
    readsContract(s);
    durabilityContract(s);
  });
}
