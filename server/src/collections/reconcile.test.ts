// The reconciliation's arithmetic (issue 13 section 2): journal vs ledger vs
// counted cash, each difference with its kind, its size, whether it has a
// known reason, and the payments behind it.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { NoteCount } from '@nongbao/protocol';
import { countDifferences, journalLedgerDifferences, reconcileCollection, reconcileDay } from './reconcile.js';
import type { CollectionRecord, RelayedCashEvent } from './types.js';

const SEED = 20_261_122;

let serial = 0;
function event(over: Partial<RelayedCashEvent> = {}): RelayedCashEvent {
  serial += 1;
  return {
    id: `01a20562-9ad7-7028-b880-${String(serial).padStart(12, '0')}`,
    kind: 'payment',
    citizenNumber: '513227198302220050',
    amountFen: 20_000,
    kioskAt: '2026-11-22T02:00:00.000Z',
    outcome: 'booked',
    reason: 'contribution',
    receivedAt: '2026-11-22T02:00:01.000Z',
    ledgerAt: '2026-11-22T02:00:00.000Z',
    ...over,
  };
}

/** A collection whose journal holds `events` (+ unattributed notes) and whose ledger booked the booked ones. */
function collection(events: RelayedCashEvent[], over: Partial<CollectionRecord> = {}, unattributed: NoteCount[] = []): CollectionRecord {
  const notes = new Map<number, number>();
  for (const e of events) notes.set(10_000, (notes.get(10_000) ?? 0) + e.amountFen / 10_000);
  for (const u of unattributed) notes.set(u.denominationFen, (notes.get(u.denominationFen) ?? 0) + u.count);
  const tally = (kind: RelayedCashEvent['kind']) => {
    const of = events.filter((e) => e.kind === kind);
    return { count: of.length, amountFen: of.reduce((a, e) => a + e.amountFen, 0) };
  };
  const unattributedFen = unattributed.reduce((a, u) => a + u.denominationFen * u.count, 0);
  const payments = tally('payment');
  const credits = tally('cash-credit');
  return {
    id: '01a20562-9ad7-7028-b880-1783f7c2e6ec',
    terminalId: 'kiosk-01',
    previousId: null,
    staffCardNumber: 'S00000001',
    startedAt: '2026-11-22T09:00:00.000Z',
    bookedAt: '2026-11-22T09:00:00.000Z',
    receivedAt: '2026-11-22T09:00:01.000Z',
    journal: {
      notes: [...notes.entries()].map(([denominationFen, count]) => ({ denominationFen, count }) as NoteCount),
      amountFen: payments.amountFen + credits.amountFen + unattributedFen,
      payments,
      credits,
      unattributed: { count: unattributed.reduce((a, u) => a + u.count, 0), amountFen: unattributedFen },
    },
    ledgerFen: events.filter((e) => e.outcome === 'booked').reduce((a, e) => a + e.amountFen, 0),
    expectedPreviousId: null,
    counted: null,
    ...over,
  };
}

const counted = (notes: NoteCount[]) => ({ notes, amountFen: notes.reduce((a, n) => a + n.denominationFen * n.count, 0), at: '2026-11-23T01:00:00.000Z', by: 'op.wang', note: null });

describe('journal against ledger, per collection', () => {
  it('finds nothing when the journal, the relayed events and the ledger agree', () => {
    const events = [event(), event({ kind: 'cash-credit', amountFen: 10_000, reason: 'credit' })];
    const report = reconcileCollection(collection(events), events);
    expect(report).toMatchObject({ journalFen: 30_000, ledgerFen: 30_000, countedFen: null, status: 'in-transit', differences: [], explained: true });
  });

  it('explains unattributed notes by the journal rows the acceptor left', () => {
    const events = [event()];
    const c = collection(events, {}, [{ denominationFen: 5_000, count: 1 }]);
    expect(journalLedgerDifferences(c, events)).toEqual([expect.objectContaining({ kind: 'unattributed-cash', amountFen: 5_000, explained: true, payments: [] })]);
  });

  it('explains a refused payment, and names it', () => {
    const refused = event({ outcome: 'refused', reason: 'person-not-found', ledgerAt: null });
    const events = [event(), refused];
    const differences = journalLedgerDifferences(collection(events), events);
    expect(differences).toEqual([expect.objectContaining({ kind: 'not-booked', amountFen: 20_000, explained: true, payments: [refused] })]);
  });

  it('does not explain payments the journal counts and the gateway never received', () => {
    const events = [event(), event()];
    const c = collection(events, { ledgerFen: 20_000 });
    const received = [events[0]!];
    const differences = journalLedgerDifferences(c, received);
    expect(differences).toEqual([expect.objectContaining({ kind: 'events-not-received', amountFen: 20_000, explained: false, payments: received })]);
    expect(reconcileCollection(c, received).explained).toBe(false);
  });

  it('does not explain a ledger cash box holding more than the journal and its events account for', () => {
    const events = [event()];
    const c = collection(events, { ledgerFen: 25_000 });
    expect(journalLedgerDifferences(c, events)).toEqual([expect.objectContaining({ kind: 'ledger-not-journaled', amountFen: -5_000, explained: false })]);
  });

  it('does not explain a kiosk whose previous collection is not the server\'s last', () => {
    const c = collection([], { previousId: '01a20562-9ad7-7028-b880-000000000001', expectedPreviousId: '01a20562-9ad7-7028-b880-000000000002' });
    expect(journalLedgerDifferences(c, [])).toEqual([expect.objectContaining({ kind: 'chain-broken', amountFen: 0, explained: false })]);
  });
});

describe('counted against journal, per collection', () => {
  const events = [event(), event({ amountFen: 10_000 })];
  const c = collection(events, {}, [{ denominationFen: 500, count: 2 }]);

  it('finds nothing when the office counts what the journal says, and marks it counted', () => {
    const report = reconcileCollection({ ...c, counted: counted(c.journal.notes) }, events);
    expect(report).toMatchObject({ status: 'counted', countedFen: 31_000, explained: true });
    expect(report.differences.map((d) => d.kind)).toEqual(['unattributed-cash']);
  });

  it('lists a shortage and a surplus by denomination, unexplained, with every payment of the box behind them', () => {
    const count = counted([
      { denominationFen: 10_000, count: 2 },
      { denominationFen: 500, count: 2 },
      { denominationFen: 100, count: 3 },
    ]);
    expect(countDifferences(c, count, events)).toEqual([
      expect.objectContaining({ kind: 'count-shortage', denominationFen: 10_000, journalCount: 3, countedCount: 2, amountFen: -10_000, explained: false, payments: events }),
      expect.objectContaining({ kind: 'count-surplus', denominationFen: 100, journalCount: 0, countedCount: 3, amountFen: 300, explained: false }),
    ]);
  });

  it('does not let notes swapped between denominations hide behind an equal total', () => {
    const swapped = counted([
      { denominationFen: 10_000, count: 3 },
      { denominationFen: 1_000, count: 1 },
    ]);
    expect(swapped.amountFen).toBe(c.journal.amountFen);
    expect(countDifferences(c, swapped, events).map((d) => [d.kind, d.amountFen])).toEqual([
      ['count-surplus', 1_000],
      ['count-shortage', -1_000],
    ]);
  });
});

describe('the differences add up (fast-check, seed printed on failure)', () => {
  const note = fc.constantFrom(100, 500, 1_000, 2_000, 5_000, 10_000);
  const relayed = fc.record({
    kind: fc.constantFrom('payment' as const, 'cash-credit' as const),
    hundreds: fc.integer({ min: 1, max: 30 }),
    outcome: fc.constantFrom('booked' as const, 'booked' as const, 'refused' as const, 'not-booked' as const),
    received: fc.boolean(),
  });

  it('journal - ledger is the sum of the journal-ledger differences; counted - journal the sum of the count differences', () => {
    fc.assert(
      fc.property(
        fc.array(relayed, { maxLength: 12 }),
        fc.array(fc.record({ denominationFen: note, count: fc.integer({ min: 1, max: 3 }) }), { maxLength: 3 }),
        fc.integer({ min: -30_000, max: 30_000 }),
        fc.array(fc.record({ denominationFen: note, count: fc.integer({ min: 0, max: 40 }) }), { maxLength: 6 }),
        (drawn, unattributedDrawn, ledgerSkewFen, countDrawn) => {
          const events = drawn.map((d) => event({ kind: d.kind, amountFen: d.hundreds * 10_000, outcome: d.outcome, ledgerAt: d.outcome === 'booked' ? '2026-11-22T02:00:00.000Z' : null }));
          const unattributed = [...new Map(unattributedDrawn.map((u) => [u.denominationFen, u])).values()] as NoteCount[];
          const base = collection(events, {}, unattributed);
          const c = { ...base, ledgerFen: Math.max(0, base.ledgerFen + ledgerSkewFen) };
          const received = events.filter((_e, i) => drawn[i]!.received);
          const jl = journalLedgerDifferences(c, received);
          expect(jl.reduce((a, d) => a + d.amountFen, 0)).toBe(c.journal.amountFen - c.ledgerFen);
          expect(jl.every((d) => d.between === 'journal-ledger')).toBe(true);
          const count = counted([...new Map(countDrawn.map((n) => [n.denominationFen, n])).values()] as NoteCount[]);
          const jc = countDifferences(c, count, received);
          expect(jc.reduce((a, d) => a + d.amountFen, 0)).toBe(count.amountFen - c.journal.amountFen);
          const report = reconcileCollection({ ...c, counted: count }, received);
          expect(report.explained).toBe(report.differences.every((d) => d.kind === 'unattributed-cash' || d.kind === 'not-booked'));
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe('a kiosk\'s day', () => {
  const date = '2026-11-22';

  it('sets what the kiosk took that day against what the ledger booked into its box, every difference explained or not', () => {
    const sameDay = event();
    // Taken late on the 22nd (Shanghai), relayed and booked on the 24th as the person's credit.
    const lateBooked = event({ kioskAt: '2026-11-22T15:30:00.000Z', ledgerAt: '2026-11-24T01:00:00.000Z', reason: 'credit: paid-at-before-window' });
    // Taken on the 21st, booked today.
    const earlier = event({ kioskAt: '2026-11-21T03:00:00.000Z', ledgerAt: '2026-11-22T03:00:00.000Z', amountFen: 10_000 });
    const refused = event({ outcome: 'refused', reason: 'person-not-found', ledgerAt: null, amountFen: 30_000 });
    const events = [sameDay, lateBooked, earlier, refused];
    const ledgerIn = [
      { id: sameDay.id, amountFen: sameDay.amountFen, at: sameDay.ledgerAt!, code: 'contribution.individual' },
      { id: earlier.id, amountFen: earlier.amountFen, at: earlier.ledgerAt!, code: 'contribution.individual' },
      { id: '01a20562-9ad7-7028-b880-ffffffffffff', amountFen: 700, at: '2026-11-22T05:00:00.000Z', code: 'correction' },
    ];
    const day = reconcileDay({ terminalId: 'kiosk-01', date, events, ledgerIn, ledgerCollectedFen: 0, collections: [] });
    expect(day.journal).toEqual({ payments: { count: 3, amountFen: 70_000 }, credits: { count: 0, amountFen: 0 }, amountFen: 70_000 });
    expect(day.ledger).toEqual({ inFen: 30_700, collectedFen: 0 });
    expect(day.differences.map((d) => [d.kind, d.amountFen, d.explained, d.payments.map((p) => p.id)])).toEqual([
      ['booked-on-other-day', 20_000, true, [lateBooked.id]],
      ['booked-on-other-day', -10_000, true, [earlier.id]],
      ['not-booked', 30_000, true, [refused.id]],
      ['ledger-not-journaled', -700, false, []],
    ]);
    expect(day.differences.reduce((a, d) => a + d.amountFen, 0)).toBe(day.journal.amountFen - day.ledger.inFen);
    expect(day.explained).toBe(false);
  });

  it('carries each collection of the day and what was counted of it', () => {
    const events = [event()];
    const c = collection(events);
    const report = reconcileCollection({ ...c, counted: counted([{ denominationFen: 10_000, count: 1 }]) }, events);
    const day = reconcileDay({ terminalId: 'kiosk-01', date, events, ledgerIn: [{ id: events[0]!.id, amountFen: 20_000, at: events[0]!.ledgerAt!, code: 'contribution.individual' }], ledgerCollectedFen: 20_000, collections: [report] });
    expect(day).toMatchObject({ countedFen: 10_000, ledger: { inFen: 20_000, collectedFen: 20_000 }, explained: false });
    expect(day.differences).toEqual([expect.objectContaining({ kind: 'count-shortage', collectionId: c.id, amountFen: -10_000 })]);
  });
});
