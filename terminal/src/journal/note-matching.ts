// Which escrowed note an acceptor's credit belongs to (ARCHITECTURE.md
// journey 2): each note is journaled 'stacking' before the stack command goes
// out; when the acceptor reports a credit of some amount, it confirms the
// oldest note of that amount being stacked for an open payment that still has
// room for it. Anything else (a credit nobody was stacking for, or one that
// would take a payment past what is due: an acceptor that stacked a note it
// was told to return) is unattributed cash for the cash-box reconciliation.

export interface StackingNote {
  paymentId: string;
  escrowCounter: number;
  amountFen: number;
  /** When the note was decided 'stack' (ISO): older first. */
  decidedAt: string;
  /** The payment's state, what is due and what it has stacked so far. */
  paymentOpen: boolean;
  paymentDueFen: number;
  paymentStackedFen: number;
}

/** The note a credit of `amountFen` confirms, or undefined when it is unattributed. */
export function matchCreditedNote(notes: readonly StackingNote[], amountFen: number): StackingNote | undefined {
  let best: StackingNote | undefined;
  for (const note of notes) {
    if (note.amountFen !== amountFen || !note.paymentOpen) continue;
    if (note.paymentStackedFen + note.amountFen > note.paymentDueFen) continue;
    if (best === undefined || note.decidedAt < best.decidedAt) best = note;
  }
  return best;
}
