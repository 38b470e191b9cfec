// The kiosk UI <-> terminal local API (ARCHITECTURE.md "Kiosk UI <->
// terminal: HTTP + socket.io on 127.0.0.1 only"). The UI never touches a
// device and never talks to the server: it renders the `state` the terminal
// pushes and posts what the person touched. docs/protocol.md describes it.
import { z } from 'zod';
import type { AccountSummary, PensionMonth, PublicityList, TierProjection } from './account.js';
import { PHOTO_JPEG_BYTES_LIMIT, type CreditCloseReason } from './money.js';
import { monthSchema } from './fields.js';
import type { RecentError, Resources } from './fleet.js';
import type { SelfTestResult } from './maintenance.js';

export * from './local-api-names.js';
import { KIOSK_LANGUAGES, SESSION_ACTIONS, type KioskLanguage, type KioskScreenName, type LocalErrorCode, type StaffSection } from './local-api-names.js';

/** A photo as the UI posts it: JPEG, base64 (the terminal seals it for the server before it is journaled). */
const photoBase64Schema = z
  .string()
  .max(Math.ceil((PHOTO_JPEG_BYTES_LIMIT * 4) / 3) + 4)
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'JPEG bytes, base64');

export const pinBodySchema = z.strictObject({ pin: z.string().max(12) });
export const actionBodySchema = z.strictObject({ action: z.enum(SESSION_ACTIONS) });
export const payBodySchema = z.strictObject({ tierYuan: z.number().int().positive().max(1_000_000) });
export const languageBodySchema = z.strictObject({ language: z.enum(KIOSK_LANGUAGES) });
/** "I received it" (proof of life): the month confirmed (null: proof of life alone) and the camera's photo, if any. */
export const certifyBodySchema = z.strictObject({ month: monthSchema.nullable(), photoJpegBase64: photoBase64Schema.nullable() });
/** "I did not receive it": the month. */
export const complaintBodySchema = z.strictObject({ month: monthSchema });
/** Largest local API body: a certification with its photo. */
export const LOCAL_API_BODY_BYTES_LIMIT = 48 * 1024;

/** Every failure of the local API: `{ error: { code, message } }`. */
export interface LocalApiError {
  error: { code: LocalErrorCode; message: string };
}

/** GET /api/prompts: the URL of each prompt's audio by language; recorded prompts take precedence over synthesized ones. */
export interface PromptManifest {
  prompts: Record<KioskLanguage, Record<string, { url: string; source: 'recorded' | 'synthesized' }>>;
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
  softwareVersion: string;
  serverConnected: boolean;
  outboxPending: number;
  /** The outbox stopped at an entry an operator has to settle. */
  outboxHalted: boolean;
  openPayments: number;
  unattributedCashFen: number;
  /** Device names (`billAcceptor`, `printer`, `pinPad`, `cardReader`, `camera`) and XFS4IoT states; the UI translates both. */
  devices: Array<{ name: string; state: string; detail: string; paper?: 'ok' | 'nearEnd' | 'out' | 'unknown' }>;
  alarms: Array<{ code: string; message: string; since: string; eventId?: string }>;
  /** Disk, journal, outbox, clock, network, version (issue 13 section 1). */
  resources: Resources;
  /** Newest first; staff read the register's words and action for each code. */
  recentErrors: RecentError[];
  /** The latest result of each self-test run since the terminal started. */
  selfTests: SelfTestResult[];
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

/** A tier on the "Pay this year" screen: what it costs, what it credits, and the pension it leads to. */
export interface TierOffer {
  tierYuan: number;
  dueFen: number;
  creditedFen: number;
  projection: TierProjection | null;
}

/** The village agent residents can call (kiosk.config), on the help screen. */
export interface HelpContact {
  villageName: string | null;
  agentName: string | null;
  agentPhone: string | null;
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
      screen: 'menu';
      holderName: string;
      /** Answered from the kiosk's cache: the gateway is unreachable. */
      offline: boolean;
      /** When the data shown was produced (the server's asOf). */
      asOf: string;
    }
  | {
      screen: 'account';
      holderName: string;
      summary: AccountSummary;
      offline: boolean;
      /** Payments this kiosk took that the server has not confirmed yet. */
      provisional: ProvisionalPayment[];
    }
  | {
      screen: 'tiers';
      holderName: string;
      /** The year offered; null when nothing can be paid here now (see `refusal`). */
      year: number | null;
      tiers: TierOffer[];
      offline: boolean;
      /** Message key saying why nothing can be paid now (already paid, no cash devices, offline limit...). */
      refusal: string | null;
    }
  | { screen: 'paying'; holderName: string; progress: PaymentProgress }
  | { screen: 'receipt'; holderName: string; outcome: PaymentOutcome }
  | {
      screen: 'confirm';
      holderName: string;
      /** The latest months of pension, newest first. */
      months: PensionMonth[];
      certification: AccountSummary['certification'];
      /** A pensioner on a verified card, online: may confirm receipt (proof of life) here. */
      canConfirm: boolean;
      /** A pensioner with a paid month shown: may say "I did not receive it" (offline too: the outbox keeps it). */
      canComplain: boolean;
      /** Message key saying why not, when the person cannot confirm here. */
      refusal: string | null;
    }
  | { screen: 'certified'; holderName: string; certifiedOn: string; photo: boolean }
  | { screen: 'complaint-filed'; holderName: string; month: string; amountFen: number }
  | { screen: 'publicity'; holderName: string; list: PublicityList }
  | { screen: 'help'; holderName: string | null; contact: HelpContact; requested: boolean }
  | { screen: 'take-card'; reason: 'finished' | 'timeout' }
  | { screen: 'staff'; holderName: string; section: StaffSection; diagnostics: Diagnostics | null }
  | { screen: 'message'; messageKey: string; params: Record<string, string | number> };

// Every screen of the union is named in KIOSK_SCREENS, and the other way round.
type SameNames<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
export const SCREENS_MATCH: SameNames<KioskScreen['screen'], KioskScreenName> = true;

export type KioskState = KioskScreen & {
  session: number;
  /** The session's language; back to DEFAULT_KIOSK_LANGUAGE when the session ends. */
  language: KioskLanguage;
  /** Seconds left before the session times out for want of a touch; null when no countdown runs. */
  countdown: number | null;
};

/**
 * The socket.io `key` event: a key of the hardware PIN pad pressed while no
 * PIN entry runs, for PIN-pad-only navigation (digits choose, enter
 * confirms, cancel goes back). PIN digits never travel here.
 */
export interface NavigationKey {
  key: 'digit' | 'enter' | 'cancel' | 'clear' | 'backspace';
  digit?: number;
}

/** The `state` event and GET /api/state: the session's state plus the link. */
export type KioskView = KioskState & { serverConnected: boolean; terminalId: string; demo: boolean };
