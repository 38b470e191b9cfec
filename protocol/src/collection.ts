// Cash-box collection (issue 13 section 2). Staff empty a kiosk's cash box;
// the kiosk journals what its journal says the box holds (the notes stacked
// since the last collection, by denomination, and the payments, credits and
// unattributed notes they came from) and relays it to the gateway like any
// other money event; the county office counts the cash against the
// collection's id. The ledger moves the box to collections in transit, then
// settles it into the collection account, a shortage or surplus into the
// difference account, and the reconciliation compares journal, ledger and
// counted cash.
import { z } from 'zod';
import { cardNumberSchema, fenSchema, isoDateTimeSchema, uuidV7Schema } from './fields.js';
import { CASH_NOTE_DENOMINATIONS_FEN } from './denominations.js';

export { CASH_NOTE_DENOMINATIONS_FEN, type CashNoteDenominationFen } from './denominations.js';

/**
 * Most notes of one denomination a count may state. A cassette holds about
 * 1 000 notes (server/src/kiosk/limits.ts); ten times that bounds a count
 * without refusing an oversized box the office really found.
 */
export const NOTE_COUNT_LIMIT = 10_000;

/** How many notes of one denomination. */
export const noteCountSchema = z.strictObject({
  denominationFen: z.literal(CASH_NOTE_DENOMINATIONS_FEN, { error: `a CNY note in fen: one of ${CASH_NOTE_DENOMINATIONS_FEN.join(', ')}` }),
  count: z.number({ error: 'a whole number of notes' }).int('a whole number of notes').nonnegative('0 or more notes').max(NOTE_COUNT_LIMIT),
});
export type NoteCount = z.infer<typeof noteCountSchema>;

/** Notes by denomination, each denomination at most once. */
export const noteCountsSchema = z
  .array(noteCountSchema)
  .max(CASH_NOTE_DENOMINATIONS_FEN.length)
  .superRefine((notes, ctx) => {
    const seen = new Set<number>();
    notes.forEach((n, i) => {
      if (seen.has(n.denominationFen)) ctx.addIssue({ code: 'custom', path: [i, 'denominationFen'], message: `denomination ${n.denominationFen} is listed twice` });
      seen.add(n.denominationFen);
    });
  });

/** The value of notes by denomination, fen. */
export function notesValueFen(notes: readonly NoteCount[]): number {
  return notes.reduce((sum, n) => sum + n.denominationFen * n.count, 0);
}

/** A count and its sum: the payments, credits or unattributed notes in a box. */
export const cashTallySchema = z.strictObject({
  count: z.number().int().nonnegative().max(NOTE_COUNT_LIMIT * CASH_NOTE_DENOMINATIONS_FEN.length),
  amountFen: fenSchema.nonnegative(),
});
export type CashTally = z.infer<typeof cashTallySchema>;

/**
 * `collection`: staff started emptying the cash box. Its id is the
 * collection id the slip's QR code carries and the office counts against.
 * `amountFen` is what the kiosk's journal says the box holds: the value of
 * `notes`, which is the payments', credits' and unattributed notes' sum.
 */
export const collectionEventSchema = z
  .object({
    kind: z.literal('collection'),
    id: uuidV7Schema,
    /** The kiosk's previous collection; null for its first. The server checks the chain. */
    previousId: uuidV7Schema.nullable(),
    startedAt: isoDateTimeSchema,
    /** The staff card that started it (printed on the slip too). */
    staffCardNumber: cardNumberSchema,
    notes: noteCountsSchema,
    amountFen: fenSchema.nonnegative(),
    /** Completed payments whose notes are in the box. */
    payments: cashTallySchema,
    /** Payments that ended short: their stacked notes are the person's credit, and in the box. */
    credits: cashTallySchema,
    /** Notes the acceptor stacked that no payment was taking (the journal's unattributed cash). */
    unattributed: cashTallySchema,
  })
  .superRefine((c, ctx) => {
    if (notesValueFen(c.notes) !== c.amountFen) ctx.addIssue({ code: 'custom', path: ['amountFen'], message: `is not the value of the notes (${notesValueFen(c.notes)} fen)` });
    const parts = c.payments.amountFen + c.credits.amountFen + c.unattributed.amountFen;
    if (parts !== c.amountFen) ctx.addIssue({ code: 'custom', path: ['amountFen'], message: `is not payments + credits + unattributed (${parts} fen)` });
  });
export type CollectionEvent = z.infer<typeof collectionEventSchema>;

/** What the collection slip's QR code holds: the collection id the office counts against. */
export function collectionQrText(collectionId: string): string {
  return `nongbao:collection:${collectionId}`;
}
