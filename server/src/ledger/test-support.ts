// Helpers shared by the ledger's tests (not shipped from index.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type SqliteDatabase } from '../db.js';
import { Ledger } from './ledger.js';
import { FUND_ACCOUNT_SPECS, cashBoxAccountSpec, personAccountSpecs } from './chart.js';
import type { TransferInput } from './types.js';

/** A deterministic UUIDv7 for test number n (the same n gives the same id). */
export function testId(n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `01900000-0000-7000-8000-${hex}`;
}

export const CITIZEN_A = '110101199003077777';
export const CITIZEN_B = '110101195001011234';
export const TERMINAL = 'kiosk-01';

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
