// The ledger's transfers for a cash-box collection (issue 13 section 2), as
// pure functions. Each chain is linked (all or none) and its ids are derived
// from the collection id, so booking it again answers `exists`.
//
// When the collection arrives, with J what the kiosk's journal says the box
// held and L the ledger's cash-box balance:
//   J > L: cash box <- difference   J - L  (cash the ledger never booked: unattributed notes, refused payments)
//          in transit <- cash box   J
//   L > J: in transit <- cash box   J
//          difference <- cash box   L - J  (cash the ledger booked and the journal does not count)
// so the cash box is empty, as the box is, and in transit holds J.
// When the office counts C:
//   collection <- in transit   C
//   difference <- in transit   J - C  (a shortage)   or   in transit <- difference   C - J  (a surplus)
// so in transit is back to nothing for this collection.
import { FUND, cashBoxAccountId, type TransferInput } from '../ledger/index.js';
import { derivedUuidV7 } from '../registry/ids.js';

export const COLLECTION_CODES = Object.freeze({
  unbookedCash: 'collection.unbooked-cash',
  inTransit: 'collection.in-transit',
  unjournaledCash: 'collection.unjournaled-cash',
  counted: 'collection.counted',
  shortage: 'collection.shortage',
  surplus: 'collection.surplus',
} as const);

/** Whether a transfer on a cash box is a collection's (not cash a payment or credit put in). */
export function isCollectionCode(code: string): boolean {
  return code.startsWith('collection.');
}

function link(transfers: TransferInput[]): TransferInput[] {
  return transfers.map((t, i) => (i < transfers.length - 1 ? { ...t, linked: true } : t));
}

function idOf(collectionId: string, at: string, part: string): string {
  return derivedUuidV7(Date.parse(at), `collection:${collectionId}|${part}`);
}

export function collectionTransfers(c: { collectionId: string; terminalId: string; journalFen: number; ledgerFen: number; at: string }): TransferInput[] {
  const box = cashBoxAccountId(c.terminalId);
  const meta = { collectionId: c.collectionId, terminalId: c.terminalId, journalFen: c.journalFen, ledgerFen: c.ledgerFen };
  const common = { at: c.at, meta };
  const out: TransferInput[] = [];
  if (c.journalFen > c.ledgerFen) {
    out.push({ ...common, id: idOf(c.collectionId, c.at, 'unbooked'), debitAccountId: box, creditAccountId: FUND.collectionDifference, amountFen: c.journalFen - c.ledgerFen, code: COLLECTION_CODES.unbookedCash });
  }
  if (c.journalFen > 0) {
    out.push({ ...common, id: idOf(c.collectionId, c.at, 'in-transit'), debitAccountId: FUND.inTransit, creditAccountId: box, amountFen: c.journalFen, code: COLLECTION_CODES.inTransit });
  }
  if (c.ledgerFen > c.journalFen) {
    out.push({ ...common, id: idOf(c.collectionId, c.at, 'unjournaled'), debitAccountId: FUND.collectionDifference, creditAccountId: box, amountFen: c.ledgerFen - c.journalFen, code: COLLECTION_CODES.unjournaledCash });
  }
  return link(out);
}

export function countTransfers(c: { collectionId: string; terminalId: string; journalFen: number; countedFen: number; at: string }): TransferInput[] {
  const meta = { collectionId: c.collectionId, terminalId: c.terminalId, journalFen: c.journalFen, countedFen: c.countedFen };
  const common = { at: c.at, meta };
  const out: TransferInput[] = [];
  if (c.countedFen > 0) {
    out.push({ ...common, id: idOf(c.collectionId, c.at, 'counted'), debitAccountId: FUND.collection, creditAccountId: FUND.inTransit, amountFen: c.countedFen, code: COLLECTION_CODES.counted });
  }
  if (c.journalFen > c.countedFen) {
    out.push({ ...common, id: idOf(c.collectionId, c.at, 'shortage'), debitAccountId: FUND.collectionDifference, creditAccountId: FUND.inTransit, amountFen: c.journalFen - c.countedFen, code: COLLECTION_CODES.shortage });
  }
  if (c.countedFen > c.journalFen) {
    out.push({ ...common, id: idOf(c.collectionId, c.at, 'surplus'), debitAccountId: FUND.inTransit, creditAccountId: FUND.collectionDifference, amountFen: c.countedFen - c.journalFen, code: COLLECTION_CODES.surplus });
  }
  return link(out);
}
