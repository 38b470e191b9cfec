// A personal account's growth, year by year (issue 14 "Residents": "account
// by source with a chart of its growth"): the balance of each source
// (POLICY.md "The personal account") at the end of every year since the
// person enrolled, and today's for the running year. Read from the ledger,
// the one place money lives, as the statement's balances are.
import { SOURCES, personAccountId } from '../ledger/index.js';
import { totalFen, zeroBalances, type Balances } from '../policy/index.js';
import type { RegistryContext } from './context.js';
import type { PersonService } from './persons.js';
import { shanghaiDate, shanghaiMidnightIso } from './time.js';

export interface AccountHistory {
  citizenNumber: string;
  /** One row per year from the enrolment year (not before the scheme's start) through this year. */
  years: { year: number; asOf: string; balancesFen: Balances; totalFen: number }[];
}

export function accountHistory(ctx: RegistryContext, persons: PersonService, citizenNumber: string): AccountHistory {
  const person = persons.get(citizenNumber);
  const today = shanghaiDate(ctx.now());
  const thisYear = Number(today.slice(0, 4));
  const firstYear = Math.max(Number(person.enrolledOn.slice(0, 4)), Number(ctx.schemeStart.slice(0, 4)));
  const years: AccountHistory['years'] = [];
  for (let year = firstYear; year <= thisYear; year++) {
    const running = year === thisYear;
    const balancesFen = zeroBalances();
    for (const source of SOURCES) {
      const account = personAccountId(citizenNumber, source);
      balancesFen[source] = (running ? ctx.ledger.balance(account) : ctx.ledger.balance(account, { before: shanghaiMidnightIso(`${year + 1}-01-01`) })).balanceFen;
    }
    years.push({ year, asOf: running ? today : `${year}-12-31`, balancesFen, totalFen: totalFen(balancesFen) });
  }
  return { citizenNumber, years };
}
