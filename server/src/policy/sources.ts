// The personal account by source (POLICY.md "The personal account"): every
// credit is kept by where it came from, because the sources are treated
// differently at death (the government's share returns to the pool) and the
// monthly draw is split across them.
import { assertFen } from './money.js';

export type Source = 'individual' | 'collective' | 'aid' | 'legacy' | 'government';

/**
 * POLICY's order of sources. It is also the order leftover fen are handed out
 * in when a monthly draw is split (POLICY "How much"), so it is part of the
 * rules, not a display choice.
 */
export const SOURCES: readonly Source[] = Object.freeze(['individual', 'collective', 'aid', 'legacy', 'government'] as const);

/** Balances (or credits, or interest) in fen, one per source. */
export type Balances = Record<Source, number>;

export function isSource(value: unknown): value is Source {
  return typeof value === 'string' && (SOURCES as readonly string[]).includes(value);
}

export function zeroBalances(): Balances {
  return { individual: 0, collective: 0, aid: 0, legacy: 0, government: 0 };
}

export function copyBalances(balances: Balances): Balances {
  return { ...balances };
}

export function totalFen(balances: Balances): number {
  let total = 0;
  for (const source of SOURCES) total += balances[source];
  return total;
}

/** a + b, source by source. */
export function addBalances(a: Balances, b: Balances): Balances {
  const sum = zeroBalances();
  for (const source of SOURCES) sum[source] = a[source] + b[source];
  return sum;
}

/** Throws `InvalidAmount` unless every source holds whole, non-negative fen. */
export function assertBalances(balances: Balances, what: string): void {
  for (const source of SOURCES) assertFen(balances[source], `${what}.${source}`);
}
