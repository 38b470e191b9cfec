// What a kiosk shows a resident: the office statement trimmed to the kiosk's
// account summary, with this year's contribution as the kiosk may take it in
// cash, decided by the policy engine before any cash is taken.
import { settingsOn, validateContribution, type Policy } from '../policy/index.js';
import type { AccountStatement, Registry } from '../registry/index.js';
import type { AccountSummary } from '@nongbao/protocol';

export type PaymentOffer = Pick<AccountSummary, 'payment' | 'paymentRefusal'>;

/**
 * What this year's contribution would be at the kiosk, per tier, from the
 * policy engine (POLICY.md "Contributions"): the kiosk refuses before any cash
 * is taken, not after. Cash only: a member the government pays for has
 * nothing to pay here.
 */
export function kioskPaymentOffer(registry: Registry, policy: Policy, statement: AccountStatement, schemeStart: string, today: string): PaymentOffer {
  const person = registry.persons.get(statement.citizenNumber);
  if (person.deathDate) return { payment: null, paymentRefusal: 'deceased' };
  if (person.severelyDisabled) return { payment: null, paymentRefusal: 'paid-by-government' };
  const year = Number(today.slice(0, 4));
  const collectiveFen = registry.persons.collectiveSubsidyFen(person.villageCode, year);
  const contributor = {
    birthDate: person.birthDate,
    severelyDisabled: person.severelyDisabled,
    deceased: false,
    schemeStart,
    paidYears: statement.contributions.map((c) => c.year),
  };
  const tiers: NonNullable<AccountSummary['payment']>['tiers'] = [];
  let refusal: string | null = null;
  for (const tierYuan of settingsOn(policy, today).tiers) {
    const decision = validateContribution({ date: today, year, tierYuan, collectiveFen }, contributor, policy);
    if (!decision.ok) {
      refusal ??= decision.reason;
      continue;
    }
    const creditedFen = Object.values(decision.credits).reduce((sum, fen) => sum + fen, 0);
    tiers.push({ tierYuan, dueFen: decision.dueFromPayerFen, creditedFen });
  }
  return tiers.length > 0 ? { payment: { year, tiers }, paymentRefusal: null } : { payment: null, paymentRefusal: refusal ?? 'not-payable' };
}

/** The gateway's account summary: the office statement, trimmed to what the kiosk shows. */
export function kioskSummary(statement: AccountStatement, offer: PaymentOffer = { payment: null, paymentRefusal: null }): AccountSummary {
  return {
    ...offer,
    citizenNumber: statement.citizenNumber,
    villageCode: statement.villageCode,
    villageName: statement.villageName,
    balanceFen: statement.balanceFen,
    balancesFen: { ...statement.balancesFen },
    contributions: statement.contributions.map(({ year, tierYuan, paidOn, totalFen }) => ({ year, tierYuan, paidOn, totalFen })),
    contributionYears: statement.contributionYears,
    requiredYears: statement.requiredYears,
    pension: {
      status: statement.pension.status,
      startMonth: statement.pension.startMonth,
      monthlyFen: statement.pension.monthlyFen,
    },
    certifiedThrough: statement.certifiedThrough,
    creditFen: statement.credits.balanceFen,
    asOf: statement.asOf,
  };
}

