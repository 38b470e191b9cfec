// The enrolment date of a person (issue 10 section 1; POLICY.md "When a
// pension is paid"): today, or earlier only as an operator states it for a
// person coming from the old scheme's register, within its bounds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../db.js';
import { Ledger, personAccountSpecs } from '../ledger/index.js';
import { resolvePolicy } from '../policy/index.js';
import { createRuns } from '../runs/index.js';
import { enrolmentStatementFromQuery } from './enrolment.js';
import { isRegistryError, type RegistryError } from './errors.js';
import { createRegistry } from './index.js';
import { VILLAGE_REGISTER_COLUMNS } from './register-import.js';
import { citizenNumberFor, openTestStack, personInput, statedEnrolment, TEST_OPERATOR, type TestStack } from './test-support.js';
import { shanghaiMidnightMs } from './time.js';

function catchError(fn: () => unknown): RegistryError {
  try {
    fn();
  } catch (error) {
    if (isRegistryError(error)) return error;
    throw error;
  }
  throw new Error('expected a RegistryError, nothing was thrown');
}

function count(stack: TestStack, table: string): number {
  return (stack.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
}

const TODAY = '2016-05-12';
const BORN = '1950-08-08';
const CN = citizenNumberFor(BORN, 7);
/** Enrols on the registration day: no statement. */
const today = (cn: string, born: string, extra: Record<string, unknown> = {}) => personInput(cn, born, { enrolmentStatement: undefined, ...extra });

let stack: TestStack;
beforeEach(() => {
  stack = openTestStack({ today: TODAY });
  stack.registry.persons.createVillage({ code: 'V001', name: '上坝村' });
});
afterEach(() => stack.close());

describe('the enrolment date of a registration', () => {
  it('is the registration day when no date is stated', () => {
    const person = stack.registry.persons.registerPerson(today(CN, BORN));
    expect(person).toMatchObject({ registeredAt: TODAY, enrolledOn: TODAY, enrolmentStatement: null });
    expect(count(stack, 'reg_enrolment_statements')).toBe(0);
  });

  it('is the stated day for a person from the old scheme, recorded with who stated it, when and why', () => {
    const person = stack.registry.persons.registerPerson(personInput(CN, BORN, { enrolmentStatement: statedEnrolment('2012-03-01') }), 'op.wang');
    expect(person).toMatchObject({ registeredAt: TODAY, enrolledOn: '2012-03-01' });
    expect(person.enrolmentStatement).toEqual({
      enrolledOn: '2012-03-01',
      source: 'old-scheme-register',
      reason: "test: on the old scheme's register since 2012-03-01",
      statedBy: 'op.wang',
      statedAt: new Date(shanghaiMidnightMs(TODAY) + 12 * 3_600_000).toISOString(),
    });
    // The scheme's start itself is the earliest day allowed; today is allowed too.
    const second = citizenNumberFor(BORN, 8);
    expect(stack.registry.persons.registerPerson(personInput(second, BORN, { enrolmentStatement: statedEnrolment('2010-07-01') }), TEST_OPERATOR).enrolledOn).toBe('2010-07-01');
  });

  it('refuses a stated date after today, before the scheme started, or before the 16th birthday, and writes nothing', () => {
    const register = (enrolledOn: string, cn = CN, born = BORN) =>
      catchError(() => stack.registry.persons.registerPerson(personInput(cn, born, { enrolmentStatement: statedEnrolment(enrolledOn) }), TEST_OPERATOR));
    expect(register('2016-05-13')).toMatchObject({ code: 'enrolment-in-future', field: 'enrolmentStatement.enrolledOn', kind: 'bad-input' });
    const early = register('2010-06-30');
    expect(early).toMatchObject({ code: 'enrolled-before-scheme-start', field: 'enrolmentStatement.enrolledOn', kind: 'refused', numericCode: 6014 });
    // "Who may enrol" is judged on the enrolment date: aged 15 on 2012-01-01.
    const young = citizenNumberFor('1996-06-01', 9);
    expect(register('2012-01-01', young, '1996-06-01').code).toBe('under-16');
    expect(stack.registry.persons.registerPerson(personInput(young, '1996-06-01', { enrolmentStatement: statedEnrolment('2012-06-01') }), TEST_OPERATOR).enrolledOn).toBe('2012-06-01');
    expect(stack.registry.persons.find(CN)).toBeUndefined();
    expect(count(stack, 'reg_enrolment_statements')).toBe(1);
  });

  it('takes an earlier date only with a whole statement and the user who states it', () => {
    const persons = stack.registry.persons;
    // The old free backdating field is gone: an unknown field.
    expect(catchError(() => persons.registerPerson(today(CN, BORN, { registeredOn: '2012-03-01' }))).code).toBe('invalid-input');
    const statement = statedEnrolment('2012-03-01');
    expect(catchError(() => persons.registerPerson(personInput(CN, BORN, { enrolmentStatement: { ...statement, source: 'village-head' } }), TEST_OPERATOR)).field).toBe(
      'enrolmentStatement.source',
    );
    expect(catchError(() => persons.registerPerson(personInput(CN, BORN, { enrolmentStatement: { ...statement, reason: '  ' } }), TEST_OPERATOR)).field).toBe(
      'enrolmentStatement.reason',
    );
    const { reason: _reason, ...noReason } = statement;
    expect(catchError(() => persons.registerPerson(personInput(CN, BORN, { enrolmentStatement: noReason }), TEST_OPERATOR)).field).toBe('enrolmentStatement.reason');
    expect(catchError(() => persons.registerPerson(personInput(CN, BORN, { enrolmentStatement: statement }))).code).toBe('incomplete-enrolment-statement');
    expect(persons.find(CN)).toBeUndefined();
  });
});

describe('the enrolment date of a village register import', () => {
  const header = VILLAGE_REGISTER_COLUMNS.join(',');
  const A = citizenNumberFor('1950-01-01', 11);
  const B = citizenNumberFor('1980-02-02', 12);
  const csv = [header, `${A},周六,1950-01-01,V001,,1,0,0,0,`, `${B},吴七,1980-02-02,V001,,1,0,0,0,`].join('\n');

  it('is the import day without a statement', async () => {
    expect(await stack.registry.persons.importVillageRegister(csv)).toEqual({ imported: 2 });
    expect(stack.registry.persons.get(A)).toMatchObject({ enrolledOn: TODAY, enrolmentStatement: null });
  });

  it("is the stated day for every person of an old scheme's register", async () => {
    expect(await stack.registry.persons.importVillageRegister(csv, statedEnrolment('2011-04-04'), 'op.wang')).toEqual({ imported: 2 });
    for (const cn of [A, B]) {
      expect(stack.registry.persons.get(cn)).toMatchObject({ registeredAt: TODAY, enrolledOn: '2011-04-04', enrolmentStatement: { statedBy: 'op.wang', source: 'old-scheme-register' } });
    }
  });

  it('refuses the whole file for a date out of bounds', () => {
    const e = catchError(() => stack.registry.persons.importVillageRegister(csv, statedEnrolment('2009-12-31'), 'op.wang'));
    expect(e).toMatchObject({ code: 'enrolled-before-scheme-start', field: 'enrolledOn' });
    expect(catchError(() => stack.registry.persons.importVillageRegister(csv, statedEnrolment('2011-04-04'))).code).toBe('incomplete-enrolment-statement');
    expect(count(stack, 'reg_persons')).toBe(0);
  });

  it('reads the statement from query parameters: all three or none', () => {
    expect(enrolmentStatementFromQuery({})).toBeUndefined();
    expect(enrolmentStatementFromQuery({ enrolledOn: '2011-04-04', source: 'old-scheme-register', reason: 'register of 2009' })).toEqual({
      enrolledOn: '2011-04-04',
      source: 'old-scheme-register',
      reason: 'register of 2009',
    });
    expect(catchError(() => enrolmentStatementFromQuery({ enrolledOn: '2011-04-04' }))).toMatchObject({ code: 'incomplete-enrolment-statement', field: 'source' });
    expect(catchError(() => enrolmentStatementFromQuery({ source: 'old-scheme-register', reason: 'x' }))).toMatchObject({ code: 'incomplete-enrolment-statement', field: 'enrolledOn' });
  });
});

describe('a database made before the enrolment date was recorded', () => {
  it('opens with each person enrolled on the old registered_at, and pays from the month after it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nongbao-enrolment-'));
    const path = join(dir, 'server.sqlite');
    try {
      const old = openDatabase(path);
      // reg_persons as it was: registered_at was "the date the registration takes effect".
      old.exec(`CREATE TABLE reg_villages (code TEXT PRIMARY KEY, name TEXT NOT NULL, county_code TEXT NOT NULL DEFAULT '') STRICT;
        CREATE TABLE reg_households (id TEXT PRIMARY KEY, village_code TEXT NOT NULL REFERENCES reg_villages(code), created_at TEXT NOT NULL) STRICT;
        CREATE TABLE reg_persons (
          citizen_number TEXT PRIMARY KEY, name TEXT NOT NULL, birth_date TEXT NOT NULL,
          village_code TEXT NOT NULL REFERENCES reg_villages(code), household_id TEXT REFERENCES reg_households(id),
          severely_disabled INTEGER NOT NULL DEFAULT 0, bank_account TEXT, registered_at TEXT NOT NULL,
          death_date TEXT, death_reported_on TEXT, urban_pension_since TEXT, urban_pension_reported_on TEXT
        ) STRICT, WITHOUT ROWID;
        INSERT INTO reg_villages (code, name) VALUES ('V001', '上坝村');`);
      const elder = citizenNumberFor('1940-02-02', 21);
      old.prepare("INSERT INTO reg_persons (citizen_number, name, birth_date, village_code, bank_account, registered_at) VALUES (?, '孙八', '1940-02-02', 'V001', '622200000000021', '2014-03-20')").run(elder);
      old.close();

      for (let open = 0; open < 2; open++) {
        const db = openDatabase(path);
        try {
          const ledger = Ledger.openSqlite(db);
          const registry = createRegistry({ db, ledger, policy: resolvePolicy('xinnongbao-2009'), schemeStart: '2010-07-01', now: () => shanghaiMidnightMs('2014-06-15') });
          expect(registry.persons.get(elder)).toMatchObject({ registeredAt: '2014-03-20', enrolledOn: '2014-03-20', enrolmentStatement: null });
          if (open === 0) {
            // The old database's person accounts, as registerPerson made them.
            ledger.ensureAccounts(personAccountSpecs(elder));
            const summary = createRuns(registry).payroll('2014-06');
            expect(summary.lines.map((l) => l.monthsPaid)).toEqual([['2014-04', '2014-05', '2014-06']]);
          }
        } finally {
          db.close();
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
