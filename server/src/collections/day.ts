// A kiosk's day, reconciled (issue 13 section 2: "a reconciliation report
// per kiosk per day"): the payments and credits it took that day (Asia/
// Shanghai), the cash the ledger booked into its box that day, and the
// collections started that day, each against its count.
import { cashBoxAccountId, TRANSFER_QUERY_MAX_LIMIT, type Ledger, type Transfer } from '../ledger/index.js';
import { shanghaiMidnightMs } from '../registry/time.js';
import { isCollectionCode, COLLECTION_CODES } from './postings.js';
import { reconcileDay, type DayReconciliation, type LedgerCashIn } from './reconcile.js';
import type { CashCollections, CollectionReport } from './service.js';

const DAY_MS = 86_400_000;
/** Pages of the ledger's transfers read for one cash box and day at most (a day is far fewer). */
export const DAY_TRANSFER_PAGES_LIMIT = 10;

export type DayReport = Omit<DayReconciliation, 'collections'> & { collections: CollectionReport[] };

/** The cash box's transfers on a day, page by page. */
function boxTransfers(ledger: Ledger, terminalId: string, fromIso: string, toIso: string): Transfer[] {
  const accountId = cashBoxAccountId(terminalId);
  if (!ledger.getAccount(accountId)) return [];
  const out: Transfer[] = [];
  let afterSeq = 0;
  for (let page = 0; page < DAY_TRANSFER_PAGES_LIMIT; page++) {
    const batch = ledger.transfers({ accountId, from: fromIso, to: toIso, limit: TRANSFER_QUERY_MAX_LIMIT, afterSeq });
    out.push(...batch);
    if (batch.length < TRANSFER_QUERY_MAX_LIMIT) return out;
    afterSeq = batch.at(-1)!.seq;
  }
  return out;
}

export function dayReport(deps: { collections: CashCollections; ledger: Ledger }, terminalId: string, date: string): DayReport {
  const fromMs = shanghaiMidnightMs(date);
  const fromIso = new Date(fromMs).toISOString();
  const toIso = new Date(fromMs + DAY_MS).toISOString();
  const box = cashBoxAccountId(terminalId);
  const transfers = boxTransfers(deps.ledger, terminalId, fromIso, toIso);
  const ledgerIn: LedgerCashIn[] = transfers
    .filter((t) => t.debitAccountId === box && !isCollectionCode(t.code))
    .map((t) => ({ id: t.id, amountFen: t.amountFen, at: t.at, code: t.code }));
  const ledgerCollectedFen = transfers.filter((t) => t.code === COLLECTION_CODES.inTransit).reduce((a, t) => a + t.amountFen, 0);
  const collections = deps.collections.records(terminalId, { fromIso, toIso }).reverse().map((r) => deps.collections.reconcileRecord(r));
  const day = reconcileDay({ terminalId, date, events: deps.collections.eventsBetween(terminalId, fromIso, toIso), ledgerIn, ledgerCollectedFen, collections });
  return { ...day, collections };
}
