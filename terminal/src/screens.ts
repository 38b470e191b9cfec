// Builds the screens of a resident's session that are pure functions of the
// account summary and what the kiosk can do now (issue 12 section 1): the
// "Pay this year" tiers with their projections or the reason nothing can be
// paid, and "Confirm my pension". The session decides when to show them.
import type { AccountSummary, KioskScreen, ProvisionalPayment, TierOffer } from '@nongbao/protocol';

/** Months "Confirm my pension" shows (newest first). */
export const CONFIRM_MONTHS_SHOWN = 3;
/** Payment refusals (POLICY.md "Contributions") the kiosk has words for; any other is `payment.refused.other`. */
export const PAYMENT_REFUSAL_KEYS = ['already-paid', 'year-not-eligible', 'paid-by-government', 'deceased', 'future-year', 'not-enrolled'] as const;

export interface CashStatus {
  /** Message key saying why the kiosk takes no cash now, or null. */
  unavailable: string | null;
  /** Whether one more offline payment of this many fen fits the county's limits. */
  offlineFits: (dueFen: number) => boolean;
}

function refusalKey(summary: AccountSummary): string {
  const reason = summary.paymentRefusal ?? 'other';
  return (PAYMENT_REFUSAL_KEYS as readonly string[]).includes(reason) ? `payment.refused.${reason}` : 'payment.refused.other';
}

export function tiersScreen(
  holderName: string,
  summary: AccountSummary,
  offline: boolean,
  provisional: readonly ProvisionalPayment[],
  cash: CashStatus,
): Extract<KioskScreen, { screen: 'tiers' }> {
  const none = (refusal: string, year: number | null = null) => ({ screen: 'tiers' as const, holderName, year, tiers: [], offline, refusal });
  const offer = summary.payment;
  if (!offer) return none(refusalKey(summary));
  // A year this kiosk took cash for is not offered again before the gateway confirms it.
  if (provisional.some((p) => p.year === offer.year)) return none('payment.refused.provisional', offer.year);
  if (cash.unavailable) return none(cash.unavailable, offer.year);
  // Offline the kiosk takes cash within the county's offline limits (issue 11 section 5).
  const lowestDueFen = Math.min(...offer.tiers.map((t) => t.dueFen));
  if (offline && !cash.offlineFits(lowestDueFen)) return none('payment.offlineLimit', offer.year);
  const tiers: TierOffer[] = offer.tiers.map((t) => ({ ...t, projection: summary.projections.find((p) => p.tierYuan === t.tierYuan) ?? null }));
  return { screen: 'tiers', holderName, year: offer.year, tiers, offline, refusal: null };
}

export function isPensioner(summary: AccountSummary): boolean {
  return summary.pension.status === 'paid' || summary.pension.status === 'suspended-certification' || summary.pension.status === 'suspended-family-binding';
}

/**
 * "Confirm my pension": proof of life needs a card the server verified in
 * this card session, online (a clone must not keep a dead person's pension
 * going); a complaint only needs the person, and goes through the outbox.
 */
export function confirmScreen(
  holderName: string,
  summary: AccountSummary,
  can: { certify: boolean; offline: boolean },
): Extract<KioskScreen, { screen: 'confirm' }> {
  const months = [...summary.pensionMonths].reverse().slice(0, CONFIRM_MONTHS_SHOWN);
  let refusal: string | null = null;
  if (!isPensioner(summary)) refusal = 'confirm.notPensioner';
  else if (can.offline) refusal = 'confirm.offline';
  else if (!can.certify) refusal = 'confirm.cardNotVerified';
  return {
    screen: 'confirm',
    holderName,
    months,
    certification: summary.certification,
    canConfirm: refusal === null,
    canComplain: isPensioner(summary) && months.some((m) => m.status === 'paid'),
    refusal,
  };
}
