// Helpers shared by the ledger's tests (not shipped from index.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type SqliteDatabase } from '../db.js';
import { Ledger } from './ledger.js';
import { FUND_ACCOUNT_SPECS, cashBoxAccountId, cashBoxAccountSpec, personAccountId, personAccountSpecs } from './chart.js';
import type { TransferInput } from './types.js';
import { isLedgerError } from './errors.js';
import { expect } from 'vitest';

/** A deterministic UUIDv7 for test number n (the same n gives the same id). */
export function testId(n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `01900000-0000-7000-8000-${hex}`;
}

export const CITIZEN_A = '110101199003077777';
export const CITIZEN_B = '110101195001011234';
export const TERMINAL = 'kiosk-01';
/** The terminal's cash box: debit-normal, must not go negative. */
export const CASH = cashBoxAccountId(TERMINAL);
/** Person A's individual account: credit-normal, must not go negative. */
export const A_IND = personAccountId(CITIZEN_A, 'individual');
export const A_GOV = personAccountId(CITIZEN_A, 'government');
export const B_IND = personAccountId(CITIZEN_B, 'individual');

export interface TempLedger {
  dir: string;
  path: string;
  db: SqliteDatabase;
  ledger: Ledger;
  reopen(): TempLedger;
  cleanup(): void;
}

/** A ledger on a real SQLite file in a fresh temp directory, with the demo chart. */
export function tempLedger(): TempLedger {
  const dir = mkdtempSync(join(tmpdir(), 'nongbao-ledger-'));
  const path = join(dir, 'ledger.sqlite');
  const open = (): TempLedger => {
    const db = openDatabase(path);
    const ledger = Ledger.openSqlite(db);
    const self: TempLedger = {
      dir,
      path,
      db,
      ledger,
      reopen() {
        ledger.close();
        db.close();
        return open();
      },
      cleanup() {
        ledger.close();
        if (db.open) db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
    return self;
  };
  const t = open();
  t.ledger.ensureAccounts([...FUND_ACCOUNT_SPECS, ...personAccountSpecs(CITIZEN_A), ...personAccountSpecs(CITIZEN_B), cashBoxAccountSpec(TERMINAL)]);
  return t;
}

export function transfer(n: number, fields: Partial<TransferInput> & Pick<TransferInput, 'debitAccountId' | 'creditAccountId' | 'amountFen'>): TransferInput {
  return { id: testId(n), code: 'contribution.individual', at: '2024-03-01T08:00:00.000Z', ...fields };
}

/** One stored posting as the tests read it back: seq, signed amount (+ debit, - credit), time in ms. */
export type PostingEntry = [seq: number, signedFen: number, atMs: number];

/** Decodes a posting run (float64 LE triples) independently of the store's own codec. */
export function decodePostingRun(data: Buffer): PostingEntry[] {
  const out: PostingEntry[] = [];
  for (let o = 0; o + 24 <= data.length; o += 24) out.push([data.readDoubleLE(o), data.readDoubleLE(o + 8), data.readDoubleLE(o + 16)]);
  return out;
}

export function encodePostingRun(entries: readonly PostingEntry[]): Buffer {
  const out = Buffer.alloc(entries.length * 24);
  entries.forEach(([seq, amount, ms], i) => {
    out.writeDoubleLE(seq, i * 24);
    out.writeDoubleLE(amount, i * 24 + 8);
    out.writeDoubleLE(ms, i * 24 + 16);
  });
  return out;
}

/** Every checkpointed posting, by account number, in key order. */
export function storedPostings(db: SqliteDatabase): { accountNum: number; entry: PostingEntry }[] {
  const rows = db.prepare('SELECT account_num, data FROM ledger_posting_runs ORDER BY account_num, first_seq').raw().all() as [number, Buffer][];
  return rows.flatMap(([accountNum, data]) => decodePostingRun(data).map((entry) => ({ accountNum, entry })));
}

/**
 * Rewrites an account's stored posting runs through `edit` (the append-only
 * triggers must be dropped first): what a tamperer holding the file can do.
 */
export function rewritePostings(db: SqliteDatabase, accountId: string, edit: (entries: PostingEntry[]) => PostingEntry[]): void {
  const num = db.prepare('SELECT num FROM ledger_accounts WHERE id = ?').pluck().get(accountId) as number;
  const rows = db.prepare('SELECT first_seq, data FROM ledger_posting_runs WHERE account_num = ?').raw().all(num) as [number, Buffer][];
  const update = db.prepare('UPDATE ledger_posting_runs SET data = ? WHERE account_num = ? AND first_seq = ?');
  for (const [firstSeq, data] of rows) update.run(encodePostingRun(edit(decodePostingRun(data))), num, firstSeq);
}

/** Runs fn and expects it to throw a LedgerError with this code. */
export function expectLedgerError(fn: () => unknown, code: number): void {
  try {
    fn();
  } catch (error) {
    expect(isLedgerError(error)).toBe(true);
    expect((error as { code: number }).code).toBe(code);
    return;
  }
  throw new Error('expected a LedgerError');
}
