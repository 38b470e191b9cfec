// Death settlement (POLICY.md "Death"): the pension is paid up to and
// including the month of death; every source except `government` is
// inheritable, and the government balance returns to the pooled fund unless
// `inheritGovernment` (the 2014 merged scheme). Months paid after the death
// but before it was reported came from the pooled fund; their whole amount is
// recovered from the inheritable amount first, and what it cannot cover stays
// to recover.
import { assertFen } from './money.js';
import { settingsOn, type Policy } from './settings.js';
import { SOURCES, assertBalances, type Balances } from './sources.js';
import type { IsoDate } from './dates.js';

export interface DeathSettlement {
  /** The inheritable balance before recovery; the heirs receive inheritableFen − recoveredFen. */
  inheritableFen: number;
  /** The government balance returned to the pooled fund. */
  toPoolFen: number;
  /** Recovered from the inheritable amount for months paid after the death. */
  recoveredFen: number;
  /** What the inheritance could not cover: still to recover. */
  unrecoveredFen: number;
}

/**
 * Settles an account at death. `balances`: the account as it stands after the
 * month of death was paid (later months were paid from the pool).
 * `paidAfterDeathFen`: the whole amount of the months paid after the death.
 */
export function settleDeath(balances: Balances, paidAfterDeathFen: number, deathDate: IsoDate, policy: Policy): DeathSettlement {
  assertBalances(balances, 'balances');
  assertFen(paidAfterDeathFen, 'paidAfterDeathFen');
  const inheritGovernment = settingsOn(policy, deathDate).inheritGovernment;
  let inheritableFen = 0;
  let toPoolFen = 0;
  for (const source of SOURCES) {
    if (source === 'government' && !inheritGovernment) toPoolFen += balances[source];
    else inheritableFen += balances[source];
  }
  const recoveredFen = Math.min(inheritableFen, paidAfterDeathFen);
  return { inheritableFen, toPoolFen, recoveredFen, unrecoveredFen: paidAfterDeathFen - recoveredFen };
}
