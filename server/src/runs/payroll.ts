// The monthly payroll (issue 5 section 4; POLICY.md "When a pension is paid",
// "How much", "Proof of life"). For month M:
// 1. pensions that start by M are fixed (start month, top-up, account pension
//    from the balance when the pension starts: the policy's `fixPension`);
// 2. every pensioner's undecided months up to M are decided by the policy's
//    `monthStatus`: paid, or suspended for proof of life or family binding;
//    months after a known death or from a known urban pension are not paid;
// 3. suspended months are paid later when the policy says so (`certBackPay`,
//    `bindingBackPay`);
// 4. each payment's account pension is a linked chain of transfers from the
//    person's source accounts to the payout account (`splitAccountDraw`); the
//    basic pension, top-up and any account shortfall come from the pooled
//    fund in ONE transfer per chunk (issue 5 section 7: half the transfers of
//    a payroll were these, and a payroll of a million people must fit in a
//    minute). The pooled fund is one account, so per-person transfers from it
//    carried nothing the ledger needs; the per-person detail stays where it
//    is read and audited: each payment's row in reg_payments (from_pool_fen,
//    payment_id, paid_run_key), committed in the same transaction as the chunk
//    transfer, and the bank file made from those rows. The chunk transfer's
//    amount is the sum of its persons' from_pool_fen, its meta names the run,
//    the citizen range and the person count, and its id is derived from every
//    (citizen, fen) pair it covers; so for a run key, the chunk transfers sum
//    to the from_pool_fen of the run's payments.
// Idempotent: `reg_pensions.decided_through` records the months decided, and
// draw ids are derived from the run key and the person, so running a month
// twice pays nobody twice (the second run finds every month decided; a
// replayed draw chain gets `exists` from the ledger). A chunk's pooled-fund
// transfer commits with the chunk's registry rows, so a re-run never meets it
// again: `exists` for it is refused as a conflict rather than taken as done.
import { hash } from 'node:crypto';
import { FUND, MAX_BALANCES_ACCOUNTS, SOURCES, personAccountId, type Source, type TransferInput } from '../ledger/index.js';
import {
  addMonths,
  contributionWindow,
  firstDayOf,
  fixPension,
  monthStatus,
  monthlyPension,
  pensionStart,
  requirementMetOn,
  settingsOn,
  splitAccountDraw,
  zeroBalances,
  certifiedThrough,
  familyBindingHolds,
  type Balances,
  type Month,
  type PensionTerms,
  type RecipientFacts,
} from '../policy/index.js';
import type { RegistryContext } from '../registry/context.js';
import { derivedUuidV7, orderedUuidV7 } from '../registry/ids.js';
import type { Person } from '../registry/persons.js';
import type { PensionRow, RecipientFactsReader } from '../registry/recipients.js';
import { isMonth, monthOf, monthRange, shanghaiDate, shanghaiMidnightIso, shanghaiMidnightMs, shanghaiNoonIso } from '../registry/time.js';
import { RunError } from './errors.js';
import {
  RUN_CHUNK_PERSONS,
  RUN_CONFLICTS_LIMIT,
  RUN_MISSING_BANK_ACCOUNTS_LISTED,
  RUN_SUMMARY_LINES_LIMIT,
  drain,
  drainInTurns,
  recordRunEnd,
  recordRunStart,
  stepsWithDryRun,
  submitTransfers,
  NO_PROGRESS,
  type RunConflict,
  type RunProgressSink,
  type RunSteps,
  type TransferTally,
} from './run-log.js';

export interface PayrollLine {
  citizenNumber: string;
  /** The id of this payment in the bank file. */
  paymentId: string;
  /** Months paid by this payment (more than one with back pay). */
  monthsPaid: Month[];
  monthsSuspended: { month: Month; status: 'suspended-certification' | 'suspended-family-binding' }[];
  totalFen: number;
  fromAccountFen: number;
  fromPoolFen: number;
}

/** A pensioner the run pays nothing this time, and why (issue 14 "Runs": who would be suspended and stopped, and why). */
export interface PayrollNotPaidLine {
  citizenNumber: string;
  monthsSuspended: { month: Month; status: 'suspended-certification' | 'suspended-family-binding' }[];
  /** Months not paid for good (after a death, from an urban pension, or the policy's stop). */
  stoppedMonths: number;
  stopReason: StopReason | null;
}

/** Why months are not paid for good: a known death, a known urban employees' pension, or the policy's own stop. */
export type StopReason = 'death' | 'urban-pension' | 'stopped';

export interface PayrollSummary {
  kind: 'payroll';
  runKey: string;
  month: Month;
  dryRun: boolean;
  pensionsStarted: number;
  /** Pensioners with a month decided by this run. */
  decidedPersons: number;
  /** Pensioners whose months through M were decided by an earlier run: nothing to do. */
  alreadyDecidedPersons: number;
  paidPersons: number;
  paidMonths: number;
  backPaidMonths: number;
  suspendedCertificationMonths: number;
  suspendedFamilyBindingMonths: number;
  stoppedMonths: number;
  totalFen: number;
  fromAccountFen: number;
  fromPoolFen: number;
  transfers: TransferTally;
  conflicts: RunConflict[];
  /** The first RUN_SUMMARY_LINES_LIMIT payments; the bank file lists all. */
  lines: PayrollLine[];
  linesTruncated: boolean;
  /** The first RUN_SUMMARY_LINES_LIMIT pensioners with months decided but nothing paid. */
  notPaid: PayrollNotPaidLine[];
  notPaidTruncated: boolean;
}

type PayrollPage = Pick<
  PensionRow,
  'citizen_number' | 'start_month' | 'top_up_fen' | 'account_fen' | 'family_binding' | 'decided_through' | 'suspended_months'
> & {
  birth_date: string;
  village_code: string;
  household_id: string | null;
  death_date: string | null;
  death_reported_on: string | null;
  urban_pension_since: string | null;
  urban_pension_reported_on: string | null;
  last_certified_on: string | null;
  bank_account: string | null;
};

/**
 * A page of pensioners with a pension running by month ?1, after citizen ?2,
 * at most ?3, in citizen order; `condition` narrows it (an SQL condition on
 * `s` and `p`), and `order` says which table's key orders it (so which one
 * SQLite walks: the pensions, or an index of the persons for a condition on them).
 */
function payrollPageSql(condition = 'TRUE', order: 's' | 'p' = 's'): string {
  return `SELECT s.citizen_number, s.start_month, s.top_up_fen, s.account_fen, s.family_binding, s.decided_through, s.suspended_months,
              p.birth_date, p.village_code, p.household_id, p.death_date, p.death_reported_on, p.urban_pension_since, p.urban_pension_reported_on,
              p.bank_account,
              (SELECT MAX(c.certified_on) FROM reg_certifications c WHERE c.citizen_number = s.citizen_number) AS last_certified_on
       FROM reg_pensions s JOIN reg_persons p ON p.citizen_number = s.citizen_number
       WHERE s.stopped_month IS NULL AND s.start_month <= ? AND s.citizen_number > ? AND (${condition})
       ORDER BY ${order}.citizen_number LIMIT ?`;
}

/** What a run decides for one pensioner's months (planMonths). */
interface MonthsPlan {
  /** The months through M not decided before. */
  months: Month[];
  /** Months to pay, in order; `backPay` for a suspended month released now. */
  toPay: { month: Month; backPay: boolean }[];
  monthsSuspended: { month: Month; status: 'suspended-certification' | 'suspended-family-binding' }[];
  /** Months not paid for what is known now (after a death, from an urban pension). */
  stoppedMonths: number;
  stopReason: StopReason | null;
  /** Suspended months released by this run (back pay). */
  released: number;
}

type SuspendedReader = (citizenNumber: string) => SuspendedRow[];

interface SuspendedRow {
  month: string;
  status: 'suspended-certification' | 'suspended-family-binding';
}

/** The person as far as the payroll needs them (name and bank account are the bank file's business). */
function personOf(row: PayrollPage): Person {
  return {
    citizenNumber: row.citizen_number,
    name: '',
    birthDate: row.birth_date,
    villageCode: row.village_code,
    householdId: row.household_id,
    severelyDisabled: false,
    bankAccount: null,
    registeredAt: '',
    enrolledOn: '',
    enrolmentStatement: null,
    deathDate: row.death_date,
    deathReportedOn: row.death_reported_on,
    urbanPensionSince: row.urban_pension_since,
    urbanPensionReportedOn: row.urban_pension_reported_on,
  };
}

/**
 * What a payroll run derives an id for: the bank-file payment and the draw from
 * each source account. The index is the order the run writes them for one
 * person (the draws in SOURCES order), so that the ids sort in write order.
 */
export type PayrollIdPart = 'payment' | `draw:${Source}`;
const PAYROLL_PART_INDEX: Readonly<Record<PayrollIdPart, number>> = Object.freeze({
  payment: 0,
  ...Object.fromEntries(SOURCES.map((source, i) => [`draw:${source}`, 1 + i])),
} as Record<PayrollIdPart, number>);
/** Bits of a payroll id's ordinal (UUIDv7's 74) for the part index and for the run's tag; the citizen takes the other 60. */
const PAYROLL_PART_BITS = 3n;
const PAYROLL_RUN_TAG_BITS = 11n;
/** 17 digits and the check character: 10^17 x 11 values fit in 60 bits (2^60 > 1.1 x 10^18). */
const CITIZEN_NUMBER_PATTERN = /^(\d{17})([\dX])$/;

/** The id of the transfer that draws `part` for a person in a payroll run (also used by the death settlement). */
export function payrollTransferId(runKey: string, month: Month, citizenNumber: string, part: PayrollIdPart): string {
  return payrollIdAt(payrollIdTimeMs(month), payrollRunTag(runKey), runKey, citizenNumber, part);
}

/**
 * The id a payroll run derived before ids were ordered (SHA-256 of the name in
 * the 74 bits): the death settlement falls back to it so that the draws of runs
 * made before the change are still found (their ids are in the ledger).
 */
export function legacyPayrollTransferId(runKey: string, month: Month, citizenNumber: string, part: PayrollIdPart): string {
  return derivedUuidV7(payrollIdTimeMs(month), `${runKey}|${citizenNumber}|${part}`);
}

/** The time part of a month's payroll ids (computed once per run, not once per id). */
function payrollIdTimeMs(month: Month): number {
  return shanghaiMidnightMs(firstDayOf(month));
}

/** Bits of SHA-256 of the run key: ids of two runs that share a time differ in them (computed once per run). */
function payrollRunTag(runKey: string): bigint {
  return BigInt(hash('sha256', runKey, 'buffer').readUInt16BE(0)) >> (16n - PAYROLL_RUN_TAG_BITS);
}

/**
 * Payroll ids all carry the month's time, so their order within a run is the
 * order of their 74 other bits. Those are (citizen number, part, run tag): a
 * chunk's transfers then sort in the order the run writes them (citizen order),
 * and go to adjacent places in the ledger's UNIQUE id index rather than one
 * random page each (issue 5 section 7: that was a fifth of a payroll's time).
 * The same (run, citizen, part) always gives the same id (section 4: re-runs get
 * `exists`), and distinct ones give distinct ids by construction. A citizen
 * number of another shape (none pass the registry) gets the hashed id instead.
 */
function payrollIdAt(idTimeMs: number, runTag: bigint, runKey: string, citizenNumber: string, part: PayrollIdPart): string {
  const match = CITIZEN_NUMBER_PATTERN.exec(citizenNumber);
  if (match === null) return derivedUuidV7(idTimeMs, `${runKey}|${citizenNumber}|${part}`);
  const check = match[2] === 'X' ? 10n : BigInt(match[2]!);
  const citizen = BigInt(match[1]!) * 11n + check;
  const ordinal = (((citizen << PAYROLL_PART_BITS) | BigInt(PAYROLL_PART_INDEX[part])) << PAYROLL_RUN_TAG_BITS) | runTag;
  return orderedUuidV7(idTimeMs, ordinal);
}

/** The id of a chunk's pooled-fund transfer: derived from every (citizen, fen) it pays, so no two chunks share one. */
function payrollPoolChunkId(idTimeMs: number, runKey: string, paid: readonly string[]): string {
  const digest = hash('sha256', paid.join(';'), 'hex');
  return derivedUuidV7(idTimeMs, `${runKey}|pool-chunk|${digest}`);
}

function hasBankAccount(row: PayrollPage): boolean {
  return row.bank_account !== null && row.bank_account !== '';
}

function bankAccountMissing(citizenNumbers: string[], count: number): RunError {
  return new RunError(
    'bank-account-missing',
    `${count} ${count === 1 ? 'person' : 'persons'} to be paid ${count === 1 ? 'has' : 'have'} no bank account; record one for each and run the payroll again`,
    undefined,
    { citizenNumbers, count },
  );
}

export function payrollRunKey(month: Month): string {
  return `payroll:${month}`;
}

function notPaidLine(summary: PayrollSummary, citizenNumber: string, plan: MonthsPlan): void {
  if (summary.notPaid.length >= RUN_SUMMARY_LINES_LIMIT) {
    summary.notPaidTruncated = true;
    return;
  }
  summary.notPaid.push({ citizenNumber, monthsSuspended: plan.monthsSuspended, stoppedMonths: plan.stoppedMonths, stopReason: plan.stopReason });
}

export class PayrollRun {
  constructor(
    private readonly ctx: RegistryContext,
    private readonly recipients: RecipientFactsReader,
    private readonly chunkPersons = RUN_CHUNK_PERSONS,
  ) {}

  run(month: Month, options: { dryRun?: boolean } = {}): PayrollSummary {
    return drain(this.steps(month, options));
  }

  /** The same run, giving the event loop a turn after each chunk (a dry run is one transaction: it runs in one go). */
  runInTurns(month: Month, options: { dryRun?: boolean } = {}, progress: RunProgressSink = NO_PROGRESS): Promise<PayrollSummary> {
    return drainInTurns(this.steps(month, options, progress));
  }

  private *steps(month: Month, options: { dryRun?: boolean }, progress: RunProgressSink = NO_PROGRESS): RunSteps<PayrollSummary> {
    if (!isMonth(month)) throw new RunError('invalid-run-parameter', `month: YYYY-MM (got ${JSON.stringify(month)})`, 'month');
    const thisMonth = monthOf(shanghaiDate(this.ctx.now()));
    if (month > thisMonth) throw new RunError('run-in-future', `the payroll of ${month} cannot run before that month (now ${thisMonth})`, 'month');
    const dryRun = options.dryRun === true;
    const runKey = payrollRunKey(month);
    const summary: PayrollSummary = {
      kind: 'payroll',
      runKey,
      month,
      dryRun,
      pensionsStarted: 0,
      decidedPersons: 0,
      alreadyDecidedPersons: 0,
      paidPersons: 0,
      paidMonths: 0,
      backPaidMonths: 0,
      suspendedCertificationMonths: 0,
      suspendedFamilyBindingMonths: 0,
      stoppedMonths: 0,
      totalFen: 0,
      fromAccountFen: 0,
      fromPoolFen: 0,
      transfers: { created: 0, exists: 0 },
      conflicts: [],
      lines: [],
      linesTruncated: false,
      notPaid: [],
      notPaidTruncated: false,
    };
    return yield* stepsWithDryRun(this.ctx, dryRun, () => this.work(month, runKey, summary, progress));
  }

  private *work(month: Month, runKey: string, summary: PayrollSummary, progress: RunProgressSink): RunSteps<PayrollSummary> {
    if (!summary.dryRun) recordRunStart(this.ctx, runKey, 'payroll');
    progress.phase('starting-pensions', null);
    yield* this.startPensions(month, runKey, summary, progress);
    // After the pensions that start by `month` are fixed (rows, no money: a
    // refused run leaves them, and the re-run after the fix finds them fixed),
    // before the first payment: a refused run moves no money.
    progress.phase('checking-bank-accounts', null);
    yield* this.refuseMissingBankAccounts(month);
    progress.phase('paying', this.pensionsRunningBy(month));
    yield* this.payPensions(month, runKey, summary, progress);
    if (!summary.dryRun) recordRunEnd(this.ctx, runKey, { ...summary, lines: undefined, notPaid: undefined });
    this.ctx.logger.info({ runKey, dryRun: summary.dryRun, paidPersons: summary.paidPersons, totalFen: summary.totalFen }, 'payroll run done');
    return summary;
  }

  /** Pensions running by `month`: the persons the paying phase looks at (its progress total). */
  private pensionsRunningBy(month: Month): number {
    const row = this.ctx.db.prepare('SELECT COUNT(*) AS n FROM reg_pensions WHERE stopped_month IS NULL AND start_month <= ?').get(month) as { n: number };
    return row.n;
  }

  /** Step 1: fixes the pensions that start by `month` (POLICY.md "When a pension is paid"). */
  private *startPensions(month: Month, runKey: string, summary: PayrollSummary, progress: RunProgressSink): RunSteps<void> {
    const { db, policy, schemeStart, ledger } = this.ctx;
    const pensionAge = settingsOn(policy, firstDayOf(month)).pensionAge;
    // Only people who can be of pension age by `month` are looked at; the policy decides the rest.
    const bornBefore = `${Number(month.slice(0, 4)) - pensionAge + 1}-01-01`;
    const page = db.prepare(
      `SELECT p.* FROM reg_persons p
       WHERE p.birth_date < ? AND p.citizen_number > ? AND p.urban_pension_since IS NULL
         AND NOT EXISTS (SELECT 1 FROM reg_pensions s WHERE s.citizen_number = p.citizen_number)
       ORDER BY p.citizen_number LIMIT ?`,
    );
    const paidYearsOf = db.prepare('SELECT year, paid_at FROM reg_contributions WHERE citizen_number = ?');
    const insert = db.prepare(
      `INSERT INTO reg_pensions (citizen_number, start_month, paid_years, top_up_fen, account_fen, family_binding, run_key, decided_through)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    let after = '';
    for (;;) {
      const rows = page.all(bornBefore, after, this.chunkPersons) as { citizen_number: string; birth_date: string; enrolled_on: string; death_date: string | null }[];
      if (rows.length === 0) break;
      after = rows[rows.length - 1]!.citizen_number;
      db.transaction(() => {
        for (const row of rows) {
          const window = contributionWindow(row.birth_date, schemeStart, policy);
          const paid = (paidYearsOf.all(row.citizen_number) as { year: number; paid_at: string }[]).map((r) => ({
            year: r.year,
            paidOn: shanghaiDate(r.paid_at),
          }));
          // Never before the month after the enrolment (POLICY.md "When a pension is paid"; issue 10 section 1).
          const metOn = requirementMetOn(paid, window.requiredYears, schemeStart);
          const start = pensionStart({ birthDate: row.birth_date, enrolledOn: row.enrolled_on, requirementMetOn: metOn }, policy);
          if (start === null || start > month) continue;
          // Nothing is paid for months after a death (POLICY.md "Death").
          if (row.death_date !== null && monthOf(row.death_date) < start) continue;
          const startDay = firstDayOf(start);
          const before = shanghaiMidnightIso(startDay);
          let balanceFen = 0;
          for (const source of SOURCES) balanceFen += ledger.balance(personAccountId(row.citizen_number, source), { before }).balanceFen;
          const paidYearsAtStart = paid.filter((p) => p.paidOn < startDay).length;
          const terms = fixPension(start, paidYearsAtStart, balanceFen, policy);
          insert.run(
            row.citizen_number,
            start,
            paidYearsAtStart,
            terms.topUpFen,
            terms.accountFen,
            window.agedAtSchemeStart ? 1 : 0,
            runKey,
            addMonths(start, -1),
          );
          summary.pensionsStarted += 1;
        }
      })();
      progress.advance(rows.length);
      yield;
    }
  }

  /** Steps 2-4: decides and pays every pensioner's months through `month`. */
  private *payPensions(month: Month, runKey: string, summary: PayrollSummary, progress: RunProgressSink): RunSteps<void> {
    const { db, policy } = this.ctx;
    const page = db.prepare(payrollPageSql());
    const suspendedOf = this.suspendedReader(month);
    const insertPayment = db.prepare(
      `INSERT INTO reg_payments (citizen_number, month, status, basic_fen, top_up_fen, from_account_fen, from_pool_fen, total_fen,
         draw_json, payment_id, paid_run_key, run_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    // Back pay: a suspended row becomes paid (only a suspended one: a paid month is never paid again).
    const releasePayment = db.prepare(
      `UPDATE reg_payments SET status = 'paid', basic_fen = ?, top_up_fen = ?, from_account_fen = ?, from_pool_fen = ?, total_fen = ?,
         draw_json = ?, payment_id = ?, paid_run_key = ?
       WHERE citizen_number = ? AND month = ? AND status <> 'paid'`,
    );
    const setSuspended = db.prepare('UPDATE reg_pensions SET suspended_months = suspended_months + ? WHERE citizen_number = ?');
    // One statement per chunk, not per person (issue 5 section 7): the chunk's citizens as a JSON array.
    const setDecided = db.prepare('UPDATE reg_pensions SET decided_through = ? WHERE citizen_number IN (SELECT value FROM json_each(?))');
    const at = shanghaiNoonIso(firstDayOf(month));
    const idTimeMs = payrollIdTimeMs(month);
    const runTag = payrollRunTag(runKey);
    let after = '';
    for (;;) {
      const rows = page.all(month, after, this.chunkPersons) as PayrollPage[];
      if (rows.length === 0) break;
      after = rows[rows.length - 1]!.citizen_number;
      db.transaction(() => {
        const transfers: TransferInput[] = [];
        const chains: { citizenNumber: string; from: number; to: number }[] = [];
        /** `citizen:fen` of each payment with a pooled part, for the chunk transfer. */
        const poolPaid: string[] = [];
        let poolChunkFen = 0;
        let poolFirst = '';
        let poolLast = '';
        const balancesOf = this.chunkBalances(rows, month);
        /** Citizens whose months through `month` this chunk decides (at most a chunk's persons). */
        const decided: string[] = [];
        for (const row of rows) {
          const plan = this.planMonths(row, month, suspendedOf);
          if (plan === null) {
            summary.alreadyDecidedPersons += 1;
            continue;
          }
          const { months, toPay } = plan;
          // Checked for the whole run before the first chunk; again here for a
          // back pay released since (a certification between two chunks).
          if (toPay.length > 0 && !hasBankAccount(row)) throw bankAccountMissing([row.citizen_number], 1);
          summary.stoppedMonths += plan.stoppedMonths;
          for (const s of plan.monthsSuspended) {
            if (s.status === 'suspended-certification') summary.suspendedCertificationMonths += 1;
            else summary.suspendedFamilyBindingMonths += 1;
          }
          const line: PayrollLine = {
            citizenNumber: row.citizen_number,
            paymentId: payrollIdAt(idTimeMs, runTag, runKey, row.citizen_number, 'payment'),
            monthsPaid: [],
            monthsSuspended: plan.monthsSuspended,
            totalFen: 0,
            fromAccountFen: 0,
            fromPoolFen: 0,
          };
          const pensionTerms: PensionTerms = { startMonth: row.start_month, basicFen: 0, topUpFen: row.top_up_fen, accountFen: row.account_fen };
          const balances = balancesOf.get(row.citizen_number) ?? zeroBalances();
          const drawn = zeroBalances();
          let poolFen = 0;
          for (const { month: m, backPay } of toPay) {
            const amount = monthlyPension(pensionTerms, m, policy);
            const draw = splitAccountDraw(balances, amount.accountFen);
            for (const source of SOURCES) {
              balances[source] -= draw.bySource[source];
              drawn[source] += draw.bySource[source];
            }
            const fromPool = amount.basicFen + amount.topUpFen + draw.fromPoolFen;
            poolFen += fromPool;
            line.monthsPaid.push(m);
            line.totalFen += amount.totalFen;
            line.fromAccountFen += draw.fromAccountFen;
            line.fromPoolFen += fromPool;
            summary.paidMonths += 1;
            const drawJson = JSON.stringify(draw.bySource);
            if (backPay) {
              summary.backPaidMonths += 1;
              const changed = releasePayment.run(
                amount.basicFen, amount.topUpFen, draw.fromAccountFen, fromPool, amount.totalFen, drawJson, line.paymentId, runKey, row.citizen_number, m,
              ).changes;
              if (changed !== 1) throw new RunError('run-failed', `back pay of ${m} for ${row.citizen_number} found no suspended month`);
            } else {
              insertPayment.run(
                row.citizen_number, m, 'paid', amount.basicFen, amount.topUpFen, draw.fromAccountFen, fromPool, amount.totalFen,
                drawJson, line.paymentId, runKey, runKey,
              );
            }
          }
          for (const s of line.monthsSuspended) {
            insertPayment.run(row.citizen_number, s.month, s.status, 0, 0, 0, 0, 0, '{}', null, null, runKey);
          }
          if (line.monthsSuspended.length !== plan.released) setSuspended.run(line.monthsSuspended.length - plan.released, row.citizen_number);
          if (months.length > 0) decided.push(row.citizen_number);
          summary.decidedPersons += 1;
          if (line.monthsPaid.length === 0) {
            if (line.monthsSuspended.length > 0 || plan.stoppedMonths > 0) notPaidLine(summary, row.citizen_number, plan);
            continue;
          }
          summary.paidPersons += 1;
          summary.totalFen += line.totalFen;
          summary.fromAccountFen += line.fromAccountFen;
          summary.fromPoolFen += line.fromPoolFen;
          if (summary.lines.length < RUN_SUMMARY_LINES_LIMIT) summary.lines.push(line);
          else summary.linesTruncated = true;
          const from = transfers.length;
          // Months as a range: back pay after years of lapsed certification covers
          // dozens of months, more than a ledger meta string holds (512).
          const paidMonths = line.monthsPaid;
          const monthsText = paidMonths.length <= 12 ? paidMonths.join(',') : `${paidMonths[0]}..${paidMonths[paidMonths.length - 1]}`;
          const meta = { citizenNumber: row.citizen_number, runKey, months: monthsText, monthCount: paidMonths.length, paymentId: line.paymentId };
          for (const source of SOURCES) {
            if (drawn[source] <= 0) continue;
            transfers.push({
              id: payrollIdAt(idTimeMs, runTag, runKey, row.citizen_number, `draw:${source}`),
              debitAccountId: personAccountId(row.citizen_number, source),
              creditAccountId: FUND.payout,
              amountFen: drawn[source],
              code: 'pension.account',
              at,
              meta,
              linked: true,
            });
          }
          if (poolFen > 0) {
            poolPaid.push(`${row.citizen_number}:${poolFen}`);
            poolChunkFen += poolFen;
            if (poolFirst === '') poolFirst = row.citizen_number;
            poolLast = row.citizen_number;
          }
          if (transfers.length === from) continue; // nothing drawn from the account: the pooled part is in the chunk transfer
          transfers[transfers.length - 1]!.linked = false;
          chains.push({ citizenNumber: row.citizen_number, from, to: transfers.length });
        }
        if (decided.length > 0) {
          const changed = setDecided.run(month, JSON.stringify(decided)).changes;
          if (changed !== decided.length) throw new RunError('run-failed', `marked ${changed} of ${decided.length} pensions decided through ${month}`);
        }
        const poolIndex = transfers.length;
        if (poolChunkFen > 0) {
          transfers.push({
            id: payrollPoolChunkId(idTimeMs, runKey, poolPaid),
            debitAccountId: FUND.pooled,
            creditAccountId: FUND.payout,
            amountFen: poolChunkFen,
            code: 'pension.pooled',
            at,
            meta: { runKey, month, persons: poolPaid.length, firstCitizen: poolFirst, lastCitizen: poolLast },
          });
        }
        const results = submitTransfers(this.ctx, transfers, summary.transfers);
        if (poolChunkFen > 0) {
          const r = results[poolIndex]!;
          // The chunk commits with its registry rows, so its transfer cannot exist
          // already: `exists` would mean these payments were paid once before.
          if (r.result !== 'created') {
            if (summary.conflicts.length < RUN_CONFLICTS_LIMIT) summary.conflicts.push({ citizenNumber: poolFirst, transferId: r.id, result: r.result });
            throw new RunError('run-failed', `the ledger refused the pooled-fund transfer ${r.id} for ${poolFirst}..${poolLast}: ${r.result}`);
          }
        }
        for (const chain of chains) {
          for (let i = chain.from; i < chain.to; i++) {
            const r = results[i]!;
            if (r.result === 'created' || r.result === 'exists') continue;
            if (summary.conflicts.length < RUN_CONFLICTS_LIMIT) summary.conflicts.push({ citizenNumber: chain.citizenNumber, transferId: r.id, result: r.result });
            // A refused payment must not be recorded as paid: roll the chunk back and stop.
            throw new RunError('run-failed', `the ledger refused payment ${r.id} for ${chain.citizenNumber}: ${r.result}`);
          }
        }
      })();
      progress.advance(rows.length);
      yield;
    }
  }

  /** The suspended months a run may pay back (POLICY.md "Proof of life": `certBackPay`; family binding: `bindingBackPay`). */
  private suspendedReader(month: Month): SuspendedReader {
    const settings = settingsOn(this.ctx.policy, firstDayOf(month));
    const backPayStatuses: string[] = [];
    if (settings.certBackPay) backPayStatuses.push('suspended-certification');
    if (settings.bindingBackPay) backPayStatuses.push('suspended-family-binding');
    const statusList = backPayStatuses.length ? backPayStatuses.map((s) => `'${s}'`).join(', ') : `''`;
    const statement = this.ctx.db.prepare(`SELECT month, status FROM reg_payments WHERE citizen_number = ? AND status <> 'paid' AND status IN (${statusList}) ORDER BY month`);
    return (citizenNumber) => statement.all(citizenNumber) as SuspendedRow[];
  }

  /**
   * Decides a pensioner's months through `month` (steps 2-3): the undecided
   * ones paid, suspended or stopped, and the suspended ones released as back
   * pay. Null when there is nothing to decide. Reads only: the payment and
   * the bank-account check both ask it, so they cannot disagree on who is paid.
   */
  private planMonths(row: PayrollPage, month: Month, suspendedOf: SuspendedReader): MonthsPlan | null {
    const person = personOf(row);
    const months = row.decided_through < month ? monthRange(addMonths(row.decided_through, 1), month) : [];
    const suspended = row.suspended_months > 0 ? suspendedOf(row.citizen_number) : [];
    if (months.length === 0 && suspended.length === 0) return null;
    const facts = this.factsFor(row, person, [...months, ...suspended.map((s) => s.month)]);
    const deathMonth = person.deathDate ? monthOf(person.deathDate) : null;
    const urbanMonth = person.urbanPensionSince ? monthOf(person.urbanPensionSince) : null;
    const plan: MonthsPlan = { months, toPay: [], monthsSuspended: [], stoppedMonths: 0, stopReason: null, released: 0 };
    const stop = (reason: StopReason): void => {
      plan.stoppedMonths += 1;
      plan.stopReason ??= reason;
    };
    for (const m of months) {
      // What is known now: no month after a death, none from an urban pension (POLICY.md "Death", "When a pension is paid").
      if (deathMonth !== null && m > deathMonth) {
        stop('death');
        continue;
      }
      if (urbanMonth !== null && m >= urbanMonth) {
        stop('urban-pension');
        continue;
      }
      const status = monthStatus(m, facts);
      if (status === 'suspended-certification' || status === 'suspended-family-binding') plan.monthsSuspended.push({ month: m, status });
      else if (status === 'paid') plan.toPay.push({ month: m, backPay: false });
      else stop('stopped');
    }
    // Back pay (POLICY.md "Proof of life": "after a new certification the suspended months are paid").
    for (const s of suspended) {
      if ((deathMonth !== null && s.month > deathMonth) || (urbanMonth !== null && s.month >= urbanMonth)) continue;
      const released =
        s.status === 'suspended-certification'
          ? facts.certifiedThrough >= month && familyBindingHolds(s.month, facts.familyBinding)
          : familyBindingHolds(s.month, facts.familyBinding) && s.month <= facts.certifiedThrough;
      if (released) {
        plan.toPay.push({ month: s.month, backPay: true });
        plan.released += 1;
      }
    }
    plan.toPay.sort((a, b) => (a.month < b.month ? -1 : 1));
    return plan;
  }

  /**
   * Issue 10 section 5: a payment to a person without a bank account would be
   * a line of the bank file that no bank can pay, found (if at all) after the
   * money left the pooled fund. So before the first payment of a run, every
   * pensioner this run would pay (planMonths, the same decision the payment
   * makes) must have a bank account; otherwise the run is refused with the
   * citizen numbers to fix (the first RUN_MISSING_BANK_ACCOUNTS_LISTED) and
   * their count. Only pensioners without an account are looked at (through
   * the partial index reg_persons_without_bank_account: a county where
   * everyone has one pays one index probe), a page at a time with a turn
   * between pages (reads only).
   */
  private *refuseMissingBankAccounts(month: Month): RunSteps<void> {
    const page = this.ctx.db.prepare(payrollPageSql('p.bank_account IS NULL', 'p'));
    const suspendedOf = this.suspendedReader(month);
    const listed: string[] = [];
    let count = 0;
    let after = '';
    for (;;) {
      const rows = page.all(month, after, this.chunkPersons) as PayrollPage[];
      if (rows.length === 0) break;
      after = rows[rows.length - 1]!.citizen_number;
      for (const row of rows) {
        if ((this.planMonths(row, month, suspendedOf)?.toPay.length ?? 0) === 0) continue;
        count += 1;
        if (listed.length < RUN_MISSING_BANK_ACCOUNTS_LISTED) listed.push(row.citizen_number);
      }
      yield;
    }
    if (count > 0) throw bankAccountMissing(listed, count);
  }

  /**
   * The source balances of the chunk's account holders with something to decide,
   * read in a few ledger calls rather than one per person (issue 5 section 7:
   * the per-person reads were a sixth of a payroll). Reading them all before the
   * chunk's loop gives the same numbers as reading each in it: the chunk's
   * transfers are submitted after the loop, and each moves one person's money.
   */
  private chunkBalances(rows: readonly PayrollPage[], month: Month): Map<string, Balances> {
    const holders = rows.filter((r) => r.account_fen > 0 && (r.decided_through < month || r.suspended_months > 0)).map((r) => r.citizen_number);
    const out = new Map<string, Balances>();
    const perCall = Math.floor(MAX_BALANCES_ACCOUNTS / SOURCES.length);
    for (let from = 0; from < holders.length; from += perCall) {
      const batch = holders.slice(from, from + perCall);
      const read = this.ctx.ledger.balances(batch.flatMap((cn) => SOURCES.map((source) => personAccountId(cn, source))));
      batch.forEach((cn, p) => {
        const balances = zeroBalances();
        for (let i = 0; i < SOURCES.length; i++) balances[SOURCES[i]!] = read[p * SOURCES.length + i]!.balanceFen;
        out.set(cn, balances);
      });
    }
    return out;
  }

  private factsFor(row: PayrollPage, person: Person, months: Month[]): RecipientFacts {
    const policy = this.ctx.policy;
    const candidates = [certifiedThrough(firstDayOf(row.start_month), policy)];
    if (row.last_certified_on) candidates.push(certifiedThrough(row.last_certified_on, policy));
    const facts: RecipientFacts = {
      certifiedThrough: candidates.sort().at(-1)!,
      deathMonth: person.deathDate ? monthOf(person.deathDate) : null,
      deathReportedMonth: person.deathReportedOn ? monthOf(person.deathReportedOn) : null,
      urbanPensionSinceMonth: person.urbanPensionSince ? monthOf(person.urbanPensionSince) : null,
      urbanPensionReportedMonth: person.urbanPensionReportedOn ? monthOf(person.urbanPensionReportedOn) : null,
      familyBinding: { applies: false, householdPaidYears: new Set() },
    };
    if (row.family_binding === 1) facts.familyBinding = this.recipients.bindingFacts(person, months);
    return facts;
  }
}

