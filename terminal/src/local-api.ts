// The kiosk UI's only door: HTTP + socket.io on 127.0.0.1. The UI never
// touches a device and never talks to the server; it shows the session's
// state and sends what the person touched. Production routes only: the
// demo's device panel (demo-api.ts) is mounted by `nongbao demo` alone.
import express, { type Express, type Request, type Response, type NextFunction, type Router } from 'express';
import { createServer, type Server as HttpServer } from 'node:http';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Server as SocketServer } from 'socket.io';
import type { Logger } from 'pino';
import type { z } from 'zod';
import {
  LOCAL_API_BODY_BYTES_LIMIT,
  actionBodySchema,
  certifyBodySchema,
  complaintBodySchema,
  languageBodySchema,
  payBodySchema,
  pinBodySchema,
  type NavigationKey,
} from '@nongbao/protocol';
import { LocalOrigin, type LocalOriginRefusal } from './local-origin.js';
import type { KioskSession, KioskState, Outcome } from './session.js';
import { checkPhoto } from './photo-seal.js';
import { RECORDED_PROMPTS_URL, promptManifest } from './prompts.js';

/** socket.io messages from the UI: it sends none that matter, so a small cap. */
const SOCKET_BUFFER_BYTES = 16 * 1024;

export interface LocalApiOptions {
  session: KioskSession;
  host: string;
  port: number;
  uiDir: string;
  /** The county's recorded prompts (`nongbao prompts import`); served before the synthesized ones. */
  promptsDir?: string;
  logger: Logger;
  status: () => { serverConnected: boolean; terminalId: string };
  /** Routes only the demo mounts (demo-api.ts); the state says `demo: true` when present. */
  demoRoutes?: (app: Express) => void;
  /** More routers under their own paths (the staff's collection and update routes), behind the same guard and body limit, before the API's 404. */
  mounts?: Array<{ path: string; router: Router }>;
}

export interface LocalApi {
  url: string;
  port: number;
  close(): Promise<void>;
}

function publicState(state: KioskState, options: LocalApiOptions) {
  return { ...state, ...options.status(), demo: options.demoRoutes !== undefined };
}

/** Parses a body with its protocol schema: a 400 naming what the body must be, or the data. */
function body<S extends z.ZodType>(schema: S, req: Request, res: Response, shape: string): z.output<S> | undefined {
  const parsed = schema.safeParse(req.body);
  if (parsed.success) return parsed.data;
  res.status(400).json({ error: { code: 'bad-request', message: `body must be ${shape}` } });
  return undefined;
}

/** A session's answer: 200, or 409 with the refusal the UI tells the person about. */
function answer(res: Response, result: Outcome, what: string): void {
  if (result.accepted) res.json({ ok: true });
  else res.status(409).json({ error: { code: result.reason, message: `${what} not taken now: ${result.reason}` } });
}

function sessionRoutes(app: Express, options: LocalApiOptions): void {
  const session = options.session;
  app.get('/api/state', (_req, res) => {
    res.json(publicState(session.state, options));
  });
  app.get('/api/prompts', (_req, res) => {
    res.json(promptManifest(options.uiDir, options.promptsDir));
  });
  app.post('/api/pin', async (req, res) => {
    const b = body(pinBodySchema, req, res, '{"pin": "<6 digits>"}');
    if (!b) return;
    if (session.usesPinPad) {
      // The PIN pad is the only way in where there is one: the touchscreen is easier to watch.
      res.status(409).json({ error: { code: 'use-pin-pad', message: 'this kiosk takes the PIN on its PIN pad' } });
      return;
    }
    answer(res, await session.enterPin(b.pin), 'PIN');
  });
  app.post('/api/action', async (req, res) => {
    const b = body(actionBodySchema, req, res, '{"action": "<one of the session actions>"}');
    if (b) answer(res, await session.act(b.action), 'action');
  });
  app.post('/api/pay', async (req, res) => {
    const b = body(payBodySchema, req, res, '{"tierYuan": <whole yuan>}');
    if (b) answer(res, await session.payTier(b.tierYuan), 'payment');
  });
  app.post('/api/language', (req, res) => {
    const b = body(languageBodySchema, req, res, '{"language": "zh-Hans" | "zh-Hant" | "bo" | "en"}');
    if (b) answer(res, session.setLanguage(b.language), 'language');
  });
  app.post('/api/certify', (req, res) => {
    const b = body(certifyBodySchema, req, res, '{"month": "YYYY-MM" | null, "photoJpegBase64": "<JPEG, base64>" | null}');
    if (!b) return;
    const photo = b.photoJpegBase64 === null ? null : Buffer.from(b.photoJpegBase64, 'base64');
    if (photo && checkPhoto(photo)) {
      res.status(409).json({ error: { code: 'photo-not-jpeg', message: `the photo is not one the kiosk sends: ${checkPhoto(photo)}` } });
      return;
    }
    answer(res, session.certify(b.month, photo), 'certification');
  });
  app.post('/api/complaint', (req, res) => {
    const b = body(complaintBodySchema, req, res, '{"month": "YYYY-MM"}');
    if (b) answer(res, session.complain(b.month), 'complaint');
  });
}

function serveUi(app: Express, options: LocalApiOptions): void {
  if (options.promptsDir) app.use(RECORDED_PROMPTS_URL, express.static(options.promptsDir, { index: false, maxAge: 0 }));
  if (existsSync(join(options.uiDir, 'index.html'))) {
    app.use(express.static(options.uiDir, { index: 'index.html', maxAge: 0 }));
    return;
  }
  app.get('/', (_req, res) => {
    res.status(503).type('text/plain').send(`The kiosk UI is not built (${options.uiDir} has no index.html). Run: npm run build:ui`);
  });
}

export async function startLocalApi(options: LocalApiOptions): Promise<LocalApi> {
  const app = express();
  app.disable('x-powered-by');
  // Only the kiosk's own page (local-origin.ts: no DNS rebinding); the names are known once listening.
  const localOrigin = new LocalOrigin();
  const onRefused = (refusal: LocalOriginRefusal, req: { url?: string }) => options.logger.warn({ event: 'local_api.refused', code: refusal.code, url: req.url });
  app.use(localOrigin.httpGuard(onRefused));
  app.use(express.json({ limit: LOCAL_API_BODY_BYTES_LIMIT }));
  sessionRoutes(app, options);
  options.demoRoutes?.(app);
  for (const mount of options.mounts ?? []) app.use(mount.path, mount.router);
  app.use('/api', (_req, res) => {
    res.status(404).json({ error: { code: 'not-found', message: 'no such local API route' } });
  });
  serveUi(app, options);
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (error as { status?: number }).status ?? 500;
    if (status >= 500) options.logger.error({ event: 'local_api.error', err: error });
    res.status(status).json({ error: { code: status === 413 ? 'too-large' : status < 500 ? 'bad-request' : 'internal', message: status < 500 ? (error as Error).message : 'internal error' } });
  });

  const http: HttpServer = createServer(app);
  const io = new SocketServer(http, { serveClient: false, maxHttpBufferSize: SOCKET_BUFFER_BYTES, allowRequest: localOrigin.socketGuard(onRefused) });
  io.on('connection', (socket) => {
    socket.emit('state', publicState(options.session.state, options));
  });
  const onState = (state: KioskState) => io.emit('state', publicState(state, options));
  options.session.on('state', onState);
  const onKey = (key: NavigationKey) => io.emit('key', key);
  options.session.on('key', onKey);

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
      options.session.off('key', onKey);
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
