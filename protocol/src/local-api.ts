// The kiosk UI <-> terminal local API (ARCHITECTURE.md "Kiosk UI <->
// terminal: HTTP + socket.io on 127.0.0.1 only"). The UI never touches a
// device and never talks to the server: it renders the `state` the terminal
// pushes and posts what the person touched. docs/protocol.md describes it.
import { z } from 'zod';
import type { AccountSummary, PublicityList } from './account.js';
import type { CreditCloseReason } from './money.js';

// ---------------------------------------------------------------- routes
/** Routes of the production local API (the demo's device panel adds /api/demo/*). */
export const LOCAL_API_ROUTES = {
  state: { method: 'GET', path: '/api/state' },
  pin: { method: 'POST', path: '/api/pin' },
  action: { method: 'POST', path: '/api/action' },
  pay: { method: 'POST', path: '/api/pay' },
} as const;

export const SESSION_ACTIONS = ['pay', 'back', 'cancel-payment', 'done', 'publicity', 'certify'] as const;
export type SessionAction = (typeof SESSION_ACTIONS)[number];

export const pinBodySchema = z.strictObject({ pin: z.string().max(12) });
export const actionBodySchema = z.strictObject({ action: z.enum(SESSION_ACTIONS) });
export const payBodySchema = z.strictObject({ tierYuan: z.number().int().positive().max(1_000_000) });

/** Why the terminal did not take a touch (HTTP 409); the UI tells the person in their language. */
export const LOCAL_REFUSALS = ['no-card', 'not-asked', 'format', 'busy', 'use-pin-pad', 'not-now', 'unknown-tier', 'no-cash-devices'] as const;
export type LocalRefusal = (typeof LOCAL_REFUSALS)[number];

/** Every failure of the local API: `{ error: { code, message } }`. */
export interface LocalApiError {
  error: { code: LocalRefusal | 'bad-request' | 'not-found' | 'too-large' | 'internal' | 'forbidden-origin' | 'misdirected'; message: string };
}

// ---------------------------------------------------------------- state
export interface PaymentProgress {
  paymentId: string;
  year: number;
  tierYuan: number;
  dueFen: number;
  stackedFen: number;
  /** Taken while the gateway is unreachable: the receipt will say provisional. */
  offline: boolean;
}

export interface PaymentOutcome extends PaymentProgress {
  outcome: 'paid' | 'short';
  /** Why a short payment ended; null when paid. */
  reason: CreditCloseReason | null;
  /** The fault that stopped intake, when one did. */
  fault: string | null;
  receipt: { text: string; pngBase64: string } | null;
  printed: boolean;
}

/** What maintenance staff see on the kiosk. */
export interface Diagnostics {
  terminalId: string;
  serverConnected: boolean;
  outboxPending: number;
  /** The outbox stopped at an entry an operator has to settle. */
  outboxHalted: boolean;
  openPayments: number;
  unattributedCashFen: number;
  devices: Array<{ name: string; state: string; detail: string }>;
  alarms: Array<{ code: string; message: string; since: string; eventId?: string }>;
  at: string;
}

/** A payment the kiosk took that the server has not confirmed yet (taken offline, or not yet sent). */
export interface ProvisionalPayment {
  paymentId: string;
  year: number;
  tierYuan: number;
  cashFen: number;
  paidAt: string;
}

export type KioskScreen =
  | { screen: 'idle' }
  | { screen: 'reading' }
  | {
      screen: 'pin';
      holderName: string;
      triesLeft: number | null;
      wrongPin: boolean;
      /** The PIN is typed on a hardware PIN pad (the screen shows only how many digits). */
      pinPad: boolean;
      enteredDigits: number;
    }
  | { screen: 'loading'; holderName: string }
  | {
      screen: 'account';
      holderName: string;
      summary: AccountSummary;
      offline: boolean;
      /** Payments this kiosk took that the server has not confirmed yet. */
      provisional: ProvisionalPayment[];
      /** Can this year's contribution be paid in cash here now? */
      canPay: boolean;
      /** Message key saying why not, when the person could pay but the kiosk cannot take cash. */
      cashUnavailable: string | null;
      /** A pensioner on a verified card, online: may confirm receipt (proof of life) here. */
      canCertify: boolean;
    }
  | { screen: 'certified'; holderName: string; certifiedOn: string }
  | { screen: 'tiers'; holderName: string; year: number; tiers: NonNullable<AccountSummary['payment']>['tiers']; offline: boolean }
  | { screen: 'paying'; holderName: string; progress: PaymentProgress }
  | { screen: 'receipt'; holderName: string; outcome: PaymentOutcome }
  | { screen: 'publicity'; holderName: string; list: PublicityList }
  | { screen: 'staff'; holderName: string; diagnostics: Diagnostics | null }
  | { screen: 'message'; messageKey: string; params: Record<string, string | number> };

export type KioskState = KioskScreen & { session: number };

/** The `state` event and GET /api/state: the session's state plus the link. */
export type KioskView = KioskState & { serverConnected: boolean; terminalId: string; demo: boolean };
