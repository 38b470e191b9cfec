// The monthly account draw (POLICY.md "How much"): the fixed account pension
// is drawn from the account split across sources in proportion to their
// balances, each share rounded down to the fen; the leftover fen are handed
// out one at a time in SOURCES order (individual, collective, aid, legacy,
// government), starting again at the top while any remain, skipping a source
// that has nothing left above its share. Once the account is empty the same
// amount is paid from the pooled fund.
import { assertFen } from './money.js';
import { SOURCES, assertBalances, totalFen, zeroBalances, type Balances } from './sources.js';

export interface AccountDraw {
  /** Drawn from each source, fen. Never more than that source's balance. */
  bySource: Balances;
  /** Sum of `bySource`. */
  fromAccountFen: number;
  /** What the account could not cover, paid from the pooled fund. */
  fromPoolFen: number;
}

/**
 * Splits a monthly account pension of `amountFen` over `balances`. When the
 * account holds less than the amount, all of it is drawn and the rest comes
 * from the pooled fund.
 */
export function splitAccountDraw(balances: Balances, amountFen: number): AccountDraw {
  assertBalances(balances, 'balances');
  assertFen(amountFen, 'amountFen');
  const total = totalFen(balances);
  const bySource = zeroBalances();
  if (total <= amountFen) {
    for (const source of SOURCES) bySource[source] = balances[source];
    return { bySource, fromAccountFen: total, fromPoolFen: amountFen - total };
  }
  // amount < total: proportional shares, exact in BigInt (balance × amount can
  // pass 2^53 for large accounts).
  let handedOut = 0;
  const bigTotal = BigInt(total);
  for (const source of SOURCES) {
    const share = Number((BigInt(balances[source]) * BigInt(amountFen)) / bigTotal);
    bySource[source] = share;
    handedOut += share;
  }
  // Each floor loses less than one fen, so fewer fen are left over than there
  // are sources with money, and every pass hands out at least one: the loop ends.
  let leftover = amountFen - handedOut;
  while (leftover > 0) {
    for (const source of SOURCES) {
      if (leftover === 0) break;
      if (balances[source] - bySource[source] <= 0) continue;
      bySource[source] += 1;
      leftover -= 1;
    }
  }
  return { bySource, fromAccountFen: amountFen, fromPoolFen: 0 };
}
