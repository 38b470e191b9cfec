// The cash-box reconciliation's vocabulary (issue 13 section 2): how journal,
// ledger and counted cash can differ, and which differences have a known
// reason. Closed unions, shared by the reconciliation, its alarms on the
// fleet, the office API and the CSV.
import type { CashTally, NoteCount } from '@nongbao/protocol';

/**
 * Each kind of difference, and whether it is explained (has a known reason
 * the records show) or not. An unexplained difference raises an alarm:
 * - `unattributed-cash` (explained): notes the acceptor reported stacked
 *   while no payment was taking one; the journal keeps each with its event
 *   counter. In the box and the journal, never booked in the ledger.
 * - `not-booked` (explained): a payment or credit the gateway refused or did
 *   not book (its outbox entry halted and an operator settled it): in the box
 *   and the journal, not in the ledger's cash box.
 * - `booked-on-other-day` (explained, day reports only): the ledger booked a
 *   payment on another day than the kiosk took it (one relayed after the
 *   window the server vouches for is booked when it arrived).
 * - `events-not-received` (unexplained): the journal counts payments or
 *   credits in the box that the gateway never received.
 * - `ledger-not-journaled` (unexplained): the ledger's cash box differs from
 *   the journal by more than the items above explain (a transfer on the cash
 *   box no kiosk event made).
 * - `chain-broken` (unexplained): the kiosk's previous collection is not the
 *   server's last one for it (a journal replaced or restored from a copy).
 * - `count-shortage` / `count-surplus` (unexplained): the office counted fewer
 *   or more notes of a denomination than the journal says the box held.
 */
export const DIFFERENCE_KINDS = [
  'unattributed-cash',
  'not-booked',
  'booked-on-other-day',
  'events-not-received',
  'ledger-not-journaled',
  'chain-broken',
  'count-shortage',
  'count-surplus',
] as const;
export type DifferenceKind = (typeof DIFFERENCE_KINDS)[number];

export const EXPLAINED_KINDS: ReadonlySet<DifferenceKind> = new Set(['unattributed-cash', 'not-booked', 'booked-on-other-day']);

/** The unexplained kinds: each raises an alarm on the fleet. */
export type ReconciliationAlarmKind = Exclude<DifferenceKind, 'unattributed-cash' | 'not-booked' | 'booked-on-other-day'>;

/** A payment or credit the kiosk relayed, as the gateway received it, and what became of it. */
export interface RelayedCashEvent {
  id: string;
  kind: 'payment' | 'cash-credit';
  citizenNumber: string;
  amountFen: number;
  /** The kiosk's time of the event (its paidAt or at). */
  kioskAt: string;
  /** booked: the ledger took it from the cash box; refused or not-booked: it did not. */
  outcome: 'booked' | 'refused' | 'not-booked';
  /** The ledger's booking (contribution, credit) or the refusal's reason. */
  reason: string | null;
  receivedAt: string;
  /** When the ledger booked it (its transfer's at), for a booked event. */
  ledgerAt: string | null;
}

/** What the kiosk's journal said the box held when staff started the collection. */
export interface JournalStatement {
  notes: NoteCount[];
  amountFen: number;
  payments: CashTally;
  credits: CashTally;
  unattributed: CashTally;
}

/** One difference and the payments behind it. */
export interface Difference {
  between: 'journal-ledger' | 'journal-counted';
  /** The collection it belongs to; null for a day report's own differences. */
  collectionId: string | null;
  kind: DifferenceKind;
  explained: boolean;
  /** journal - ledger, or counted - journal: negative when the second is short. */
  amountFen: number;
  /** For a count difference: the denomination and its notes by the journal and by the count. */
  denominationFen?: number;
  journalCount?: number;
  countedCount?: number;
  /** Plain words for the office. */
  detail: string;
  payments: RelayedCashEvent[];
}

/** The office's count of a collection. */
export interface CountRecord {
  notes: NoteCount[];
  amountFen: number;
  at: string;
  by: string;
  note: string | null;
}

/** A collection as the server recorded it. */
export interface CollectionRecord {
  id: string;
  terminalId: string;
  previousId: string | null;
  staffCardNumber: string;
  /** The kiosk's time. */
  startedAt: string;
  /** The ledger's time of its transfers (startedAt when the server can vouch for it, else when it arrived). */
  bookedAt: string;
  receivedAt: string;
  journal: JournalStatement;
  /** The ledger's cash-box balance when it arrived: what the ledger says the box held. */
  ledgerFen: number;
  /** The server's last collection of this kiosk before it (what previousId should be). */
  expectedPreviousId: string | null;
  counted: CountRecord | null;
}
