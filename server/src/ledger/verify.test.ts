import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FUND } from './chart.js';
import { ledgerCommand, type LedgerCommandIo } from './command.js';
import { A_IND, B_IND, CASH, decodePostingRun, encodePostingRun, rewritePostings, storedPostings, tempLedger, testId, transfer, type TempLedger } from './test-support.js';
import type { VerifyProblemKind } from './types.js';
import type { StoredBlock } from './store.js';
import { blockDigest, blockHash, canonicalTransferEncoding } from './hash.js';


let t: TempLedger;
beforeEach(() => {
  t = tempLedger();
  // Five transfers in two batches.
  t.ledger.createTransfers([
    transfer(1, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 10_000 }),
    transfer(2, { debitAccountId: CASH, creditAccountId: B_IND, amountFen: 20_000 }),
    transfer(3, { debitAccountId: FUND.inTransit, creditAccountId: CASH, amountFen: 30_000, code: 'collection' }),
  ]);
  t.ledger.createTransfers([
    transfer(4, { debitAccountId: FUND.collection, creditAccountId: FUND.inTransit, amountFen: 30_000, code: 'collection' }),
    transfer(5, { debitAccountId: A_IND, creditAccountId: FUND.payout, amountFen: 72, code: 'pension.account' }),
  ]);
});
afterEach(() => {
  t.cleanup();
});

/** Tampering goes around the ledger, as someone holding the file would: drop the append-only triggers first. */
function tamper(sql: string): void {
  for (const table of ['ledger_transfers', 'ledger_blocks']) t.db.exec(`DROP TRIGGER IF EXISTS ${table}_no_update; DROP TRIGGER IF EXISTS ${table}_no_delete;`);
  t.db.exec(sql);
}

function blocks(): StoredBlock[] {
  return [...t.ledger.store.scanBlocks()];
}

function kinds(): VerifyProblemKind[] {
  return [...new Set(t.ledger.verify().problems.map((p) => p.kind))].sort();
}

describe('verify', () => {
  it('passes an untouched ledger and reports its totals and head', () => {
    const report = t.ledger.verify();
    expect(report).toMatchObject({ ok: true, transfers: 5, blocks: 2, lastSeq: 5, problems: [], totalDebitsFen: '90072', totalCreditsFen: '90072' });
    expect(report).toMatchObject({ headBlock: 2, headHash: blocks()[1]!.hash });
  });

  it('detects a tampered amount whose block digest and hash were recomputed by the tamperer: the next block\'s link breaks', () => {
    const row = t.ledger.store.getTransfer(testId(2))!;
    const [first] = blocks();
    const encodings = [1, 2, 3].map((n) => t.ledger.store.getTransfer(testId(n))!).map((x) => canonicalTransferEncoding(x.id === row.id ? { ...x, amountFen: 1 } : x));
    const header = { ...first!, digest: blockDigest(encodings) };
    tamper(`UPDATE ledger_transfers SET amount_fen = 1 WHERE seq = 2;
      UPDATE ledger_blocks SET digest = '${header.digest}', hash = '${blockHash(header)}' WHERE num = 1`);
    // The account index still holds the old amount, so it no longer agrees with the transfers either.
    expect(kinds()).toEqual(['balance_mismatch', 'books_unbalanced', 'chain_prev_hash_mismatch', 'index_mismatch']);
    expect(t.ledger.verify().problems).toContainEqual(expect.objectContaining({ kind: 'chain_prev_hash_mismatch', block: 2 }));
    // Recomputing only the digest leaves the block's own hash wrong.
    tamper(`UPDATE ledger_blocks SET hash = '${first!.hash}' WHERE num = 1`);
    expect(t.ledger.verify().problems).toContainEqual(expect.objectContaining({ kind: 'chain_hash_mismatch', block: 1 }));
  });

  it('detects a deleted last block through the head', () => {
    tamper(`DELETE FROM ledger_transfers WHERE seq >= 4; DELETE FROM ledger_blocks WHERE num = 2`);
    expect(t.ledger.verify().problems).toContainEqual(expect.objectContaining({ kind: 'chain_head_mismatch', block: 2 }));
  });

  it('detects an edited balance', () => {
    t.db.exec(`UPDATE ledger_balances SET credits_fen = credits_fen + 500 WHERE num = (SELECT num FROM ledger_accounts WHERE id = '${B_IND}')`);
    const report = t.ledger.verify();
    expect(report.problems).toContainEqual(expect.objectContaining({ kind: 'balance_mismatch', accountId: B_IND }));
    expect(report.problems.map((p) => p.kind)).toContain('books_unbalanced');
  });

  it('detects a broken chain link', () => {
    tamper(`UPDATE ledger_blocks SET prev_hash = '${'f'.repeat(64)}' WHERE num = 2`);
    const report = t.ledger.verify();
    expect(report.problems).toContainEqual(expect.objectContaining({ kind: 'chain_prev_hash_mismatch', block: 2 }));
    expect(report.problems).toContainEqual(expect.objectContaining({ kind: 'chain_hash_mismatch', block: 2 }));
    // Balances are untouched, so only the chain is reported.
    expect(kinds()).toEqual(['chain_hash_mismatch', 'chain_prev_hash_mismatch']);
  });

  it('refuses at the database level to edit or delete a transfer or a block', () => {
    expect(() => t.db.prepare('UPDATE ledger_transfers SET amount_fen = 1').run()).toThrow(/append-only/);
    expect(() => t.db.prepare('DELETE FROM ledger_transfers').run()).toThrow(/append-only/);
    expect(() => t.db.prepare("UPDATE ledger_blocks SET digest = ''").run()).toThrow(/append-only/);
    expect(() => t.db.prepare('DELETE FROM ledger_blocks').run()).toThrow(/append-only/);
  });

  it('detects a tampered account index (postings), which balance-on-a-date and statements read', () => {
    // Postings are written at checkpoints (schema 3); write them so there is something to tamper with.
    t.ledger.checkpoint();
    t.db.exec('DROP TRIGGER ledger_posting_runs_no_update; DROP TRIGGER ledger_posting_runs_no_delete;');
    const setCredit = (fen: number) => rewritePostings(t.db, B_IND, (es) => es.map(([seq, amount, ms]) => [seq, seq === 2 && amount < 0 ? -fen : amount, ms]));
    setCredit(1);
    expect(t.ledger.verify().problems).toEqual([expect.objectContaining({ kind: 'index_mismatch', accountId: B_IND })]);
    setCredit(20_000);
    expect(t.ledger.verify().ok).toBe(true);
    // A deleted entry: the account's sums and the entry count both disagree.
    rewritePostings(t.db, A_IND, (es) => es.filter(([seq, amount]) => !(seq === 5 && amount > 0)));
    const problems = t.ledger.verify().problems;
    expect(problems).toContainEqual(expect.objectContaining({ kind: 'index_mismatch', accountId: A_IND }));
    expect(problems).toContainEqual(expect.objectContaining({ kind: 'index_mismatch', detail: expect.stringMatching(/9 entries for 5 transfers/) }));
  });

  it('detects an unreadable or misplaced posting run, and the reads that need it refuse to answer', () => {
    t.ledger.checkpoint();
    t.db.exec('DROP TRIGGER ledger_posting_runs_no_update; DROP TRIGGER ledger_posting_runs_no_delete;');
    // The account with the longest run (several postings, so that reordering them changes something).
    const [num, firstSeq, data, id] = t.db
      .prepare('SELECT r.account_num, r.first_seq, r.data, a.id FROM ledger_posting_runs r JOIN ledger_accounts a ON a.num = r.account_num ORDER BY length(r.data) DESC LIMIT 1')
      .raw()
      .get() as [number, number, Buffer, string];
    expect(data.length).toBeGreaterThanOrEqual(2 * 24);
    t.db.prepare('UPDATE ledger_posting_runs SET data = ? WHERE account_num = ?').run(data.subarray(0, data.length - 5), num);
    expect(t.ledger.verify().problems).toContainEqual(expect.objectContaining({ kind: 'index_mismatch', accountId: id, detail: expect.stringMatching(/not a positive multiple of 24/) }));
    expect(() => t.ledger.balance(id, { before: '2030-01-01' })).toThrow(/not a positive multiple/);
    // Entries out of order, or a first seq that does not match the key.
    const entries = decodePostingRun(data);
    t.db.prepare('UPDATE ledger_posting_runs SET data = ? WHERE account_num = ?').run(encodePostingRun([...entries].reverse()), num);
    expect(t.ledger.verify().problems).toContainEqual(expect.objectContaining({ kind: 'index_mismatch', accountId: id, detail: expect.stringMatching(/out of order/) }));
    t.db.prepare('UPDATE ledger_posting_runs SET data = ?, first_seq = ? WHERE account_num = ?').run(data, firstSeq + 1, num);
    expect(t.ledger.verify().problems).toContainEqual(expect.objectContaining({ kind: 'index_mismatch', accountId: id, detail: expect.stringMatching(/out of order/) }));
  });

  it('refuses at the database level to edit or delete a posting', () => {
    t.ledger.checkpoint();
    expect(storedPostings(t.db)).toHaveLength(10);
    expect(() => t.db.prepare('UPDATE ledger_posting_runs SET data = x\'00\'').run()).toThrow(/append-only/);
    expect(() => t.db.prepare('DELETE FROM ledger_posting_runs').run()).toThrow(/append-only/);
  });

  it('detects a negative balance on an account that must not go negative', () => {
    // The bank may be overdrawn when the transfer is made; the flag is then set behind the ledger's back,
    // so the sums still match and the books balance: only the sign is wrong.
    t.ledger.createTransfers([transfer(6, { debitAccountId: FUND.payout, creditAccountId: FUND.bank, amountFen: 1, code: 'pension.account' })]);
    t.db.exec(`UPDATE ledger_accounts SET must_not_go_negative = 1 WHERE id = '${FUND.bank}'`);
    expect(kinds()).toEqual(['negative_balance']);
  });
});

describe('verify finds every tampering with a transfer (issue #15 section 1)', () => {
  // Block 1 holds seq 1-3, block 2 seq 4-5 (beforeEach).
  it('an edited amount: its block no longer hashes to its digest, and the balances no longer sum', () => {
    tamper(`UPDATE ledger_transfers SET amount_fen = 1000 WHERE seq = 1`);
    const report = t.ledger.verify();
    expect(report.ok).toBe(false);
    expect(report.problems).toContainEqual(expect.objectContaining({ kind: 'block_digest_mismatch', block: 1 }));
    expect(report.problems).toContainEqual(expect.objectContaining({ kind: 'balance_mismatch', accountId: A_IND }));
    expect(report.problems.filter((p) => p.kind === 'block_digest_mismatch')).toHaveLength(1);
  });

  it('an edited field that moves no money (the time): the digest alone finds it', () => {
    tamper(`UPDATE ledger_transfers SET at = '2020-01-01T00:00:00.000Z' WHERE seq = 5`);
    expect(kinds()).toEqual(['block_digest_mismatch']);
    expect(t.ledger.verify().problems).toEqual([expect.objectContaining({ kind: 'block_digest_mismatch', block: 2 })]);
  });

  it('a removed transfer: its block lacks its seq and no longer hashes to its digest', () => {
    tamper(`DELETE FROM ledger_transfers WHERE seq = 2`);
    const problems = t.ledger.verify().problems;
    expect(problems).toContainEqual(expect.objectContaining({ kind: 'chain_seq_gap', block: 1, seq: 2 }));
    expect(problems).toContainEqual(expect.objectContaining({ kind: 'block_digest_mismatch', block: 1 }));
    expect(kinds()).toEqual(['balance_mismatch', 'block_digest_mismatch', 'books_unbalanced', 'chain_seq_gap', 'index_mismatch']);
    // The last transfer too, where no later seq shows the gap.
    tamper(`DELETE FROM ledger_transfers WHERE seq = 5`);
    expect(t.ledger.verify().problems).toContainEqual(expect.objectContaining({ kind: 'chain_seq_gap', block: 2, seq: 5 }));
    expect(t.ledger.verify().problems).toContainEqual(expect.objectContaining({ kind: 'block_digest_mismatch', block: 2 }));
  });

  it('two transfers reordered: found by the digest, even with their indexes fixed to match', () => {
    // Swap seq 1 and 2 (same accounts' sides, so no balance moves), then their indexes too.
    tamper(`UPDATE ledger_transfers SET seq = -1 WHERE seq = 1; UPDATE ledger_transfers SET seq = 1 WHERE seq = 2; UPDATE ledger_transfers SET seq = 2 WHERE seq = -1;`);
    expect(kinds()).toEqual(['block_digest_mismatch', 'transfer_block_mismatch']);
    tamper(`UPDATE ledger_transfers SET block_index = seq - 1 WHERE block = 1`);
    expect(t.ledger.verify().problems).toEqual([expect.objectContaining({ kind: 'block_digest_mismatch', block: 1 })]);
  });

  it('a forged transfer inserted after the last block: it lies in no block', () => {
    tamper(`INSERT INTO ledger_transfers (seq, id, debit_account_id, credit_account_id, amount_fen, code, at, reference, meta, linked, recorded_at, block, block_index)
      SELECT 6, '${testId(66)}', '${A_IND}', '${FUND.payout}', 9000, 'pension.account', at, NULL, '', 0, recorded_at, 2, 2 FROM ledger_transfers WHERE seq = 5`);
    const problems = t.ledger.verify().problems;
    expect(problems).toContainEqual(expect.objectContaining({ kind: 'transfer_block_mismatch', seq: 6, transferId: testId(66) }));
  });

  it('a forged transfer inserted inside a block, the later seqs and the blocks\' ranges shifted to make room', () => {
    tamper(`UPDATE ledger_transfers SET seq = -(seq + 1) WHERE seq >= 3; UPDATE ledger_transfers SET seq = -seq, block_index = block_index + (block = 1) WHERE seq < 0;
      INSERT INTO ledger_transfers (seq, id, debit_account_id, credit_account_id, amount_fen, code, at, reference, meta, linked, recorded_at, block, block_index)
        SELECT 3, '${testId(66)}', '${A_IND}', '${FUND.payout}', 9000, 'pension.account', at, NULL, '', 0, recorded_at, 1, 2 FROM ledger_transfers WHERE seq = 2;
      UPDATE ledger_blocks SET last_seq = last_seq + 1, first_seq = first_seq + (num = 2)`);
    const problems = t.ledger.verify().problems;
    expect(problems).toContainEqual(expect.objectContaining({ kind: 'block_digest_mismatch', block: 1 }));
    expect(problems).toContainEqual(expect.objectContaining({ kind: 'chain_hash_mismatch', block: 1 }));
    // Every later block's transfers moved seq, so their digests break too.
    expect(problems).toContainEqual(expect.objectContaining({ kind: 'block_digest_mismatch', block: 2 }));
  });
});

describe('durability', () => {
  it('leaves nothing of a batch that throws midway', () => {
    // A storage failure on the third insert of the batch (a full disk, an I/O error).
    t.db.exec(`CREATE TRIGGER fail_777 BEFORE INSERT ON ledger_transfers WHEN NEW.amount_fen = 777 BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END;`);
    const before = { a: t.ledger.balance(A_IND), cash: t.ledger.balance(CASH), head: t.ledger.store.head() };
    expect(() =>
      t.ledger.createTransfers([
        transfer(10, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 1 }),
        transfer(11, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 2 }),
        transfer(12, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 777 }),
        transfer(13, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 3 }),
      ]),
    ).toThrow(/disk I\/O error/);
    expect(t.ledger.getTransfer(testId(10))).toBeUndefined();
    expect(t.ledger.getTransfer(testId(11))).toBeUndefined();
    expect({ a: t.ledger.balance(A_IND), cash: t.ledger.balance(CASH), head: t.ledger.store.head() }).toEqual(before);
    t.db.exec('DROP TRIGGER fail_777');
    // The same batch goes through afterwards and the ledger is sound.
    const results = t.ledger.createTransfers([transfer(10, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 1 })]);
    expect(results[0]).toEqual({ id: testId(10), result: 'created', seq: 6 });
    expect(t.ledger.verify().ok).toBe(true);
  });

  it('continues the chain after the file is reopened', () => {
    const head = t.ledger.store.head();
    t = t.reopen();
    expect(t.ledger.store.head()).toEqual(head);
    t.ledger.createTransfers([transfer(6, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 5 })]);
    const sixth = t.ledger.getTransfer(testId(6))!;
    expect(sixth).toMatchObject({ seq: 6, block: 3, blockIndex: 0 });
    expect(blocks()[2]!.prevHash).toBe(head.hash);
    // A retry after the restart is still recognised.
    expect(t.ledger.createTransfers([transfer(1, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 10_000 })])[0]!.result).toBe('exists');
    expect(t.ledger.verify()).toMatchObject({ ok: true, transfers: 6 });
  });
});

describe('nongbao ledger verify', () => {
  function io(env: NodeJS.ProcessEnv = {}): LedgerCommandIo & { stdout: string[]; stderr: string[] } {
    const stdout: string[] = [];
    const stderr: string[] = [];
    return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), env };
  }

  it('prints a JSON report and exits 0 for a sound ledger, reading the file named by --db', async () => {
    const o = io();
    expect(await ledgerCommand(['verify', '--db', t.path], o)).toBe(0);
    const report = JSON.parse(o.stdout.join('\n')) as { ok: boolean; transfers: number; db: string };
    expect(report).toMatchObject({ ok: true, transfers: 5, db: t.path });
  });

  it('exits 1 for a tampered ledger and names the problem', async () => {
    t.db.exec(`UPDATE ledger_balances SET debits_fen = debits_fen + 1 WHERE num = (SELECT num FROM ledger_accounts WHERE id = '${CASH}')`);
    const o = io({ NONGBAO_DB: t.path });
    expect(await ledgerCommand(['verify'], o)).toBe(1);
    const report = JSON.parse(o.stdout.join('\n')) as { ok: boolean; problems: { kind: string; accountId?: string }[] };
    expect(report.problems).toContainEqual(expect.objectContaining({ kind: 'balance_mismatch', accountId: CASH }));
  });

  it('exits 2 for bad usage, a missing file, and a file without a ledger', async () => {
    expect(await ledgerCommand([], io())).toBe(2);
    expect(await ledgerCommand(['check'], io())).toBe(2);
    expect(await ledgerCommand(['verify', '--database', t.path], io())).toBe(2);
    const missing = io();
    expect(await ledgerCommand(['verify', '--db', join(t.dir, 'nope.sqlite')], missing)).toBe(2);
    expect(missing.stderr.join('')).toMatch(/no database/);
    const notDb = join(t.dir, 'text.sqlite');
    writeFileSync(notDb, 'this is not a database, just some text long enough to have a header');
    expect(await ledgerCommand(['verify', '--db', notDb], io())).toBe(2);
    const { openDatabase } = await import('../db.js');
    const empty = join(t.dir, 'registry-only.sqlite');
    openDatabase(empty).exec('CREATE TABLE persons (id TEXT)');
    const noLedger = io();
    expect(await ledgerCommand(['verify', '--db', empty], noLedger)).toBe(2);
    expect(noLedger.stderr.join('')).toMatch(/holds no ledger/);
  });
});
