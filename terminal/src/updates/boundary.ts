// Where a session ends, for the update agent (issue 13 section 3: "switches
// only between sessions with no money step in flight"): no card in (the
// session is idle) and no payment open. A payment is open from the moment
// it is journalled until its receipt is printed and the desk lets it go
// (payment.ts clears it before 'finished'), so a switch never cuts a note
// being stacked, a journal write or a receipt.
import type { SessionBoundary } from './agent.js';

/** What the boundary reads of the kiosk session (KioskSession). */
export interface SessionScreen {
  readonly state: { screen: string };
  on(event: 'state', listener: () => void): unknown;
}

/** What the boundary reads of the payment desk (PaymentDesk). */
export interface MoneyInFlight {
  readonly progress: unknown;
  on(event: 'finished', listener: () => void): unknown;
}

export function sessionBoundary(session: SessionScreen, payments: MoneyInFlight | undefined): SessionBoundary {
  return {
    atBoundary: () => session.state.screen === 'idle' && !payments?.progress,
    onChange: (listener) => {
      session.on('state', listener);
      payments?.on('finished', listener);
    },
  };
}
