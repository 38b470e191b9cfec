// Years of payroll history written directly (issue 15 section 5: the payroll
// bench measures months "on a ledger that already holds ten years of history
// for those recipients"; the history "may be generated directly, faster than
// through the runs"). For the payroll bench and the tests that check a
// month's work does not grow with the history; not used by the server.
//
// What a run would have left, month after month, for every recipient: the
// registry rows (person, pension decided through the last month, a recent
// certification, one reg_payments row per month) and the ledger transfers
// (each account holder's draws, with the ids the run derives, and one
// pooled-fund transfer per chunk and month). The transfers go through
// Ledger#createTransfers, so the chain, balances and account index are the
// ledger's own and `ledger verify` passes (payroll-history.test.ts). What is
// skipped is the run's deciding: the amounts come from the same policy
// functions, computed once per month.
//
// On either engine (issue 15 section 5: the payroll bench runs on both): the
// registry rows go through history-rows.ts (a statement per row on SQLite,
// one unnest INSERT per 20 000 rows on PostgreSQL); the transfers through
// createTransfers in the ledger's largest batches on both.
import { FUND, MAX_BATCH_TRANSFERS, SOURCES, personAccountId, personAccountSpecs, type Ledger, type TransferInput } from '../ledger/index.js';
import { PgLedgerStore } from '../ledger/pg/store.js';
import type { AccountSpec } from '../ledger/types.js';
import type { SqlDatabase } from '../sql/types.js';
import { addMonths, citizenCheckChar, firstDayOf, monthlyPension, splitAccountDraw, zeroBalances, type Balances, type Month, type Policy } from '../policy/index.js';
import { derivedUuidV7 } from '../registry/ids.js';
import { monthRange, shanghaiMidnightMs, shanghaiNoonIso } from '../registry/time.js';
import { payrollRunKey, payrollTransferId } from './payroll.js';
import { rowWriter } from './history-rows.js';

/** Recipients written per transaction (and per pooled-fund transfer), as a run's chunk. */
export const HISTORY_CHUNK_PERSONS = 15_000;
/** Each account holder's account pension: 139 600 fen / 139 months (POLICY.md "How much"). */
export const HISTORY_ACCOUNT_PENSION_FEN = 1_004;
const INDIVIDUAL_FUNDING_FEN = 100_000;
const GOVERNMENT_FUNDING_FEN = 39_600;

export interface PayrollHistoryOptions {
  recipients: number;
  /** Months already paid, ending with `throughMonth` (120 for ten years). */
  months: number;
  throughMonth: Month;
  policy: Policy;
  /** The certification every recipient has (one within its validity for the months after `throughMonth`). */
  certifiedOn: string;
}

export interface PayrollHistory {
  firstMonth: Month;
  throughMonth: Month;
  transfers: number;
  payments: number;
}

/** The i-th recipient's citizen number (distinct for i < 10 000 000): born 1940-1949, aged 60+ before any history month from 2010. */
export function historyCitizenNumber(i: number): string {
  const year = 1940 + (i % 10);
  const day = String(1 + (Math.floor(i / 10) % 28)).padStart(2, '0');
  const region = String(110000 + Math.floor(i / 2800)).padStart(6, '0');
  const serial = String(Math.floor(i / 10) % 1000).padStart(3, '0');
  const first17 = `${region}${year}01${day}${serial}`;
  return `${first17}${citizenCheckChar(first17)}`;
}

/** Odd recipients have a personal account (funded from two sources: individual and government); even ones the basic pension only. */
export function historyHasAccount(i: number): boolean {
  return i % 2 === 1;
}

/** Writes the history into an empty registry (made by createRegistry) and its ledger. */
export function writePayrollHistory(db: SqlDatabase, ledger: Ledger, options: PayrollHistoryOptions): PayrollHistory {
  const { recipients, months, throughMonth } = options;
  const firstMonth = addMonths(throughMonth, 1 - months);
  db.prepare(`INSERT OR IGNORE INTO reg_villages (code, name) VALUES ('V001', 'history village')`).run();
  let transfers = 0;
  for (let from = 0; from < recipients; from += HISTORY_CHUNK_PERSONS) {
    transfers += writeRecipients(db, ledger, options, firstMonth, from, Math.min(from + HISTORY_CHUNK_PERSONS, recipients));
  }
  for (const month of monthRange(firstMonth, throughMonth)) {
    for (let from = 0; from < recipients; from += HISTORY_CHUNK_PERSONS) {
      transfers += writeMonth(db, ledger, options, firstMonth, month, from, Math.min(from + HISTORY_CHUNK_PERSONS, recipients));
    }
  }
  return { firstMonth, throughMonth, transfers, payments: recipients * months };
}

/** The persons, pensions, certifications, accounts and account funding of recipients from..to. */
function writeRecipients(db: SqlDatabase, ledger: Ledger, options: PayrollHistoryOptions, firstMonth: Month, from: number, to: number): number {
  const persons = rowWriter(db, 'reg_persons', [
    ['citizen_number', 'text'], ['name', 'text'], ['birth_date', 'text'], ['village_code', 'text'], ['severely_disabled', 'bigint'],
    ['bank_account', 'text'], ['registered_at', 'text'], ['enrolled_on', 'text'],
  ]);
  const pensions = rowWriter(db, 'reg_pensions', [
    ['citizen_number', 'text'], ['start_month', 'text'], ['paid_years', 'bigint'], ['top_up_fen', 'bigint'], ['account_fen', 'bigint'],
    ['family_binding', 'bigint'], ['run_key', 'text'], ['decided_through', 'text'],
  ]);
  const certifications = rowWriter(db, 'reg_certifications', [['id', 'text'], ['citizen_number', 'text'], ['certified_on', 'text'], ['channel', 'text'], ['recorded_at', 'text']]);
  const fundedAt = `${firstDayOf(addMonths(firstMonth, -1))}T02:00:00.000Z`;
  return db.transaction(() => {
    const specs: AccountSpec[] = [];
    const funding: TransferInput[] = [];
    for (let i = from; i < to; i++) {
      const cn = historyCitizenNumber(i);
      const withAccount = historyHasAccount(i);
      persons.add(cn, '测试人', `${cn.slice(6, 10)}-${cn.slice(10, 12)}-${cn.slice(12, 14)}`, 'V001', 0, `6222${String(i).padStart(12, '0')}`, '2009-07-01', '2009-07-01');
      pensions.add(cn, firstMonth, withAccount ? 15 : 0, 0, withAccount ? HISTORY_ACCOUNT_PENSION_FEN : 0, 0, 'history', options.throughMonth);
      certifications.add(derivedUuidV7(shanghaiMidnightMs(options.certifiedOn), `history-cert|${cn}`), cn, options.certifiedOn, 'counter', options.certifiedOn);
      if (!withAccount) continue;
      specs.push(...personAccountSpecs(cn));
      funding.push(
        { id: derivedUuidV7(shanghaiMidnightMs(firstDayOf(firstMonth)), `history-fund|${cn}|i`), debitAccountId: FUND.collection, creditAccountId: personAccountId(cn, 'individual'), amountFen: INDIVIDUAL_FUNDING_FEN, code: 'contribution.individual', at: fundedAt },
        { id: derivedUuidV7(shanghaiMidnightMs(firstDayOf(firstMonth)), `history-fund|${cn}|g`), debitAccountId: FUND.subsidyCounty, creditAccountId: personAccountId(cn, 'government'), amountFen: GOVERNMENT_FUNDING_FEN, code: 'subsidy.government', at: fundedAt },
      );
    }
    // Parents before children: the pensions and certifications refer to the persons.
    for (const rows of [persons, pensions, certifications]) rows.flush();
    createAccounts(ledger, specs);
    return createAll(ledger, funding);
  })();
}

/**
 * The recipients' new accounts. On PostgreSQL in one statement (the store's
 * insertAccounts, as `ledger migrate` moves a chart): ensureAccounts looks up
 * and inserts each account on its own, two round trips an account, 5 000 000
 * for the accounts of a million recipients.
 */
function createAccounts(ledger: Ledger, specs: AccountSpec[]): void {
  const store = ledger.store;
  if (store instanceof PgLedgerStore) store.insertAccounts(specs);
  else ledger.ensureAccounts(specs);
}

/** One month's payments of recipients from..to: reg_payments rows, the draws and the chunk's pooled-fund transfer. */
function writeMonth(db: SqlDatabase, ledger: Ledger, options: PayrollHistoryOptions, firstMonth: Month, month: Month, from: number, to: number): number {
  const payments = rowWriter(db, 'reg_payments', [
    ['citizen_number', 'text'], ['month', 'text'], ['status', 'text'], ['basic_fen', 'bigint'], ['top_up_fen', 'bigint'], ['from_account_fen', 'bigint'],
    ['from_pool_fen', 'bigint'], ['total_fen', 'bigint'], ['draw_json', 'text'], ['payment_id', 'text'], ['paid_run_key', 'text'], ['run_key', 'text'],
  ]);
  const runKey = payrollRunKey(month);
  const at = shanghaiNoonIso(firstDayOf(month));
  const basicFen = monthlyPension({ startMonth: firstMonth, basicFen: 0, topUpFen: 0, accountFen: 0 }, month, options.policy).basicFen;
  // Every holder's balances are the same at any month (same funding, same draws): computed once.
  const balances = holderBalancesAt(firstMonth, month);
  const draw = splitAccountDraw(balances, HISTORY_ACCOUNT_PENSION_FEN);
  const drawJson = JSON.stringify(draw.bySource);
  const basicDrawJson = JSON.stringify(zeroBalances());
  return db.transaction(() => {
    const transfers: TransferInput[] = [];
    let poolFen = 0;
    for (let i = from; i < to; i++) {
      const cn = historyCitizenNumber(i);
      const paymentId = payrollTransferId(runKey, month, cn, 'payment');
      if (!historyHasAccount(i)) {
        payments.add(cn, month, 'paid', basicFen, 0, 0, basicFen, basicFen, basicDrawJson, paymentId, runKey, runKey);
        poolFen += basicFen;
        continue;
      }
      const fromPool = basicFen + draw.fromPoolFen;
      payments.add(cn, month, 'paid', basicFen, 0, draw.fromAccountFen, fromPool, basicFen + HISTORY_ACCOUNT_PENSION_FEN, drawJson, paymentId, runKey, runKey);
      poolFen += fromPool;
      const meta = { citizenNumber: cn, runKey, months: month, monthCount: 1, paymentId };
      const chainFrom = transfers.length;
      for (const source of SOURCES) {
        if (draw.bySource[source] <= 0) continue;
        transfers.push({
          id: payrollTransferId(runKey, month, cn, `draw:${source}`),
          debitAccountId: personAccountId(cn, source),
          creditAccountId: FUND.payout,
          amountFen: draw.bySource[source],
          code: 'pension.account',
          at,
          meta,
          linked: true,
        });
      }
      if (transfers.length > chainFrom) transfers[transfers.length - 1]!.linked = false;
    }
    transfers.push({
      id: derivedUuidV7(shanghaiMidnightMs(firstDayOf(month)), `history|pool-chunk|${month}|${from}`),
      debitAccountId: FUND.pooled,
      creditAccountId: FUND.payout,
      amountFen: poolFen,
      code: 'pension.pooled',
      at,
      meta: { runKey, month, persons: to - from },
    });
    payments.flush();
    return createAll(ledger, transfers);
  })();
}

/** An account holder's balances before `month`'s draw: the funding less every earlier month's draw. */
function holderBalancesAt(firstMonth: Month, month: Month): Balances {
  const balances = zeroBalances();
  balances.individual = INDIVIDUAL_FUNDING_FEN;
  balances.government = GOVERNMENT_FUNDING_FEN;
  for (let m = firstMonth; m < month; m = addMonths(m, 1)) {
    const draw = splitAccountDraw(balances, HISTORY_ACCOUNT_PENSION_FEN);
    for (const source of SOURCES) balances[source] -= draw.bySource[source];
  }
  return balances;
}

/** Creates transfers in ledger batches (never splitting a linked chain); throws unless every one is created. */
function createAll(ledger: Ledger, transfers: TransferInput[]): number {
  for (let i = 0; i < transfers.length; ) {
    let end = Math.min(i + MAX_BATCH_TRANSFERS, transfers.length);
    while (end < transfers.length && transfers[end - 1]!.linked) end -= 1;
    const refused = ledger.createTransfers(transfers.slice(i, end)).find((r) => r.result !== 'created');
    if (refused !== undefined) throw new Error(`payroll history: the ledger refused ${refused.id}: ${refused.result}`);
    i = end;
  }
  return transfers.length;
}
