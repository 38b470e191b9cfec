// What a kiosk shows a resident: the office statement trimmed to the kiosk's
// account summary, with this year's contribution as the kiosk may take it in
// cash, decided by the policy engine before any cash is taken, and what each
// tier would pay at 60 from the same engine ("pay more, get more").
import { projectEveryTier, settingsOn, validateContribution, type Policy } from '../policy/index.js';
import type { AccountStatement, Registry } from '../registry/index.js';
import { SUMMARY_PENSION_MONTHS_LIMIT, SUMMARY_UNPAID_MEMBERS_LIMIT, maskName, type AccountSummary, type TierProjection } from '@nongbao/protocol';

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

/**
 * "Pay more, get more" (issue 12 section 1; POLICY.md "The policy simulator":
 * the kiosk uses the same engine): the monthly pension at its start for each
 * tier, paid every remaining year. The history replayed is the person's
 * contributions; a legacy balance (merged from the old scheme) enters as it
 * stands today, its past interest included. Only offered when this year can
 * be paid: otherwise there is no choice to explain.
 */
export function kioskProjections(registry: Registry, policy: Policy, statement: AccountStatement, offer: PaymentOffer, schemeStart: string, today: string): TierProjection[] {
  if (!offer.payment) return [];
  const person = registry.persons.get(statement.citizenNumber);
  const events: Parameters<typeof projectEveryTier>[1]['events'] = registry.contributions.scenarioEventsOf(statement.citizenNumber);
  if (statement.balancesFen.legacy > 0) events.push({ date: today, type: 'legacy', amountFen: statement.balancesFen.legacy });
  const offered = new Set(offer.payment.tiers.map((t) => t.tierYuan));
  return projectEveryTier({ birthDate: person.birthDate, enrolledOn: person.enrolledOn, severelyDisabled: person.severelyDisabled }, { schemeStart, asOf: today, events }, policy)
    .filter((p) => offered.has(p.tierYuan))
    .map((p) => ({ tierYuan: p.tierYuan, startMonth: p.startMonth, monthlyFen: p.monthlyFen }));
}

/** Household members who still have to pay, masked as on the publicity list (POLICY.md "Publicity and coverage"). */
function familyBinding(registry: Registry, statement: AccountStatement): AccountSummary['familyBinding'] {
  const binding = statement.familyBinding;
  if (!binding.applies) return null;
  const names = binding.unpaidMembers.slice(0, SUMMARY_UNPAID_MEMBERS_LIMIT).map((citizenNumber) => maskName(registry.persons.get(citizenNumber).name));
  return { applies: true, year: binding.year, holds: binding.holds, unpaidMembers: names };
}

export interface SummaryExtras {
  offer: PaymentOffer;
  projections: TierProjection[];
  familyBinding: AccountSummary['familyBinding'];
}

/** The gateway's account summary: the office statement, trimmed to what the kiosk shows. */
export function kioskSummary(statement: AccountStatement, extras: Partial<SummaryExtras> = {}): AccountSummary {
  const offer = extras.offer ?? { payment: null, paymentRefusal: null };
  const pensionMonths = statement.payments.slice(-SUMMARY_PENSION_MONTHS_LIMIT).map(({ month, status, totalFen }) => ({ month, status, totalFen }));
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
    interestFen:
      statement.pension.startMonth === null
        ? Math.max(0, statement.balanceFen - statement.balancesFen.legacy - statement.contributions.reduce((sum, c) => sum + c.totalFen, 0))
        : null,
    pensionMonths,
    certification:
      statement.pension.startMonth === null
        ? null
        : { ...statement.certification, nextDueMonth: statement.certification.certifiedThrough },
    familyBinding: extras.familyBinding ?? null,
    projections: extras.projections ?? [],
    asOf: statement.asOf,
  };
}

/** The whole summary for a citizen number: statement, offer, projections, family binding. */
export function buildKioskSummary(registry: Registry, policy: Policy, citizenNumber: string, schemeStart: string, today: string): AccountSummary {
  const statement = registry.accountStatement(citizenNumber);
  const offer = kioskPaymentOffer(registry, policy, statement, schemeStart, today);
  return kioskSummary(statement, {
    offer,
    projections: kioskProjections(registry, policy, statement, offer, schemeStart, today),
    familyBinding: familyBinding(registry, statement),
  });
}
