// Interest (POLICY.md "The personal account"): on 31 December of year Y, for
// each source separately, round_half_up(balance of that source on 1 January
// of Y × rate(Y)). Money credited during Y earns interest from the next year,
// which is why only the 1 January balance enters. Rounding per source (not
// on the total) keeps every source's own balance exact to the fen.
import { applyRateHalfUp } from './money.js';
import { interestRate, type Policy } from './settings.js';
import { SOURCES, assertBalances, zeroBalances, type Balances } from './sources.js';

/** The interest to credit on 31 December of `year`, by source, from the 1 January balances. */
export function yearlyInterest(balancesOnJanuaryFirst: Balances, year: number, policy: Policy): Balances {
  assertBalances(balancesOnJanuaryFirst, 'balancesOnJanuaryFirst');
  const rate = interestRate(policy, year);
  const interest = zeroBalances();
  for (const source of SOURCES) interest[source] = applyRateHalfUp(balancesOnJanuaryFirst[source], rate);
  return interest;
}
