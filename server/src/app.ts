// The server process: one database (SQLite, or PostgreSQL: sql/open.ts), the ledger, the office API, the
// terminal gateway (socket.io) and metrics, on one HTTP port.
import express, { type NextFunction, type Request, type Response } from 'express';
import { createServer, type Server as HttpServer } from 'node:http';
import { Server as SocketServer } from 'socket.io';
import type { Logger } from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { SqlDatabase } from './sql/types.js';
import { openServerDatabase, parseDatabaseSpec } from './sql/open.js';
import { withDatabaseLock } from './sql/locks.js';
import { attachGateway, createGatewayMetrics, Fleet, TerminalRegistry, type GatewayLimits } from './gateway/index.js';
import { EnrolAttempts } from './gateway/limits.js';
import type { KioskService } from './kiosk/index.js';
import { ServerChanges } from './shared/changes.js';
import { UpdateService, bundleDownloadRouter } from './updates/index.js';
import { GroupCommit } from './shared/group-commit.js';
import { joinGatewayCluster, type GatewayCluster } from './gateway/cluster.js';
import { MAX_MESSAGE_BYTES, describeZodError, enrolRequestSchema } from '@nongbao/protocol';
import { jsonBody } from './api/body.js';
import { isApiError, toErrorResponse, type ErrorBody } from './api/errors.js';
import { baseSecurityHeaders, consoleRouter } from './console-static.js';

const ENROL_BODY_LIMIT_BYTES = 4 * 1024;
/** The database lock the start-up migrations hold (sql/locks.ts). */
const SCHEMA_LOCK_NAME = 'nongbao-schema';

export interface ServerOptions {
  /** The database (sql/open.ts): a file path or sqlite:FILE (SQLite), or a postgres:// URL. */
  db: string;
  host: string;
  port: number;
  logger: Logger;
  /** Builds the services that need the database (registry, ledger, kiosk accounts, office API). */
  services: (db: SqlDatabase, gateway: GatewayState) => ServerServices;
  /** The gateway's edge limits (gateway/limits.ts defaults). */
  gatewayLimits?: GatewayLimits;
  /** The built office console (console/dist), served under /admin; none when absent. */
  consoleDir?: string;
  /**
   * PostgreSQL URL of the gateway cluster: gateway processes sharing this
   * database relay the office's changes to each other (gateway/cluster.ts).
   * By default the server's own database when it is PostgreSQL (any number of
   * gateways may share it); on SQLite this process is the only gateway.
   */
  clusterUrl?: string;
}

/** What the services share with the gateway: the terminal registry, the fleet and the change bus. */
export interface GatewayState {
  terminals: TerminalRegistry;
  fleet: Fleet;
  changes: ServerChanges;
  /** Published releases and their rollouts (issue 13 section 3). */
  updates: UpdateService;
}

export interface ServerServices {
  /** What the terminal gateway answers kiosks with: accounts, card checks, kiosk money. */
  kiosk: KioskService;
  /** The office API mounted at /api/v1 (after the terminal enrolment route). */
  apiRouter?: express.Router;
  close?: () => void;
}

export interface RunningServer {
  url: string;
  port: number;
  db: SqlDatabase;
  terminals: TerminalRegistry;
  fleet: Fleet;
  changes: ServerChanges;
  updates: UpdateService;
  close(): Promise<void>;
}

/** The answer to an error outside the office API (which has its own handler): the API's error body. */
function httpErrorResponse(error: unknown): { status: number; body: ErrorBody } {
  if (isApiError(error)) return toErrorResponse(error);
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, body: { error: { code: 'bad-request', message: (error as Error).message } } };
  }
  return { status: 500, body: { error: { code: 'internal', message: 'internal error' } } };
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { logger } = options;
  const db = await openServerDatabase(options.db);
  const changes = new ServerChanges();
  // Several server processes may start at once on one PostgreSQL database:
  // they make its tables one at a time (sql/locks.ts).
  const { terminals, fleet, updates, services } = withDatabaseLock(db, SCHEMA_LOCK_NAME, () => {
    const terminals = new TerminalRegistry(db);
    const fleet = new Fleet(db);
    const updates = new UpdateService(db);
    return { terminals, fleet, updates, services: options.services(db, { terminals, fleet, changes, updates }) };
  });

  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const gatewayMetrics = createGatewayMetrics(metrics);
  const enrolAttempts = new EnrolAttempts();

  const app = express();
  app.disable('x-powered-by');
  app.use(baseSecurityHeaders);
  if (options.consoleDir) app.use('/admin', consoleRouter(options.consoleDir));

  app.get('/healthz', (_req, res) => {
    db.prepare('SELECT 1').get();
    res.json({ ok: true });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.contentType).send(await metrics.metrics());
  });

  app.post('/api/v1/terminals/enrol', jsonBody(ENROL_BODY_LIMIT_BYTES), (req, res) => {
    const parsed = enrolRequestSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: { code: 'bad-request', message: describeZodError(parsed.error) } });
      return;
    }
    // Wrong codes are slowed down per address and per terminal id, before the code is looked at.
    const address = req.ip ?? 'unknown';
    const retryAfterSeconds = enrolAttempts.blockedForSeconds(address, parsed.data.terminalId);
    if (retryAfterSeconds !== undefined) {
      logger.warn({ event: 'terminal.enrol.refused', terminalId: parsed.data.terminalId, reason: 'too-many-attempts', address });
      res.set('Retry-After', String(retryAfterSeconds)).status(429).json({ error: { code: 'too-many-attempts', message: `too many failed enrolments; try again in ${retryAfterSeconds} s` } });
      return;
    }
    const result = terminals.enrol(parsed.data);
    if (!result.ok) {
      if (result.reason !== 'bad-public-key') enrolAttempts.failed(address, parsed.data.terminalId);
      logger.warn({ event: 'terminal.enrol.refused', terminalId: parsed.data.terminalId, reason: result.reason });
      res.status(result.reason === 'bad-public-key' ? 400 : 403).json({ error: { code: result.reason, message: `enrolment refused: ${result.reason}` } });
      return;
    }
    logger.info({ event: 'terminal.enrolled', terminalId: parsed.data.terminalId });
    res.status(201).json({ ok: true });
  });

  app.use(bundleDownloadRouter(updates.rollouts, logger.child({ component: 'updates' })));
  if (services.apiRouter) {
    // The API's answers hold personal data: never kept by a browser or a proxy.
    app.use('/api/v1', (_req, res, next) => {
      res.set('Cache-Control', 'no-store');
      next();
    }, services.apiRouter);
  }

  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const { status, body } = httpErrorResponse(error);
    if (status >= 500) logger.error({ event: 'http.error', err: error, method: req.method, path: req.path });
    res.status(status).json(body);
  });

  const http: HttpServer = createServer(app);
  const commits = new GroupCommit(db);
  const io = new SocketServer(http, { serveClient: false, maxHttpBufferSize: MAX_MESSAGE_BYTES, transports: ['websocket'] });
  const gateway = attachGateway(io, {
    terminals,
    fleet,
    changes,
    updates,
    kiosk: services.kiosk,
    logger: logger.child({ component: 'gateway' }),
    metrics: gatewayMetrics,
    commits,
    ...(options.gatewayLimits ? { limits: options.gatewayLimits } : {}),
  });

  let cluster: GatewayCluster | undefined;
  try {
    const dbSpec = parseDatabaseSpec(options.db);
    const clusterUrl = options.clusterUrl ?? (dbSpec.engine === 'postgres' ? dbSpec.url : undefined);
    if (clusterUrl) cluster = await joinGatewayCluster(io, changes, { url: clusterUrl, logger: logger.child({ component: 'cluster' }) });
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.port, options.host, () => resolve());
    });
  } catch (error) {
    gateway.close();
    await new Promise<void>((resolve) => io.close(() => resolve()));
    await cluster?.close();
    services.close?.();
    db.close();
    throw error;
  }
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${options.host === '0.0.0.0' ? '127.0.0.1' : options.host}:${port}`;
  logger.info({ event: 'server.listening', url });
  return {
    url,
    port,
    db,
    terminals,
    fleet,
    changes,
    updates,
    close: async () => {
      gateway.close();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await cluster?.close();
      // Requests read before the close are committed, not lost with the database.
      commits.flush();
      services.close?.();
      db.close();
      logger.info({ event: 'server.stopped' });
    },
  };
}
