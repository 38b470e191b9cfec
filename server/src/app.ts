// The server process: one SQLite database, the ledger, the office API, the
// terminal gateway (socket.io) and metrics, on one HTTP port.
import express, { type NextFunction, type Request, type Response } from 'express';
import { createServer, type Server as HttpServer } from 'node:http';
import { Server as SocketServer } from 'socket.io';
import type { Logger } from 'pino';
import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
import { openDatabase, type SqliteDatabase } from './db.js';
import { attachGateway, TerminalRegistry, type CardAuthenticator, type KioskAccountService } from './gateway/index.js';
import { MAX_MESSAGE_BYTES, describeZodError, enrolRequestSchema } from './protocol/index.js';
import { jsonBody } from './api/body.js';
import { isApiError, toErrorResponse, type ErrorBody } from './api/errors.js';

const ENROL_BODY_LIMIT_BYTES = 4 * 1024;

export interface ServerOptions {
  dbPath: string;
  host: string;
  port: number;
  logger: Logger;
  /** Builds the services that need the database (registry, ledger, kiosk accounts, office API). */
  services: (db: SqliteDatabase) => ServerServices;
}

export interface ServerServices {
  accounts: KioskAccountService;
  cardAuthenticator?: CardAuthenticator;
  /** The office API mounted at /api/v1 (after the terminal enrolment route). */
  apiRouter?: express.Router;
  close?: () => void;
}

export interface RunningServer {
  url: string;
  port: number;
  db: SqliteDatabase;
  terminals: TerminalRegistry;
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
  const db = openDatabase(options.dbPath);
  const terminals = new TerminalRegistry(db);
  const services = options.services(db);

  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const gatewayRequests = new Counter({
    name: 'nongbao_gateway_requests_total',
    help: 'Terminal requests answered by the gateway, by event and outcome',
    labelNames: ['event', 'outcome'] as const,
    registers: [metrics],
  });

  const app = express();
  app.disable('x-powered-by');

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
    const result = terminals.enrol(parsed.data);
    if (!result.ok) {
      logger.warn({ event: 'terminal.enrol.refused', terminalId: parsed.data.terminalId, reason: result.reason });
      res.status(result.reason === 'bad-public-key' ? 400 : 403).json({ error: { code: result.reason, message: `enrolment refused: ${result.reason}` } });
      return;
    }
    logger.info({ event: 'terminal.enrolled', terminalId: parsed.data.terminalId });
    res.status(201).json({ ok: true });
  });

  if (services.apiRouter) app.use('/api/v1', services.apiRouter);

  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const { status, body } = httpErrorResponse(error);
    if (status >= 500) logger.error({ event: 'http.error', err: error, method: req.method, path: req.path });
    res.status(status).json(body);
  });

  const http: HttpServer = createServer(app);
  const io = new SocketServer(http, { serveClient: false, maxHttpBufferSize: MAX_MESSAGE_BYTES, transports: ['websocket'] });
  attachGateway(io, {
    terminals,
    accounts: services.accounts,
    ...(services.cardAuthenticator ? { cardAuthenticator: services.cardAuthenticator } : {}),
    logger: logger.child({ component: 'gateway' }), metrics: { requests: gatewayRequests } });

  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.port, options.host, () => resolve());
    });
  } catch (error) {
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
    close: async () => {
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
      services.close?.();
      db.close();
      logger.info({ event: 'server.stopped' });
    },
  };
}
