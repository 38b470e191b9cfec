// The cash-box reconciliation's arithmetic (issue 13 section 2): journal vs
// ledger vs counted cash, per collection and per kiosk and day, every
// difference listed with the payments behind it and marked explained or not
// (types.ts says which kinds have a known reason). Pure functions over what
// the service read; amounts are integer fen.
//
// Per collection, with J what the journal says the box held, L the ledger's
// cash-box balance when the collection arrived and C the office's count:
//   J - L = unattributed notes + events not booked + events never received
//           + a remainder nothing explains;
//   C - J = the count's difference, denomination by denomination.
import { shanghaiDate } from '../registry/time.js';
import { EXPLAINED_KINDS, type CollectionRecord, type CountRecord, type Difference, type DifferenceKind, type JournalStatement, type RelayedCashEvent } from './types.js';
import type { CashTally } from '@nongbao/protocol';

export interface CollectionReconciliation {
  collectionId: string;
  terminalId: string;
  previousId: string | null;
  staffCardNumber: string;
  startedAt: string;
  bookedAt: string;
  receivedAt: string;
  status: 'in-transit' | 'counted';
  journalFen: number;
  ledgerFen: number;
  countedFen: number | null;
  journal: JournalStatement;
  counted: CountRecord | null;
  /** The payments and credits the kiosk relayed before this collection: what the box's cash came from. */
  events: RelayedCashEvent[];
  differences: Difference[];
  /** Every difference has a known reason (none raises an alarm). */
  explained: boolean;
}

const sum = (events: readonly RelayedCashEvent[]): number => events.reduce((a, e) => a + e.amountFen, 0);

function difference(d: Omit<Difference, 'explained'>): Difference {
  return { ...d, explained: EXPLAINED_KINDS.has(d.kind) };
}

function tallyOf(events: readonly RelayedCashEvent[], kind: RelayedCashEvent['kind']): CashTally {
  const of = events.filter((e) => e.kind === kind);
  return { count: of.length, amountFen: sum(of) };
}

/** What the journal says against what the ledger's cash box held (J - L), item by item. */
export function journalLedgerDifferences(c: CollectionRecord, events: readonly RelayedCashEvent[]): Difference[] {
  const base = { between: 'journal-ledger' as const, collectionId: c.id };
  const out: Difference[] = [];
  const { unattributed } = c.journal;
  if (unattributed.amountFen > 0) {
    out.push(difference({ ...base, kind: 'unattributed-cash', amountFen: unattributed.amountFen, detail: `${unattributed.count} note(s) the acceptor reported stacked while no payment was taking one; the journal keeps each`, payments: [] }));
  }
  const notBooked = events.filter((e) => e.outcome !== 'booked');
  for (const e of notBooked) {
    out.push(difference({ ...base, kind: 'not-booked', amountFen: e.amountFen, detail: `the gateway did not book this ${e.kind} (${e.outcome}: ${e.reason ?? 'no reason'}); its cash is in the box`, payments: [e] }));
  }
  const relayedPayments = tallyOf(events, 'payment');
  const relayedCredits = tallyOf(events, 'cash-credit');
  const missingFen = c.journal.payments.amountFen + c.journal.credits.amountFen - relayedPayments.amountFen - relayedCredits.amountFen;
  const countsDiffer = c.journal.payments.count !== relayedPayments.count || c.journal.credits.count !== relayedCredits.count;
  if (missingFen !== 0 || countsDiffer) {
    const said = `the journal counts ${c.journal.payments.count} payment(s) of ${c.journal.payments.amountFen} fen and ${c.journal.credits.count} credit(s) of ${c.journal.credits.amountFen} fen`;
    const got = `the gateway received ${relayedPayments.count} of ${relayedPayments.amountFen} fen and ${relayedCredits.count} of ${relayedCredits.amountFen} fen`;
    out.push(difference({ ...base, kind: 'events-not-received', amountFen: missingFen, detail: `${said}; ${got}`, payments: [...events] }));
  }
  const remainder = c.journal.amountFen - c.ledgerFen - unattributed.amountFen - sum(notBooked) - missingFen;
  if (remainder !== 0) {
    out.push(difference({ ...base, kind: 'ledger-not-journaled', amountFen: remainder, detail: `the ledger's cash box held ${c.ledgerFen} fen, ${-remainder} fen more than the journal and the relayed events account for`, payments: [] }));
  }
  if (c.previousId !== c.expectedPreviousId) {
    out.push(difference({ ...base, kind: 'chain-broken', amountFen: 0, detail: `the kiosk's previous collection is ${c.previousId ?? 'none'}, the server's last is ${c.expectedPreviousId ?? 'none'}`, payments: [] }));
  }
  return out;
}

/** The office's count against the journal (C - J), denomination by denomination. */
export function countDifferences(c: CollectionRecord, counted: CountRecord, events: readonly RelayedCashEvent[]): Difference[] {
  const journal = new Map(c.journal.notes.map((n) => [n.denominationFen as number, n.count]));
  const count = new Map(counted.notes.map((n) => [n.denominationFen as number, n.count]));
  const denominations = [...new Set([...journal.keys(), ...count.keys()])].sort((a, b) => b - a);
  const out: Difference[] = [];
  for (const denominationFen of denominations) {
    const journalCount = journal.get(denominationFen) ?? 0;
    const countedCount = count.get(denominationFen) ?? 0;
    if (journalCount === countedCount) continue;
    const kind: DifferenceKind = countedCount < journalCount ? 'count-shortage' : 'count-surplus';
    // A note short or over cannot be pinned to one payment: every payment and credit of the box is behind it.
    out.push(
      difference({
        between: 'journal-counted',
        collectionId: c.id,
        kind,
        amountFen: (countedCount - journalCount) * denominationFen,
        denominationFen,
        journalCount,
        countedCount,
        detail: `counted ${countedCount} note(s) of ${denominationFen / 100} yuan, the journal says ${journalCount}`,
        payments: [...events],
      }),
    );
  }
  return out;
}

export function reconcileCollection(c: CollectionRecord, events: readonly RelayedCashEvent[]): CollectionReconciliation {
  const differences = [...journalLedgerDifferences(c, events), ...(c.counted ? countDifferences(c, c.counted, events) : [])];
  return {
    collectionId: c.id,
    terminalId: c.terminalId,
    previousId: c.previousId,
    staffCardNumber: c.staffCardNumber,
    startedAt: c.startedAt,
    bookedAt: c.bookedAt,
    receivedAt: c.receivedAt,
    status: c.counted ? 'counted' : 'in-transit',
    journalFen: c.journal.amountFen,
    ledgerFen: c.ledgerFen,
    countedFen: c.counted?.amountFen ?? null,
    journal: c.journal,
    counted: c.counted,
    events: [...events],
    differences,
    explained: differences.every((d) => d.explained),
  };
}

/** Cash the ledger took into a kiosk's cash box on a day (a transfer debiting it, not a collection's). */
export interface LedgerCashIn {
  id: string;
  amountFen: number;
  at: string;
  code: string;
}

export interface DayReconciliation {
  terminalId: string;
  /** A calendar date in Asia/Shanghai. */
  date: string;
  /** Payments and credits the kiosk took that day, by its journal as relayed. */
  journal: { payments: CashTally; credits: CashTally; amountFen: number };
  /** Cash the ledger booked into the cash box that day, and what it moved out to collections in transit. */
  ledger: { inFen: number; collectedFen: number };
  /** Collections started that day, each reconciled. */
  collections: CollectionReconciliation[];
  /** What the office counted of them (collections not yet counted are left out). */
  countedFen: number;
  /** The day's own differences, then each collection's. */
  differences: Difference[];
  explained: boolean;
}

/**
 * One kiosk's day: the payments and credits it took that day (journal)
 * against the cash the ledger booked into its box that day, plus the day's
 * collections. `events`: the relayed events taken or booked that day.
 */
export function reconcileDay(input: {
  terminalId: string;
  date: string;
  events: readonly RelayedCashEvent[];
  ledgerIn: readonly LedgerCashIn[];
  ledgerCollectedFen: number;
  collections: readonly CollectionReconciliation[];
}): DayReconciliation {
  const { date } = input;
  const taken = input.events.filter((e) => shanghaiDate(e.kioskAt) === date);
  const base = { between: 'journal-ledger' as const, collectionId: null };
  const own: Difference[] = [];
  for (const e of input.events) {
    const kioskDay = shanghaiDate(e.kioskAt);
    if (e.outcome !== 'booked') {
      if (kioskDay === date) own.push(difference({ ...base, kind: 'not-booked', amountFen: e.amountFen, detail: `the gateway did not book this ${e.kind} (${e.outcome}: ${e.reason ?? 'no reason'})`, payments: [e] }));
      continue;
    }
    const ledgerDay = e.ledgerAt ? shanghaiDate(e.ledgerAt) : null;
    if (ledgerDay === kioskDay) continue;
    // Taken today and booked on another day (+), or booked today and taken on another (-).
    const amountFen = kioskDay === date ? e.amountFen : -e.amountFen;
    own.push(difference({ ...base, kind: 'booked-on-other-day', amountFen, detail: `taken ${kioskDay}, booked ${ledgerDay ?? 'never'} (${e.reason ?? 'booked'})`, payments: [e] }));
  }
  const relayed = new Set(input.events.map((e) => e.id));
  for (const t of input.ledgerIn) {
    if (relayed.has(t.id)) continue;
    own.push(difference({ ...base, kind: 'ledger-not-journaled', amountFen: -t.amountFen, detail: `the ledger booked ${t.amountFen} fen into the cash box (${t.code}, transfer ${t.id}) that no kiosk event made`, payments: [] }));
  }
  const differences = [...own, ...input.collections.flatMap((c) => c.differences)];
  const payments = tallyOf(taken, 'payment');
  const credits = tallyOf(taken, 'cash-credit');
  return {
    terminalId: input.terminalId,
    date,
    journal: { payments, credits, amountFen: payments.amountFen + credits.amountFen },
    ledger: { inFen: input.ledgerIn.reduce((a, t) => a + t.amountFen, 0), collectedFen: input.ledgerCollectedFen },
    collections: [...input.collections],
    countedFen: input.collections.reduce((a, c) => a + (c.countedFen ?? 0), 0),
    differences,
    explained: differences.every((d) => d.explained),
  };
}
