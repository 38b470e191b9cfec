// Helpers for tests of the registry, the runs and the API: a real SQLite file
// in a temp dir (WAL + synchronous=FULL, as in production) or a PostgreSQL
// database (NONGBAO_TEST_DB=postgres, sql/test-db.ts), the ledger, the
// policy, and a clock the test moves.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SqlDatabase } from '../sql/types.js';
import type { Ledger } from '../ledger/index.js';
import { openServerLedger } from '../sql/open.js';
import { openTestServerDatabase } from '../sql/test-db.js';
import { citizenCheckChar, resolvePolicy, type Policy } from '../policy/index.js';
import { createRuns, type Runs } from '../runs/index.js';
import { createRegistry, type Registry } from './index.js';
import { shanghaiMidnightMs } from './time.js';

export interface TestStack {
  db: SqlDatabase;
  ledger: Ledger;
  policy: Policy;
  registry: Registry;
  runs: Runs;
  /** Sets the clock to noon (Asia/Shanghai) of `date`. */
  setToday(date: string): void;
  close(): void;
}

export function openTestStack(options: { today: string; schemeStart?: string; preset?: string; overrides?: unknown; chunkPersons?: number }): TestStack {
  const dir = mkdtempSync(join(tmpdir(), 'nongbao-registry-'));
  const db = openTestServerDatabase(dir);
  const ledger = openServerLedger(db);
  const policy = resolvePolicy(options.preset ?? 'xinnongbao-2009', options.overrides ?? {});
  let nowMs = shanghaiMidnightMs(options.today) + 12 * 3_600_000;
  const registry = createRegistry({ db, ledger, policy, schemeStart: options.schemeStart ?? '2010-07-01', now: () => nowMs });
  const runs = createRuns(registry, options.chunkPersons === undefined ? {} : { chunkPersons: options.chunkPersons });
  return {
    db,
    ledger,
    policy,
    registry,
    runs,
    setToday(date: string) {
      nowMs = shanghaiMidnightMs(date) + 12 * 3_600_000;
    },
    close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A valid citizen number (GB 11643) for a birth date; `serial` 0-999 tells people apart. */
export function citizenNumberFor(birthDate: string, serial = 1, region = '510322'): string {
  const first17 = `${region}${birthDate.replaceAll('-', '')}${String(serial).padStart(3, '0')}`;
  return `${first17}${citizenCheckChar(first17)}`;
}

/** The same number with a wrong check character. */
export function withWrongCheckDigit(citizenNumber: string): string {
  const last = citizenNumber.at(-1)!;
  const wrong = last === '0' ? '1' : '0';
  return `${citizenNumber.slice(0, 17)}${wrong}`;
}

let uuidCounter = 0;
/** A fresh lowercase UUIDv7 whose time is `date` (tests make ids like a kiosk would). */
export function testUuid(date = '2020-01-01'): string {
  uuidCounter += 1;
  const ms = shanghaiMidnightMs(date) + uuidCounter;
  const hex = ms.toString(16).padStart(12, '0');
  const rand = (uuidCounter * 2654435761).toString(16).padStart(12, '0').slice(-12);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${rand.slice(0, 3)}-8${rand.slice(3, 6)}-${rand.slice(0, 12)}`;
}

/** The office user the tests state enrolment dates as (PersonService.registerPerson's `statedBy`). */
export const TEST_OPERATOR = 'op.test';

/**
 * An operator's statement that the person enrolled on `enrolledOn`, coming
 * from the old scheme's register (issue 10 section 1: the only way to enrol
 * someone on a date before today).
 */
export function statedEnrolment(enrolledOn: string): { enrolledOn: string; source: 'old-scheme-register'; reason: string } {
  return { enrolledOn, source: 'old-scheme-register', reason: `test: on the old scheme's register since ${enrolledOn}` };
}

/**
 * A registration. By default the person enrolled when the scheme started
 * (2010-07-01), as stated from the old scheme's register: the tests build a
 * history since then on a clock set to a later day. Pass
 * `{ enrolmentStatement: undefined }` to enrol on the registration day. It has a
 * bank account (the payroll pays nobody without one, issue 10 section 5);
 * `{ bankAccount: undefined }` in `extra` leaves it out.
 */
export function personInput(citizenNumber: string, birthDate: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    citizenNumber,
    name: '张三丰',
    birthDate,
    villageCode: 'V001',
    hukouInCounty: true,
    fullTimeStudent: false,
    urbanEmployeePension: false,
    enrolmentStatement: statedEnrolment('2010-07-01'),
    bankAccount: `6222${citizenNumber.slice(0, 17)}`,
    ...extra,
  };
}
