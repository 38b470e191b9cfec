// The kiosk UI's only door: HTTP + socket.io on 127.0.0.1. The UI never
// touches a device and never talks to the server; it shows the session's
// state and sends what the person touched.
import express, { type Request, type Response, type NextFunction } from 'express';
import { createServer, type Server as HttpServer } from 'node:http';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Server as SocketServer } from 'socket.io';
import type { Logger } from 'pino';
import { z } from 'zod';
import { LocalOrigin, type LocalOriginRefusal } from './local-origin.js';
import type { KioskSession, KioskState } from './session.js';

const BODY_LIMIT = '4kb';

/** Demo-only device panel: lets a person insert one of the demo cards. */
export interface DemoPanel {
  cards(): Array<{ cardNumber: string; maskedName: string; kind: 'resident' | 'staff'; villageName: string; note?: string }>;
  insert(cardNumber: string): Promise<{ ok: true } | { ok: false; reason: 'unknown-card' | 'slot-busy' }>;
  remove(): Promise<void>;
  /** How the demo card reaches the driver: 'pcscd' or 'in-process'. */
  cardPath: string;
  pin: string;
  /** The simulated HID PIN pad's keys, when the demo runs with one. */
  pinPad?: { press(key: DemoPinPadKey): void };
  /** The simulated cash devices: notes into the acceptor, faults, the printer's paper. */
  cash?: {
    insertNote(yuan: number): Promise<string>;
    fault(kind: DemoFault): Promise<void>;
    setPaper(paper: 'ok' | 'out'): Promise<void>;
  };
}

export const DEMO_FAULTS = ['jam', 'clearJam', 'stackerRemoved', 'stackerInserted'] as const;
export const DEMO_PIN_PAD_KEYS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'enter', 'cancel', 'clear', 'backspace'] as const;
export type DemoPinPadKey = (typeof DEMO_PIN_PAD_KEYS)[number];
export type DemoFault = (typeof DEMO_FAULTS)[number];

export interface LocalApiOptions {
  session: KioskSession;
  host: string;
  port: number;
  uiDir: string;
  logger: Logger;
  status: () => { serverConnected: boolean; terminalId: string };
  demo?: DemoPanel;
  /** Routers mounted under their own paths (e.g. the staff's /api/staff/updates), before the API's 404. */
  mounts?: Array<{ path: string; router: express.Router }>;
}

export interface LocalApi {
  url: string;
  port: number;
  close(): Promise<void>;
}

const pinBodySchema = z.object({ pin: z.string().max(12) }).strict();
const insertBodySchema = z.object({ cardNumber: z.string().min(1).max(16) }).strict();
const actionBodySchema = z.object({ action: z.enum(['pay', 'back', 'cancel-payment', 'done', 'publicity', 'certify']) }).strict();
const payBodySchema = z.object({ tierYuan: z.number().int().positive().max(1_000_000) }).strict();
const noteBodySchema = z.object({ yuan: z.number().int().positive().max(1000) }).strict();
const faultBodySchema = z.object({ fault: z.enum(DEMO_FAULTS) }).strict();
const paperBodySchema = z.object({ paper: z.enum(['ok', 'out']) }).strict();
const pinPadKeyBodySchema = z.object({ key: z.enum(DEMO_PIN_PAD_KEYS) }).strict();

function publicState(state: KioskState, options: LocalApiOptions) {
  return { ...state, ...options.status(), demo: options.demo !== undefined };
}

export async function startLocalApi(options: LocalApiOptions): Promise<LocalApi> {
  const app = express();
  app.disable('x-powered-by');
  // Only the kiosk's own page (local-origin.ts: no DNS rebinding); the names are known once listening.
  const localOrigin = new LocalOrigin();
  const onRefused = (refusal: LocalOriginRefusal, req: { url?: string }) =>
    options.logger.warn({ event: 'local_api.refused', code: refusal.code, url: req.url });
  app.use(localOrigin.httpGuard(onRefused));
  app.use(express.json({ limit: BODY_LIMIT }));

  app.get('/api/state', (_req, res) => {
    res.json(publicState(options.session.state, options));
  });

  app.post('/api/pin', async (req, res) => {
    const parsed = pinBodySchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: { code: 'bad-request', message: 'body must be {"pin": "<6 digits>"}' } });
      return;
    }
    if (options.session.usesPinPad) {
      // The PIN pad is the only way in where there is one: the touchscreen is easier to watch.
      res.status(409).json({ error: { code: 'use-pin-pad', message: 'this kiosk takes the PIN on its PIN pad' } });
      return;
    }
    const result = await options.session.enterPin(parsed.data.pin);
    if (!result.accepted) {
      res.status(409).json({ error: { code: result.reason, message: `PIN not taken: ${result.reason}` } });
      return;
    }
    res.json({ ok: true });
  });

  app.post('/api/action', async (req, res) => {
    const parsed = actionBodySchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: { code: 'bad-request', message: 'body must be {"action": "pay" | "back" | "cancel-payment" | "done" | "publicity" | "certify"}' } });
      return;
    }
    const result = await options.session.act(parsed.data.action);
    if (!result.accepted) {
      res.status(409).json({ error: { code: result.reason, message: `action not taken now: ${result.reason}` } });
      return;
    }
    res.json({ ok: true });
  });

  app.post('/api/pay', async (req, res) => {
    const parsed = payBodySchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: { code: 'bad-request', message: 'body must be {"tierYuan": <whole yuan>}' } });
      return;
    }
    const result = await options.session.payTier(parsed.data.tierYuan);
    if (!result.accepted) {
      res.status(409).json({ error: { code: result.reason, message: `payment not started: ${result.reason}` } });
      return;
    }
    res.json({ ok: true });
  });

  if (options.demo) {
    const demo = options.demo;
    const pinPad = demo.pinPad;
    if (pinPad) {
      app.post('/api/demo/pinpad', (req, res) => {
        const parsed = pinPadKeyBodySchema.safeParse(req.body);
        if (!parsed.success) {
          res.status(400).json({ error: { code: 'bad-request', message: 'body must be {"key": "0".."9" | "enter" | "cancel" | "clear" | "backspace"}' } });
          return;
        }
        pinPad.press(parsed.data.key);
        res.json({ ok: true });
      });
    }
    const cash = demo.cash;
    if (cash) {
      app.post('/api/demo/note', async (req, res) => {
        const parsed = noteBodySchema.safeParse(req.body);
        if (!parsed.success) {
          res.status(400).json({ error: { code: 'bad-request', message: 'body must be {"yuan": 1 | 5 | 10 | 20 | 50 | 100}' } });
          return;
        }
        res.json({ outcome: await cash.insertNote(parsed.data.yuan) });
      });
      app.post('/api/demo/fault', async (req, res) => {
        const parsed = faultBodySchema.safeParse(req.body);
        if (!parsed.success) {
          res.status(400).json({ error: { code: 'bad-request', message: `body must be {"fault": ${DEMO_FAULTS.map((f) => `"${f}"`).join(' | ')}}` } });
          return;
        }
        await cash.fault(parsed.data.fault);
        res.json({ ok: true });
      });
      app.post('/api/demo/printer', async (req, res) => {
        const parsed = paperBodySchema.safeParse(req.body);
        if (!parsed.success) {
          res.status(400).json({ error: { code: 'bad-request', message: 'body must be {"paper": "ok" | "out"}' } });
          return;
        }
        await cash.setPaper(parsed.data.paper);
        res.json({ ok: true });
      });
    }
    app.get('/api/demo/cards', (_req, res) => {
      res.json({ cards: demo.cards(), cardPath: demo.cardPath, pin: demo.pin, cash: demo.cash !== undefined, pinPad: demo.pinPad !== undefined });
    });
    app.post('/api/demo/card', async (req, res) => {
      const parsed = insertBodySchema.safeParse(req.body);
      if (!parsed.success) {
        res.status(400).json({ error: { code: 'bad-request', message: 'body must be {"cardNumber": "..."}' } });
        return;
      }
      const result = await demo.insert(parsed.data.cardNumber);
      if (!result.ok) {
        res.status(result.reason === 'unknown-card' ? 404 : 409).json({ error: { code: result.reason, message: result.reason } });
        return;
      }
      res.json({ ok: true });
    });
    app.delete('/api/demo/card', async (_req, res) => {
      await demo.remove();
      res.json({ ok: true });
    });
  }

  for (const mount of options.mounts ?? []) app.use(mount.path, mount.router);

  app.use('/api', (_req, res) => {
    res.status(404).json({ error: { code: 'not-found', message: 'no such local API route' } });
  });

  if (existsSync(join(options.uiDir, 'index.html'))) {
    app.use(express.static(options.uiDir, { index: 'index.html', maxAge: 0 }));
  } else {
    app.get('/', (_req, res) => {
      res
        .status(503)
        .type('text/plain')
        .send(`The kiosk UI is not built (${options.uiDir} has no index.html). Run: npm run build:ui`);
    });
  }

  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (error as { status?: number }).status ?? 500;
    if (status >= 500) options.logger.error({ event: 'local_api.error', err: error });
    res.status(status).json({ error: { code: status === 413 ? 'too-large' : status < 500 ? 'bad-request' : 'internal', message: status < 500 ? (error as Error).message : 'internal error' } });
  });

  const http: HttpServer = createServer(app);
  const io = new SocketServer(http, { serveClient: false, maxHttpBufferSize: 16 * 1024, allowRequest: localOrigin.socketGuard(onRefused) });
  io.on('connection', (socket) => {
    socket.emit('state', publicState(options.session.state, options));
  });
  const onState = (state: KioskState) => io.emit('state', publicState(state, options));
  options.session.on('state', onState);

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host, () => resolve());
  });
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  localOrigin.listeningOn(options.host, port);
  const url = `http://${options.host}:${port}`;
  options.logger.info({ event: 'local_api.listening', url });
  return {
    url,
    port,
    close: async () => {
      options.session.off('state', onState);
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

