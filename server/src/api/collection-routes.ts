// The office API for cash-box collections (issue 13 section 2): the
// collections kiosks relayed, the count an operator records against one
// (which settles it in the ledger), the reconciliation per collection and
// per kiosk and day as JSON and CSV, and resolving the alarms an unexplained
// difference raised on the fleet.
import { z } from 'zod';
import { noteCountsSchema, terminalIdSchema, uuidV7Schema } from '@nongbao/protocol';
import type { GatewayState } from '../app.js';
import type { Registry } from '../registry/index.js';
import { isCalendarDate, shanghaiDate } from '../registry/time.js';
import { CashCollections, type CollectionReport } from '../collections/service.js';
import { dayReport } from '../collections/day.js';
import { CollectionError } from '../collections/errors.js';
import { ApiError } from './errors.js';
import { collectionCsvLines, dayCsvLines } from './reconciliation-csv.js';
import type { HandlerOutput, RouteSpec } from './routes.js';

const json = (status: number, body: unknown): HandlerOutput => ({ status, json: body });

const dateText = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD').refine(isCalendarDate, 'not a calendar date');
const alarmIdText = z.string().regex(/^[1-9]\d{0,15}$/, 'a positive whole number').transform(Number);

/** `?collectionId=` for one collection, or `?terminalId=&date=` for a kiosk's day (all three: that collection, checked against both). */
export const reconciliationQuerySchema = z
  .strictObject({ collectionId: uuidV7Schema.optional(), terminalId: terminalIdSchema.optional(), date: dateText.optional() })
  .superRefine((q, ctx) => {
    if (q.collectionId === undefined && (q.terminalId === undefined || q.date === undefined)) {
      ctx.addIssue({ code: 'custom', path: [q.terminalId === undefined ? 'terminalId' : 'date'], message: 'give collectionId, or terminalId and date' });
    }
  });
export const collectionsQuerySchema = z.strictObject({ terminalId: terminalIdSchema.optional() });
/** What the office counted: notes by denomination (a count of 0 may be left out), and what the operator notes. */
export const countBodySchema = z.strictObject({
  notes: noteCountsSchema,
  note: z.string().trim().min(1).max(500).optional(),
});
export const resolveAlarmSchema = z.strictObject({ note: z.string().trim().min(4).max(500) });
const collectionParams = z.strictObject({ collectionId: uuidV7Schema });
const alarmParams = z.strictObject({ terminalId: terminalIdSchema, alarmId: alarmIdText });

type ReconciliationQuery = z.infer<typeof reconciliationQuerySchema>;

/** One row of GET /collections: what the office needs to pick a collection to count or look into. */
export interface CollectionListItem {
  collectionId: string;
  terminalId: string;
  startedAt: string;
  status: 'in-transit' | 'counted';
  journalFen: number;
  ledgerFen: number;
  countedFen: number | null;
  explained: boolean;
  openAlarms: number;
}

export function collectionRoutes(registry: Registry, gateway: GatewayState): RouteSpec[] {
  const { db, ledger, logger, now } = registry.context;
  const collections = new CashCollections({ db, ledger, alarms: gateway.fleet, logger: logger.child({ component: 'collections' }), now });
  const known = (terminalId: string): void => {
    if (gateway.fleet.list({ terminalId }).length === 0) throw new ApiError(404, 'not-found', `no terminal ${terminalId}`, 'terminalId');
  };
  /** The collection the query names, checked against its terminal and day when those are given too. */
  const collectionOf = (q: ReconciliationQuery & { collectionId: string }): CollectionReport => {
    const report = collections.report(q.collectionId);
    if ((q.terminalId !== undefined && report.terminalId !== q.terminalId) || (q.date !== undefined && shanghaiDate(report.startedAt) !== q.date)) {
      throw new CollectionError('collection-not-found', `collection ${q.collectionId} is not ${q.terminalId ?? 'this kiosk'}'s on ${q.date ?? 'that day'}`, 'collectionId');
    }
    return report;
  };
  const day = (q: ReconciliationQuery) => {
    known(q.terminalId!);
    return dayReport({ collections, ledger }, q.terminalId!, q.date!);
  };
  return [
    {
      method: 'get',
      path: '/collections',
      summary: 'Cash-box collections kiosks relayed, newest first (?terminalId= for one kiosk): journal, ledger and counted amounts, open alarms',
      access: 'auditor',
      query: collectionsQuerySchema,
      success: { status: 200, description: '{ collections: [{ collectionId, terminalId, startedAt, status, journalFen, ledgerFen, countedFen, explained, openAlarms }] }' },
      handler: ({ query }) => {
        const q = query as z.infer<typeof collectionsQuerySchema>;
        const list = collections.records(q.terminalId ?? null).map((r): CollectionListItem => {
          const c = collections.reconcileRecord(r);
          const openAlarms = c.alarms.filter((a) => a.resolvedAt === null).length;
          return { collectionId: c.collectionId, terminalId: c.terminalId, startedAt: c.startedAt, status: c.status, journalFen: c.journalFen, ledgerFen: c.ledgerFen, countedFen: c.countedFen, explained: c.explained, openAlarms };
        });
        return json(200, { collections: list });
      },
    },
    {
      method: 'post',
      path: '/collections/:collectionId/count',
      summary:
        'Record the cash counted at the office against a collection (notes by denomination): settles it into the collection account, a shortage or surplus into the difference account; once per collection',
      access: 'operator',
      params: collectionParams,
      body: countBodySchema,
      success: { status: 200, description: 'the collection reconciled: journal, ledger and counted cash, every difference with the payments behind it, alarms' },
      handler: ({ params, body, user }) => {
        const b = body as z.infer<typeof countBodySchema>;
        const report = collections.recordCount((params as { collectionId: string }).collectionId, { notes: b.notes, by: user?.username ?? 'unknown', note: b.note ?? null });
        return json(200, report);
      },
    },
    {
      method: 'get',
      path: '/reconciliation',
      summary: 'Journal vs ledger vs counted cash: ?collectionId= for one collection, ?terminalId=&date= for a kiosk and day; every difference with the payments behind it, explained or not',
      access: 'auditor',
      query: reconciliationQuerySchema,
      success: { status: 200, description: "{ kind: 'collection', ...CollectionReport } or { kind: 'day', ...DayReport }" },
      handler: ({ query }) => {
        const q = query as ReconciliationQuery;
        if (q.collectionId !== undefined) return json(200, { kind: 'collection', ...collectionOf({ ...q, collectionId: q.collectionId }) });
        return json(200, { kind: 'day', ...day(q) });
      },
    },
    {
      method: 'get',
      path: '/reconciliation.csv',
      summary: 'The reconciliation of ?collectionId= or ?terminalId=&date= as CSV (UTF-8 with BOM, CRLF): one row per payment behind each difference',
      access: 'auditor',
      query: reconciliationQuerySchema,
      success: { status: 200, description: 'section,terminalId,date,collectionId,status,journalFen,ledgerFen,countedFen,between,kind,explained,...', csv: true },
      handler: ({ query }) => {
        const q = query as ReconciliationQuery;
        if (q.collectionId !== undefined) {
          return { status: 200, csvLines: collectionCsvLines(collectionOf({ ...q, collectionId: q.collectionId })), filename: `reconciliation-${q.collectionId}.csv` };
        }
        return { status: 200, csvLines: dayCsvLines(day(q)), filename: `reconciliation-${q.terminalId}-${q.date}.csv` };
      },
    },
    {
      method: 'post',
      path: '/terminals/:terminalId/reconciliation-alarms/:alarmId/resolve',
      summary: 'Resolve a cash-box reconciliation alarm (say what was found and done in `note`)',
      access: 'operator',
      params: alarmParams,
      body: resolveAlarmSchema,
      success: { status: 200, description: '{ terminalId, alarmId, resolved: true }' },
      handler: ({ params, body, user }) => {
        const { terminalId, alarmId } = params as { terminalId: string; alarmId: number };
        if (!gateway.fleet.resolveReconciliationAlarm(terminalId, alarmId, user?.username ?? 'unknown', (body as { note: string }).note)) {
          throw new CollectionError('alarm-not-found', `no open reconciliation alarm ${alarmId} at ${terminalId}`, 'alarmId');
        }
        return json(200, { terminalId, alarmId, resolved: true });
      },
    },
  ];
}
