import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FUND, cashBoxAccountId, personAccountId } from '../ledger/index.js';
import { isRegistryError, type RegistryError } from './errors.js';
import { VILLAGE_REGISTER_COLUMNS } from './register-import.js';
import { LOGIN_FAILURES_PER_NAME_AND_ADDRESS_LIMIT, LOGIN_FAILURES_PER_ADDRESS_LIMIT, LOGIN_FAILURE_WINDOW_MS } from './login-limits.js';
import { UserService } from './users.js';
import { citizenNumberFor, openTestStack, personInput, TEST_OPERATOR, testUuid, withWrongCheckDigit, type TestStack } from './test-support.js';

function catchError(fn: () => unknown): RegistryError {
  try {
    fn();
  } catch (error) {
    if (isRegistryError(error)) return error;
    throw error;
  }
  throw new Error('expected a RegistryError, nothing was thrown');
}

async function importRefusal(csv: string): Promise<RegistryError> {
  try {
    await stack.registry.persons.importVillageRegister(csv);
  } catch (error) {
    if (isRegistryError(error)) return error;
    throw error;
  }
  throw new Error('expected a RegistryError, the import succeeded');
}

function count(stack: TestStack, table: string): number {
  return (stack.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
}

function ledgerTransfers(stack: TestStack): number {
  return stack.ledger.verify().transfers;
}

let stack: TestStack;
const BORN = '1970-03-15';
const CN = citizenNumberFor(BORN, 1);

beforeEach(() => {
  stack = openTestStack({ today: '2011-09-01' });
  stack.registry.persons.createVillage({ code: 'V001', name: '上坝村' });
});
afterEach(() => stack.close());

describe('registering a person', () => {
  it('stores the person and opens the five source accounts', () => {
    const person = stack.registry.persons.registerPerson(personInput(CN, BORN), TEST_OPERATOR);
    expect(person.citizenNumber).toBe(CN);
    for (const source of ['individual', 'collective', 'aid', 'legacy', 'government'] as const) {
      expect(stack.ledger.balance(personAccountId(CN, source)).balanceFen).toBe(0);
    }
  });

  it('refuses a citizen number whose check digit is wrong, writing nothing', () => {
    const e = catchError(() => stack.registry.persons.registerPerson(personInput(withWrongCheckDigit(CN), BORN), TEST_OPERATOR));
    expect(e.code).toBe('invalid-citizen-number');
    expect(e.field).toBe('citizenNumber');
    expect(count(stack, 'reg_persons')).toBe(0);
  });

  it('refuses a birth date that disagrees with the citizen number', () => {
    const e = catchError(() => stack.registry.persons.registerPerson(personInput(CN, '1970-03-16'), TEST_OPERATOR));
    expect(e.code).toBe('birth-date-mismatch');
    expect(e.field).toBe('birthDate');
    expect(count(stack, 'reg_persons')).toBe(0);
  });

  it('refuses people who may not enrol, with the policy reason', () => {
    const child = citizenNumberFor('2000-01-01', 2);
    expect(catchError(() => stack.registry.persons.registerPerson(personInput(child, '2000-01-01'), TEST_OPERATOR)).code).toBe('under-16');
    expect(catchError(() => stack.registry.persons.registerPerson(personInput(CN, BORN, { hukouInCounty: false }), TEST_OPERATOR)).code).toBe('hukou-outside-county');
    expect(catchError(() => stack.registry.persons.registerPerson(personInput(CN, BORN, { urbanEmployeePension: true }), TEST_OPERATOR)).code).toBe(
      'urban-employee-pension',
    );
    expect(count(stack, 'reg_persons')).toBe(0);
  });

  it('refuses a second registration of the same number', () => {
    stack.registry.persons.registerPerson(personInput(CN, BORN), TEST_OPERATOR);
    expect(catchError(() => stack.registry.persons.registerPerson(personInput(CN, BORN), TEST_OPERATOR)).code).toBe('person-exists');
  });
});

describe('names (issue 10 section 5)', () => {
  const refused: [string, string][] = [
    ['a NUL', '张\u0000三'],
    ['a C0 control', '张三\u0007'],
    ['a line break', '张\n三'],
    ['DEL', '张三\u007F'],
    ['a C1 control', '\u0085张三'],
    ['a right-to-left override', '张三\u202E1202'],
    ['a directional isolate', '\u2067张三\u2069'],
    ['a right-to-left mark', '张\u200F三'],
    ['a zero-width space', '张\u200B三'],
    ['a zero-width joiner', '张\u200D三'],
    ['a word joiner', '张\u2060三'],
    ['a byte-order mark', '\uFEFF张三'],
    ['only spaces', '   '],
    ['only ideographic spaces', '\u3000\u3000'],
    ['nothing', ''],
  ];

  it.each(refused)('refuses a person name with %s, naming the field, and stores nothing', (_what, name) => {
    const e = catchError(() => stack.registry.persons.registerPerson(personInput(CN, BORN, { name }), TEST_OPERATOR));
    expect(e.code).toBe('invalid-name');
    expect(e.field).toBe('name');
    expect(count(stack, 'reg_persons')).toBe(0);
  });

  it.each(refused)('refuses a village name with %s', (_what, name) => {
    const e = catchError(() => stack.registry.persons.createVillage({ code: 'V002', name }));
    expect([e.code, e.field]).toEqual(['invalid-name', 'name']);
    expect(count(stack, 'reg_villages')).toBe(1);
  });

  it('stores a name NFC-normalised and trimmed, so the same name typed two ways is one string', () => {
    const decomposed = 'Zoe\u0308 Tashi\u0301';
    expect(decomposed.normalize('NFC')).not.toBe(decomposed);
    const person = stack.registry.persons.registerPerson(personInput(CN, BORN, { name: `  ${decomposed} ` }), TEST_OPERATOR);
    expect(person.name).toBe('Zo\u00EB Tash\u00ED');
    expect(stack.registry.persons.get(CN).name).toBe('Zo\u00EB Tash\u00ED');
    expect(stack.registry.persons.createVillage({ code: 'V002', name: 'Rin\u0303con' }).name).toBe('Ri\u00F1con');
    // Tibetan and Chinese names are untouched.
    const tibetan = citizenNumberFor(BORN, 2);
    expect(stack.registry.persons.registerPerson(personInput(tibetan, BORN, { name: 'བཀྲ་ཤིས་' }), TEST_OPERATOR).name).toBe('བཀྲ་ཤིས་');
  });
});

describe('importing a village register', () => {
  const header = VILLAGE_REGISTER_COLUMNS.join(',');
  const row = (cn: string, birth: string, extra = ''): string => `${cn},李四,${birth},V001,H1,1,0,0,0,${extra}`;

  it('imports every row of a clean file', async () => {
    const csv = [header, row(citizenNumberFor('1950-01-01', 3), '1950-01-01'), row(citizenNumberFor('1980-02-02', 4), '1980-02-02', '6222000011112222')].join('\n');
    expect(await stack.registry.persons.importVillageRegister(csv)).toEqual({ imported: 2 });
    expect(stack.registry.persons.household('H1').members).toHaveLength(2);
  });

  it('reports every broken row by line and imports nothing', async () => {
    const good = citizenNumberFor('1950-01-01', 3);
    const csv = [
      header,
      row(good, '1950-01-01'),
      row(withWrongCheckDigit(citizenNumberFor('1960-01-01', 5)), '1960-01-01'),
      row(citizenNumberFor('1961-01-01', 6), '1961-01-02'),
      `${citizenNumberFor('1962-01-01', 7)},王五,1962-01-01,V001`,
      row(good, '1950-01-01'),
      row(citizenNumberFor('1963-01-01', 8), '1963-01-01').replace(',1,0,0,0,', ',maybe,0,0,0,'),
    ].join('\n');
    const e = await importRefusal(csv);
    expect(e.code).toBe('invalid-csv');
    const rows = (e.details as { rows: { line: number; code: string }[] }).rows;
    expect(rows.map((r) => [r.line, r.code])).toEqual([
      [3, 'invalid-citizen-number'],
      [4, 'birth-date-mismatch'],
      [5, 'invalid-csv'],
      [6, 'person-exists'],
      [7, 'invalid-input'],
    ]);
    expect(count(stack, 'reg_persons')).toBe(0);
    expect(count(stack, 'reg_households')).toBe(0);
    expect(stack.ledger.getAccount(personAccountId(good, 'individual'))).toBeUndefined();
  });

  it('refuses a file without the header', async () => {
    expect((await importRefusal(row(CN, BORN))).code).toBe('invalid-csv');
  });
});

describe('recording a contribution', () => {
  beforeEach(() => {
    stack.registry.persons.registerPerson(personInput(CN, BORN), TEST_OPERATOR);
  });
  const base = () => ({ id: testUuid('2011-09-01'), citizenNumber: CN, year: 2011, tierYuan: 100, channel: 'counter' as const, paidAt: '2011-09-01T10:00:00+08:00' });

  it('credits the tier to individual and the subsidy to government (POLICY: 100 yuan -> 30 yuan subsidy)', () => {
    const result = stack.registry.recordContribution(base());
    expect(result.result).toBe('created');
    expect(result.creditsFen).toEqual({ individual: 100 * 100, collective: 0, aid: 0, legacy: 0, government: 30 * 100 });
    expect(stack.ledger.balance(personAccountId(CN, 'individual')).balanceFen).toBe(10_000);
    expect(stack.ledger.balance(personAccountId(CN, 'government')).balanceFen).toBe(3_000);
    expect(stack.ledger.balance(FUND.collection).balanceFen).toBe(10_000);
  });

  it('credits the village collective subsidy with the payment', () => {
    stack.registry.persons.setCollectiveSubsidy('V001', { year: 2011, collectiveFen: 1_500 });
    stack.registry.recordContribution(base());
    expect(stack.ledger.balance(personAccountId(CN, 'collective')).balanceFen).toBe(1_500);
  });

  it('answers a replay of the same id with exists and writes nothing', () => {
    const input = base();
    stack.registry.recordContribution(input);
    const before = ledgerTransfers(stack);
    const again = stack.registry.recordContribution(input);
    expect(again.result).toBe('exists');
    expect(ledgerTransfers(stack)).toBe(before);
    expect(stack.ledger.balance(personAccountId(CN, 'individual')).balanceFen).toBe(10_000);
  });

  it('answers a reused id with other content with exists_with_different_*, writing nothing', () => {
    const input = base();
    stack.registry.recordContribution(input);
    const before = ledgerTransfers(stack);
    expect(stack.registry.recordContribution({ ...input, tierYuan: 200 }).result).toBe('exists_with_different_amount');
    expect(stack.registry.recordContribution({ ...input, year: 2010 }).result).toBe('exists_with_different_meta');
    expect(ledgerTransfers(stack)).toBe(before);
    expect(count(stack, 'reg_contributions')).toBe(1);
  });

  it('refuses a second payment for a year already paid, before writing', () => {
    stack.registry.recordContribution(base());
    const before = ledgerTransfers(stack);
    const e = catchError(() => stack.registry.recordContribution(base()));
    expect(e.code).toBe('already-paid');
    expect(e.field).toBe('year');
    expect(ledgerTransfers(stack)).toBe(before);
  });

  it('refuses an unknown tier and a future year with the policy reasons', () => {
    expect(catchError(() => stack.registry.recordContribution({ ...base(), tierYuan: 150 })).code).toBe('unknown-tier');
    expect(catchError(() => stack.registry.recordContribution({ ...base(), year: 2012 })).code).toBe('future-year');
    expect(ledgerTransfers(stack)).toBe(0);
  });

  it('refuses a payment dated in the future or on a day that does not exist', () => {
    expect(catchError(() => stack.registry.recordContribution({ ...base(), paidAt: '2011-09-02T12:00:00+08:00' })).code).toBe('invalid-date');
    expect(catchError(() => stack.registry.recordContribution({ ...base(), paidAt: '2011-02-30T12:00:00+08:00' })).field).toBe('paidAt');
    expect(ledgerTransfers(stack)).toBe(0);
  });

  it('refuses amounts that are not whole fen', () => {
    const e = catchError(() => stack.registry.recordContribution({ ...base(), aidFen: 100.5 }));
    expect(e.code).toBe('amount-not-in-fen');
    expect(e.field).toBe('aidFen');
  });

  it('gives arrears no subsidy (POLICY: arrearsSubsidy false)', () => {
    const result = stack.registry.recordContribution({ ...base(), year: 2010 });
    expect(result.arrears).toBe(true);
    expect(result.creditsFen.government).toBe(0);
  });

  it('books a kiosk payment from that kiosk cash box', () => {
    stack.registry.recordContribution({ ...base(), channel: 'kiosk', terminalId: 'kiosk-001' });
    expect(stack.ledger.balance(cashBoxAccountId('kiosk-001')).balanceFen).toBe(10_000);
    expect(catchError(() => stack.registry.recordContribution({ ...base(), year: 2010, channel: 'kiosk' })).field).toBe('terminalId');
  });

  it('refuses a person the registry does not know', () => {
    expect(catchError(() => stack.registry.recordContribution({ ...base(), citizenNumber: citizenNumberFor('1971-01-01', 9) })).code).toBe(
      'person-not-found',
    );
  });
});

describe('statements, certification and publicity', () => {
  it('shows balances by source, contributions by year and the family binding of an elder', () => {
    const elder = citizenNumberFor('1945-05-05', 11);
    const son = citizenNumberFor('1975-05-05', 12);
    stack.registry.persons.registerPerson(personInput(elder, '1945-05-05', { householdId: 'H9', name: '赵老汉' }), TEST_OPERATOR);
    stack.registry.persons.registerPerson(personInput(son, '1975-05-05', { householdId: 'H9' }), TEST_OPERATOR);
    let statement = stack.registry.accountStatement(elder);
    expect(statement.familyBinding).toMatchObject({ applies: true, year: 2011, holds: false, unpaidMembers: [son] });
    stack.registry.recordContribution({ id: testUuid(), citizenNumber: son, year: 2011, tierYuan: 300, channel: 'counter', paidAt: '2011-08-01T09:00:00+08:00' }, { historical: true });
    statement = stack.registry.accountStatement(elder);
    expect(statement.familyBinding.holds).toBe(true);
    const sonStatement = stack.registry.accountStatement(son);
    expect(sonStatement.balancesFen).toEqual({ individual: 30_000, collective: 0, aid: 0, legacy: 0, government: 4_000 });
    expect(sonStatement.balanceFen).toBe(34_000);
    expect(sonStatement.contributions).toEqual([{ year: 2011, tierYuan: 300, paidOn: '2011-08-01', totalFen: 34_000, channel: 'counter', arrears: false }]);
    expect(sonStatement.pension.status).toBe('not-started');
    expect(sonStatement.requiredYears).toBe(15);
  });

  it('records a certification once and says through which month it holds (2011-09-01 -> 2012-09)', () => {
    stack.registry.persons.registerPerson(personInput(CN, BORN), TEST_OPERATOR);
    const input = { id: testUuid(), citizenNumber: CN, certifiedOn: '2011-09-01', channel: 'counter' as const };
    expect(stack.registry.recordCertification(input)).toMatchObject({ result: 'created', certifiedThrough: '2012-09' });
    expect(stack.registry.recordCertification(input).result).toBe('exists');
    expect(catchError(() => stack.registry.recordCertification({ ...input, certifiedOn: '2011-08-01' })).code).toBe('id-reused-with-other-content');
    expect(catchError(() => stack.registry.recordCertification({ ...input, id: testUuid(), certifiedOn: '2011-09-02' })).code).toBe('invalid-date');
    expect(stack.registry.accountStatement(CN).certification).toEqual({ lastCertifiedOn: '2011-09-01', certifiedThrough: '2012-09', current: true });
  });

  it('lists a village contributors with the middle of the name masked', () => {
    stack.registry.persons.registerPerson(personInput(CN, BORN, { name: '欧阳小明' }), TEST_OPERATOR);
    stack.registry.recordContribution({ id: testUuid(), citizenNumber: CN, year: 2011, tierYuan: 500, channel: 'counter', paidAt: '2011-08-01T09:00:00+08:00' }, { historical: true });
    const list = stack.registry.publicityList('V001', 2011);
    expect(list.contributors).toEqual([{ name: '欧**明', tierYuan: 500, paidOn: '2011-08-01' }]);
    expect(stack.registry.publicityList('V001', 2010).contributors).toEqual([]);
  });
});

describe('office users', () => {
  it('logs in with the right password only, and the token names the role', () => {
    stack.registry.users.createUser('wang.op', 'correct horse battery', 'operator');
    const session = stack.registry.users.login('wang.op', 'correct horse battery');
    expect(stack.registry.users.authenticate(session.token)).toEqual({ username: 'wang.op', role: 'operator' });
    expect(catchError(() => stack.registry.users.login('wang.op', 'wrong password!')).code).toBe('bad-credentials');
    expect(catchError(() => stack.registry.users.login('nobody', 'correct horse battery')).code).toBe('bad-credentials');
    const stored = stack.db.prepare('SELECT password_hash FROM reg_users').get() as { password_hash: string };
    expect(stored.password_hash).toMatch(/^scrypt\$/);
    expect(stored.password_hash).not.toContain('correct horse');
    stack.registry.users.logout(session.token);
    expect(stack.registry.users.authenticate(session.token)).toBeUndefined();
  });

  it('refuses a user name from one address after five failed logins in 15 minutes, before checking the password, until the oldest leaves the window', () => {
    let clock = Date.parse('2024-05-01T08:00:00Z');
    const users = new UserService(stack.db, () => clock);
    users.createUser('wang.op', 'correct horse battery', 'operator');
    const attempt = (password: string) => catchError(() => users.login('wang.op', password));
    for (let i = 0; i < LOGIN_FAILURES_PER_NAME_AND_ADDRESS_LIMIT; i++) {
      expect(attempt('wrong password!').code).toBe('bad-credentials');
      clock += 60_000; // one a minute: failures at 08:00..08:04
    }
    // Locked now, even with the right password; the lock does not grow with more attempts.
    const locked = attempt('correct horse battery');
    expect(locked.code).toBe('too-many-logins');
    expect(locked.message).toContain('2024-05-01T08:15:00.000Z');
    expect(locked.details).toEqual({ retryAfterSeconds: 10 * 60 });
    expect(attempt('wrong again!!').code).toBe('too-many-logins');
    // 08:15: the 08:00 failure leaves the window; four remain, so one more try is allowed.
    clock = Date.parse('2024-05-01T08:15:00Z');
    expect(attempt('wrong password!').code).toBe('bad-credentials');
    expect(attempt('correct horse battery').code).toBe('too-many-logins');
    clock = Date.parse('2024-05-01T08:16:00Z');
    expect(users.login('wang.op', 'correct horse battery').username).toBe('wang.op');
    // A success forgets the failures; other names were never affected, unknown names are limited too.
    expect(attempt('wrong password!').code).toBe('bad-credentials');
    for (let i = 0; i < LOGIN_FAILURES_PER_NAME_AND_ADDRESS_LIMIT; i++) expect(catchError(() => users.login('no.such.user', 'whatever pass')).code).toBe('bad-credentials');
    expect(catchError(() => users.login('no.such.user', 'whatever pass')).code).toBe('too-many-logins');
    expect(users.login('wang.op', 'correct horse battery').username).toBe('wang.op');
  });

  it('refuses a client address after too many failed logins on any names, and only that address', () => {
    let clock = Date.parse('2024-05-01T08:00:00Z');
    const users = new UserService(stack.db, () => clock);
    users.createUser('wang.op', 'correct horse battery', 'operator');
    // One password tried on many names: no name reaches its own limit.
    for (let i = 0; i < LOGIN_FAILURES_PER_ADDRESS_LIMIT; i++) {
      expect(catchError(() => users.login(`guess.${i}`, 'spray password', '10.0.0.9')).code).toBe('bad-credentials');
    }
    const refused = catchError(() => users.login('wang.op', 'correct horse battery', '10.0.0.9'));
    expect(refused).toMatchObject({ code: 'too-many-logins', field: 'client' });
    expect(refused.details).toEqual({ retryAfterSeconds: LOGIN_FAILURE_WINDOW_MS / 1000 });
    expect(users.login('wang.op', 'correct horse battery', '10.0.0.10').username).toBe('wang.op');
    expect(users.login('wang.op', 'correct horse battery').username).toBe('wang.op');
    clock += LOGIN_FAILURE_WINDOW_MS;
    expect(users.login('wang.op', 'correct horse battery', '10.0.0.9').username).toBe('wang.op');
  });
});
