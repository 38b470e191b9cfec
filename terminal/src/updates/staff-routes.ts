// /api/staff/updates on the kiosk's local API (protocol maintenance-updates.ts):
// the update status and an update from a USB stick, for staff only: a staff
// card whose PIN the card accepted is in the reader (`staffPresent`).
import express, { type Router } from 'express';
import type { Logger } from 'pino';
import { STAFF_UPDATE_ROUTES, usbUpdateBodySchema, type StaffUpdateRefusal } from '@nongbao/protocol';
import type { UpdateAgent } from './agent.js';
import type { KioskRoot } from './layout.js';
import { updateFromFolder } from './usb.js';

const BASE = STAFF_UPDATE_ROUTES.status.path;

export function staffUpdateRoutes(deps: { root: KioskRoot; agent: UpdateAgent; staffPresent: () => boolean; logger: Logger }): { path: string; router: Router } {
  const router = express.Router();
  const refuse = (res: express.Response, code: StaffUpdateRefusal, message: string): void => {
    res.status(code === 'staff-only' ? 403 : 409).json({ error: { code, message } });
  };
  router.use((_req, res, next) => {
    if (deps.staffPresent()) return next();
    refuse(res, 'staff-only', 'insert a staff card and enter its PIN');
  });
  router.get('/', (_req, res) => {
    res.json(deps.agent.status());
  });
  router.post('/usb', async (req, res) => {
    const body = usbUpdateBodySchema.safeParse(req.body);
    if (!body.success) {
      res.status(400).json({ error: { code: 'bad-request', message: 'body must be {"folder": "<absolute path of the stick\'s folder>"}' } });
      return;
    }
    if (!deps.agent.status().supervised) return refuse(res, 'unsupervised', 'this terminal runs without a supervisor (nongbao kiosk run) and cannot switch versions');
    const outcome = await updateFromFolder(deps.root, deps.agent, body.data.folder);
    deps.logger.info({ event: 'update.usb', folder: body.data.folder, ...(outcome.ok ? { staged: outcome.result.staged } : { refusal: outcome.refusal }) });
    if (!outcome.ok) return refuse(res, outcome.refusal, `no update from ${body.data.folder}: ${outcome.refusal}`);
    res.json(outcome.result);
  });
  return { path: BASE, router };
}
