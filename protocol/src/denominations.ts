// The CNY notes a kiosk's acceptor takes and an office counts, without a
// schema library: the office console imports this alone (collection.ts
// builds the wire schemas on it).

/** The CNY notes a kiosk's acceptor takes and an office counts, fen (1, 5, 10, 20, 50, 100 yuan). */
export const CASH_NOTE_DENOMINATIONS_FEN = [100, 500, 1000, 2000, 5000, 10000] as const;
export type CashNoteDenominationFen = (typeof CASH_NOTE_DENOMINATIONS_FEN)[number];
