// Dates the server can vouch for (issue 10 section 2). A kiosk's `paidAt`
// decides the subsidy (POLICY.md "Contributions": arrears get none), so the
// server accepts it only between the terminal's last contact before the
// connection that delivered it (minus an allowance) and now (plus clock
// skew). Anything else is refused as a contribution and kept as the person's
// credit, counted from when the server received it.
import { KIOSK_CLOCK_SKEW_MS, PAID_AT_WINDOW_ALLOWANCE_MS } from './limits.js';

export type PaidAtVerdict = 'inside' | 'paid-at-before-window' | 'paid-at-in-future';

/**
 * `contactFloorMs`: the terminal's last successful contact before the
 * connection the event arrived on (its enrolment, for a first connection).
 */
export function paidAtVerdict(paidAtMs: number, contactFloorMs: number, nowMs: number): PaidAtVerdict {
  if (paidAtMs > nowMs + KIOSK_CLOCK_SKEW_MS) return 'paid-at-in-future';
  if (paidAtMs < contactFloorMs - PAID_AT_WINDOW_ALLOWANCE_MS) return 'paid-at-before-window';
  return 'inside';
}
