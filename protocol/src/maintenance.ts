// The maintenance staff's part of the kiosk's local API (issue 13): what the
// staff screens ask the terminal and what it answers. Staff are signed in
// with a staff card and its PIN; every route refuses anyone else
// (`not-staff`). docs/protocol.md describes it.
import { z } from 'zod';
import type { CashTally, NoteCount } from './collection.js';

// ---------------------------------------------------------------- routes
export const STAFF_API_ROUTES = {
  collection: { method: 'GET', path: '/api/staff/collection' },
  startCollection: { method: 'POST', path: '/api/staff/collection/start' },
  finishCollection: { method: 'POST', path: '/api/staff/collection/finish' },
  reprintCollectionSlip: { method: 'POST', path: '/api/staff/collection/reprint' },
  diagnostics: { method: 'GET', path: '/api/staff/diagnostics' },
  selfTestPrinter: { method: 'POST', path: '/api/staff/self-test/printer' },
  selfTestAcceptor: { method: 'POST', path: '/api/staff/self-test/acceptor' },
  selfTestCard: { method: 'POST', path: '/api/staff/self-test/card' },
  selfTestGateway: { method: 'POST', path: '/api/staff/self-test/gateway' },
} as const;

/** Staff self-tests (issue 13 section 1): print a test page, poll the acceptor, read the card in the reader, a round trip to the gateway. */
export const SELF_TESTS = ['printer', 'acceptor', 'card', 'gateway'] as const;
export type SelfTestName = (typeof SELF_TESTS)[number];

/**
 * A self-test's plain result: `pass`, or `fail` with the error register's
 * code (protocol errors.ts), whose words and action the staff screen shows.
 */
export interface SelfTestResult {
  test: SelfTestName;
  result: 'pass' | 'fail';
  code: number | null;
  /** What was found, in figures (card number masked, round trip ms, paper state); logs and the office read it. */
  detail: string;
  at: string;
  durationMs: number;
}

/** The POST routes take no fields: an empty JSON object, or no body. */
export const staffEmptyBodySchema = z.strictObject({}).optional();

/** Why the terminal refused a staff request (HTTP 409 `{ error: { code, message } }`). */
export const STAFF_REFUSALS = [
  'not-staff', // no staff card signed in with its PIN
  'no-cash-devices', // this kiosk has no acceptor and printer: nothing to collect
  'collection-in-progress', // a collection is started and not finished: finish it first
  'payment-in-progress', // a payment is open or ending: wait for it
  'printer-unavailable', // the slip cannot be printed (paper out, cover open, printer offline)
  'no-collection', // nothing to finish or reprint
  'self-test-running', // another self-test has not finished: wait for its result
] as const;
export type StaffRefusal = (typeof STAFF_REFUSALS)[number];

// ---------------------------------------------------------------- answers
/** What the journal says the cash box holds now (what a collection started now would take). */
export interface CashBoxView {
  notes: NoteCount[];
  amountFen: number;
  payments: CashTally;
  credits: CashTally;
  unattributed: CashTally;
}

/** Where the collection's event stands in the outbox. */
export type CollectionRelay = 'pending' | 'done' | 'halted' | 'settled';

export interface CollectionView extends CashBoxView {
  id: string;
  previousId: string | null;
  startedAt: string;
  staffCardNumber: string;
  slipPrintedAt: string | null;
  /** null while the box is out and the kiosk takes no cash. */
  finishedAt: string | null;
  relay: CollectionRelay;
}

/** `GET /api/staff/collection`. */
export interface StaffCollectionState {
  box: CashBoxView;
  /** The collection in progress: the kiosk takes no cash until it is finished. */
  open: CollectionView | null;
  last: CollectionView | null;
}

/** `POST /api/staff/collection/start` and `/reprint`. */
export interface CollectionSlipAnswer {
  collection: CollectionView;
  /** The slip as printed (text and a picture of the paper). */
  slip: { text: string; pngBase64: string };
  printed: boolean;
}
