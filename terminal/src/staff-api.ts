// The staff routes of the kiosk's local API (protocol maintenance.ts): cash-
// box collection (issue 13 section 2), diagnostics and self-tests (section 1). Mounted by local-api.ts behind the
// same local-origin guard and JSON body limit as every other route; each
// answers only a staff card signed in with its PIN.
import { Router, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { Diagnostics } from '@nongbao/protocol';
import { STAFF_API_ROUTES, staffEmptyBodySchema, type SelfTestName, type StaffRefusal } from '@nongbao/protocol/maintenance';
import type { CollectionDesk } from './collection.js';
import type { SelfTests } from './diagnostics/self-tests.js';

export interface StaffApiDeps {
  /** The staff member signed in (staff card + PIN), or null. */
  staffMember: () => { cardNumber: string } | null;
  /** Absent on a kiosk without cash devices. */
  collections: CollectionDesk | undefined;
  diagnostics: () => Diagnostics;
  selfTests: SelfTests;
  logger: Logger;
}

const REFUSAL_MESSAGES: Record<StaffRefusal, string> = {
  'not-staff': 'sign in with a staff card and its PIN first',
  'no-cash-devices': 'this kiosk has no bill acceptor and printer',
  'collection-in-progress': 'a collection is in progress: finish it (put the cash box back) first',
  'payment-in-progress': 'a payment is open or ending: wait for it to end',
  'printer-unavailable': 'the printer cannot print the slip now (paper, cover or connection)',
  'no-collection': 'there is no collection to finish or reprint',
  'self-test-running': 'another self-test is running: wait for its result',
};

const SELF_TEST_ROUTES: Record<SelfTestName, string> = {
  printer: STAFF_API_ROUTES.selfTestPrinter.path,
  acceptor: STAFF_API_ROUTES.selfTestAcceptor.path,
  card: STAFF_API_ROUTES.selfTestCard.path,
  gateway: STAFF_API_ROUTES.selfTestGateway.path,
};

function refuse(res: Response, reason: StaffRefusal): void {
  res.status(409).json({ error: { code: reason, message: REFUSAL_MESSAGES[reason] } });
}

/** The staff member when one is signed in and a POST has no fields; otherwise answers the refusal and returns undefined. */
function signedIn(deps: StaffApiDeps, req: Request, res: Response): { cardNumber: string } | undefined {
  if (req.method === 'POST' && !staffEmptyBodySchema.safeParse(req.body).success) {
    res.status(400).json({ error: { code: 'bad-request', message: 'this route takes no fields: send {} or no body' } });
    return undefined;
  }
  const staff = deps.staffMember();
  if (!staff) return void refuse(res, 'not-staff');
  return staff;
}

/** Diagnostics and self-tests (issue 13 section 1): every answer comes from the monitor and the self-tests. */
function diagnosticsRoutes(router: Router, deps: StaffApiDeps): void {
  router.get(STAFF_API_ROUTES.diagnostics.path, (req, res) => {
    if (signedIn(deps, req, res)) res.json(deps.diagnostics());
  });
  for (const [test, path] of Object.entries(SELF_TEST_ROUTES) as [SelfTestName, string][]) {
    router.post(path, async (req, res) => {
      const staff = signedIn(deps, req, res);
      if (!staff) return;
      const ran = await deps.selfTests.run(test);
      if (!ran.ok) return refuse(res, ran.reason);
      res.json(ran.result);
    });
  }
}

export function staffRouter(deps: StaffApiDeps): Router {
  const router = Router();
  diagnosticsRoutes(router, deps);
  /** The desk when a staff member is signed in and the kiosk has cash devices; otherwise refuses and returns undefined. */
  const desk = (req: Request, res: Response): { desk: CollectionDesk; staff: { cardNumber: string } } | undefined => {
    const staff = signedIn(deps, req, res);
    if (!staff) return undefined;
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
