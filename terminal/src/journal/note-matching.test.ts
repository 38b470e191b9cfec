import { describe, expect, it } from 'vitest';
import { matchCreditedNote, type StackingNote } from './note-matching.js';

const note = (over: Partial<StackingNote>): StackingNote => ({
  paymentId: 'p1',
  escrowCounter: 1,
  amountFen: 10_000,
  decidedAt: '2026-12-05T10:00:00.000Z',
  paymentOpen: true,
  paymentDueFen: 20_000,
  paymentStackedFen: 0,
  ...over,
});

describe('matching an acceptor credit to the note journaled for it', () => {
  it('confirms the oldest note of that amount being stacked for an open payment', () => {
    const older = note({ escrowCounter: 1, decidedAt: '2026-12-05T10:00:00.000Z' });
    const newer = note({ escrowCounter: 2, decidedAt: '2026-12-05T10:00:01.000Z' });
    expect(matchCreditedNote([newer, older], 10_000)).toBe(older);
  });

  it('never matches a note of another amount', () => {
    expect(matchCreditedNote([note({ amountFen: 5_000 })], 10_000)).toBeUndefined();
  });

  it('never matches a note of a payment that is closed', () => {
    expect(matchCreditedNote([note({ paymentOpen: false })], 10_000)).toBeUndefined();
  });

  it('never takes a payment past what is due: that credit is unattributed cash', () => {
    expect(matchCreditedNote([note({ paymentStackedFen: 15_000 })], 10_000)).toBeUndefined();
    expect(matchCreditedNote([note({ paymentStackedFen: 10_000 })], 10_000)).toBeDefined();
  });

  it('finds nothing when nobody was stacking', () => {
    expect(matchCreditedNote([], 10_000)).toBeUndefined();
  });
});
