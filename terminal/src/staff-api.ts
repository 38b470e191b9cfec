// The staff routes of the kiosk's local API (protocol maintenance.ts): cash-
// box collection (issue 13 section 2). Mounted by local-api.ts behind the
// same local-origin guard and JSON body limit as every other route; each
// answers only a staff card signed in with its PIN.
import { Router, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { STAFF_API_ROUTES, staffEmptyBodySchema, type StaffRefusal } from '@nongbao/protocol/maintenance';
import type { CollectionDesk } from './collection.js';

export interface StaffApiDeps {
  /** The staff member signed in (staff card + PIN), or null. */
  staffMember: () => { cardNumber: string } | null;
  /** Absent on a kiosk without cash devices. */
  collections: CollectionDesk | undefined;
  logger: Logger;
}

const REFUSAL_MESSAGES: Record<StaffRefusal, string> = {
  'not-staff': 'sign in with a staff card and its PIN first',
  'no-cash-devices': 'this kiosk has no bill acceptor and printer',
  'collection-in-progress': 'a collection is in progress: finish it (put the cash box back) first',
  'payment-in-progress': 'a payment is open or ending: wait for it to end',
  'printer-unavailable': 'the printer cannot print the slip now (paper, cover or connection)',
  'no-collection': 'there is no collection to finish or reprint',
};

function refuse(res: Response, reason: StaffRefusal): void {
  res.status(409).json({ error: { code: reason, message: REFUSAL_MESSAGES[reason] } });
}

export function staffRouter(deps: StaffApiDeps): Router {
  const router = Router();
  /** The desk when a staff member is signed in and the kiosk has cash devices; otherwise refuses and returns undefined. */
  const desk = (req: Request, res: Response): { desk: CollectionDesk; staff: { cardNumber: string } } | undefined => {
    if (req.method === 'POST' && !staffEmptyBodySchema.safeParse(req.body).success) {
      res.status(400).json({ error: { code: 'bad-request', message: 'this route takes no fields: send {} or no body' } });
      return undefined;
    }
    const staff = deps.staffMember();
    if (!staff) return void refuse(res, 'not-staff');
    if (!deps.collections) return void refuse(res, 'no-cash-devices');
    return { desk: deps.collections, staff };
  };

  router.get(STAFF_API_ROUTES.collection.path, (req, res) => {
    const d = desk(req, res);
    if (d) res.json(d.desk.state());
  });

  router.post(STAFF_API_ROUTES.startCollection.path, async (req, res) => {
    const d = desk(req, res);
    if (!d) return;
    const started = await d.desk.start(d.staff);
    if (!started.ok) return refuse(res, started.reason);
    deps.logger.info({ event: 'staff.collection_started', collectionId: started.answer.collection.id, staffCardNumber: d.staff.cardNumber });
    res.json(started.answer);
  });

  router.post(STAFF_API_ROUTES.finishCollection.path, (req, res) => {
    const d = desk(req, res);
    if (!d) return;
    const finished = d.desk.finish();
    if (!finished.ok) return refuse(res, finished.reason);
    res.json({ collection: finished.collection });
  });

  router.post(STAFF_API_ROUTES.reprintCollectionSlip.path, async (req, res) => {
    const d = desk(req, res);
    if (!d) return;
    const reprinted = await d.desk.reprint();
    if (!reprinted.ok) return refuse(res, reprinted.reason);
    res.json(reprinted.answer);
  });
  return router;
}
