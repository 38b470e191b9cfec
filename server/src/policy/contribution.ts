// Contribution validation and credits (POLICY.md "Contributions"). The kiosk
// calls `validateContribution` before any cash is taken; the ledger calls it
// again before it books. One payment per person per calendar year.
import { FEN_PER_YUAN, assertFen } from './money.js';
import { isIsoDate, yearOf, type IsoDate } from './dates.js';
import { contributionWindow, isEligibleYear } from './eligibility.js';
import { isKnownTier, lowestTierYuan, settingsOn, subsidyFen, type Policy } from './settings.js';
import { zeroBalances, type Balances } from './sources.js';
import { PolicyError, PolicyErrorCode } from './errors.js';

export type ContributionRefusalReason = 'deceased' | 'unknown-tier' | 'already-paid' | 'future-year' | 'year-not-eligible' | 'not-disabled';

/**
 * Where several reasons apply, the first of this order is given
 * (POLICY "The policy simulator": `deceased`, `unknown-tier`, `already-paid`,
 * `future-year`, `year-not-eligible`, `not-disabled`).
 */
export const CONTRIBUTION_REFUSAL_PRECEDENCE: readonly ContributionRefusalReason[] = Object.freeze([
  'deceased',
  'unknown-tier',
  'already-paid',
  'future-year',
  'year-not-eligible',
  'not-disabled',
] as const);

/** Who pays: the resident, or the government on behalf of a severely disabled member. */
export type Payer = 'individual' | 'government';

export interface ContributionRequest {
  /** The payment date (Asia/Shanghai). */
  date: IsoDate;
  /** The calendar year paid for. */
  year: number;
  tierYuan: number;
  collectiveFen?: number;
  aidFen?: number;
  payer?: Payer;
}

export interface Contributor {
  birthDate: IsoDate;
  severelyDisabled: boolean;
  deceased: boolean;
  /** The scheme's start date in the person's county. */
  schemeStart: IsoDate;
  /** Years already paid for. */
  paidYears: ReadonlySet<number> | readonly number[];
}

export type ContributionDecision =
  | {
      ok: true;
      /** Paying for a past year. */
      arrears: boolean;
      /** What the resident hands over, fen (0 when the government pays on their behalf). */
      dueFromPayerFen: number;
      /** The credits to the personal account by source, fen. */
      credits: Balances;
    }
  | {
      ok: false;
      /** The reason to give: the first applicable in `CONTRIBUTION_REFUSAL_PRECEDENCE`. */
      reason: ContributionRefusalReason;
      /** Every reason that applies, in precedence order. */
      reasons: ContributionRefusalReason[];
    };

function hasYear(paid: ReadonlySet<number> | readonly number[], year: number): boolean {
  return paid instanceof Set ? paid.has(year) : (paid as readonly number[]).includes(year);
}

/**
 * Decides a contribution (POLICY "Contributions"):
 * - the tier must be one in force on the payment date;
 * - a year already paid cannot be paid again;
 * - a future year cannot be paid;
 * - the year must lie in F .. Y60 − 1 (arrears "from the person's first
 *   eligible year up to the year before they turn 60"); no year is eligible
 *   before the scheme opens in the county, so a payment dated before the
 *   scheme's start is `year-not-eligible` too;
 * - payer `government` is only for severely disabled members.
 * Credits: individual tier × 100 fen; the subsidy of the tier to `government`
 * unless it is arrears and `arrearsSubsidy` is false; collective and aid as
 * given. For a severely disabled member the government pays the lowest tier
 * (source `government`) plus that tier's subsidy, whatever tier is named; the
 * member pays nothing.
 * Throws `InvalidAmount` / `InvalidDate` for malformed input (not a refusal).
 */
export function validateContribution(request: ContributionRequest, contributor: Contributor, policy: Policy): ContributionDecision {
  if (!isIsoDate(request.date)) {
    throw new PolicyError(PolicyErrorCode.InvalidDate, `contribution date must be YYYY-MM-DD (got ${JSON.stringify(request.date)})`);
  }
  const collectiveFen = request.collectiveFen ?? 0;
  const aidFen = request.aidFen ?? 0;
  assertFen(collectiveFen, 'collectiveFen');
  assertFen(aidFen, 'aidFen');
  const payer: Payer = request.payer ?? 'individual';
  const window = contributionWindow(contributor.birthDate, contributor.schemeStart, policy);
  const paymentYear = yearOf(request.date);

  const reasons: ContributionRefusalReason[] = [];
  if (contributor.deceased) reasons.push('deceased');
  if (!isKnownTier(policy, request.tierYuan, request.date)) reasons.push('unknown-tier');
  if (hasYear(contributor.paidYears, request.year)) reasons.push('already-paid');
  if (request.year > paymentYear) reasons.push('future-year');
  if (!isEligibleYear(window, request.year) || request.date < contributor.schemeStart) reasons.push('year-not-eligible');
  if (payer === 'government' && !contributor.severelyDisabled) reasons.push('not-disabled');
  const first = reasons[0];
  if (first !== undefined) return { ok: false, reason: first, reasons };

  const arrears = request.year < paymentYear;
  const subsidised = !arrears || settingsOn(policy, request.date).arrearsSubsidy;
  const credits = zeroBalances();
  credits.collective = collectiveFen;
  credits.aid = aidFen;
  let dueFromPayerFen: number;
  if (payer === 'government') {
    const lowest = lowestTierYuan(policy, request.date);
    credits.government = lowest * FEN_PER_YUAN + (subsidised ? subsidyFen(policy, lowest, request.date) : 0);
    dueFromPayerFen = 0;
  } else {
    credits.individual = request.tierYuan * FEN_PER_YUAN;
    credits.government = subsidised ? subsidyFen(policy, request.tierYuan, request.date) : 0;
    dueFromPayerFen = credits.individual;
  }
  return { ok: true, arrears, dueFromPayerFen, credits };
}
