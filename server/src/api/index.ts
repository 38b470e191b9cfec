// The office HTTP API, /api/v1 (issue 5 section 5). The lead mounts it:
//   app.use('/api/v1', createApiRouter({ db, ledger, policy, schemeStart, logger }));
// Bodies are JSON (at most JSON_BODY_LIMIT_BYTES) checked by zod schemas; the
// village register import is text/csv (at most CSV_BODY_LIMIT_BYTES), read as
// a stream by its handler (api/body.ts, registry/register-import.ts). Every
// failure is `{ error: { code, message, field?, details? } }` (errors.ts).
import express, { type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from 'pino';
import pino from 'pino';
import type { SqlDatabase } from '../sql/types.js';
import type { Ledger } from '../ledger/index.js';
import type { Policy } from '../policy/index.js';
import type { GatewayState } from '../app.js';
import { createRegistry, type Registry } from '../registry/index.js';
import { parseInput } from '../registry/parse.js';
import { createRuns, type Runs } from '../runs/index.js';
import { authenticate, bearerToken, requireRole } from './auth.js';
import { csvUpload, drainUnreadBody, jsonBody, requestBody } from './body.js';
import { ApiError, errorHandler } from './errors.js';
import { buildOpenApiDocument } from './openapi.js';
import { buildRoutes, type HandlerOutput, type RouteSpec } from './routes.js';

export const JSON_BODY_LIMIT_BYTES = 64 * 1024;
export const CSV_BODY_LIMIT_BYTES = 5 * 1024 * 1024;
/** Lines of a CSV response written per chunk before yielding to the event loop's back-pressure. */
const CSV_LINES_PER_WRITE = 1_000;

export interface ApiDeps {
  db: SqlDatabase;
  ledger: Ledger;
  policy: Policy;
  /** The scheme's start date in the county (POLICY.md "When a pension is paid"). */
  schemeStart: string;
  logger?: Logger;
  now?: () => number;
  /** Pass the same registry/runs the kiosk gateway uses; created here when absent. */
  registry?: Registry;
  runs?: Runs;
  /** The gateway's terminal registry, fleet and change bus (the fleet routes). */
  gateway?: GatewayState;
}

async function sendCsv(res: Response, lines: Iterable<string>, filename: string): Promise<void> {
  res.status(200).type('text/csv; charset=utf-8').set('Content-Disposition', `attachment; filename="${filename}"`);
  let chunk: string[] = [];
  for (const line of lines) {
    chunk.push(line);
    if (chunk.length >= CSV_LINES_PER_WRITE) {
      if (!res.write(chunk.join(''))) await new Promise<void>((resolve) => res.once('drain', resolve));
      chunk = [];
    }
  }
  res.end(chunk.join(''));
}

/**
 * Every write by an office user goes to the audit log with who and when
 * (issue 14 "Security"; issue 10 section 2), after it succeeded. A CSV upload
 * is not stored (the import's result says what it did).
 */
function auditWrite(registry: Registry, spec: RouteSpec, input: { body: unknown; params: unknown; user: { username: string } | undefined }, out: HandlerOutput): void {
  const { status } = out;
  if (spec.method === 'get' || spec.access === 'public' || !input.user || status >= 400) return;
  // A preview or a check wrote nothing: a read.
  if ('json' in out && out.audit === false) return;
  // A dry run reports what a run would do and changes nothing: it is a read.
  if ((input.body as { dryRun?: unknown } | undefined)?.dryRun === true) return;
  const body = spec.bodyType === 'csv' ? { csv: 'uploaded' } : input.body;
  registry.audit.record({ actor: input.user.username, action: `${spec.method.toUpperCase()} ${spec.path}`, subject: JSON.stringify(input.params ?? {}), details: { status, body } });
}

function handle(spec: RouteSpec, registry: Registry): RequestHandler {
  return async (req: Request, res: Response) => {
    try {
      const input = {
        params: spec.params ? parseInput(spec.params, req.params) : req.params,
        query: spec.query ? parseInput(spec.query, req.query) : undefined,
        // A CSV upload is read as it arrives, by the handler (issue 10 section 5).
        body: spec.bodyType === 'csv' ? requestBody(req, CSV_BODY_LIMIT_BYTES) : spec.body ? parseInput(spec.body, req.body ?? {}) : undefined,
        user: req.officeUser,
        token: bearerToken(req.get('authorization')),
        clientAddress: req.ip,
      };
      const out: HandlerOutput = await spec.handler(input);
      auditWrite(registry, spec, input, out);
      if ('csvLines' in out) await sendCsv(res, out.csvLines, out.filename);
      else res.status(out.status).json(out.json);
    } finally {
      if (spec.bodyType === 'csv') drainUnreadBody(req, CSV_BODY_LIMIT_BYTES);
    }
  };
}

export function createApiRouter(deps: ApiDeps): express.Router {
  const logger = deps.logger ?? pino({ level: 'silent' });
  const registry =
    deps.registry ?? createRegistry({ db: deps.db, ledger: deps.ledger, policy: deps.policy, schemeStart: deps.schemeStart, logger, now: deps.now });
  const runs = deps.runs ?? createRuns(registry);
  const routes = buildRoutes({ registry, runs, ...(deps.gateway ? { gateway: deps.gateway } : {}) });
  const openApi = buildOpenApiDocument(routes);
  const router = express.Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  const auth = authenticate(registry.users);
  for (const spec of routes) {
    const chain: RequestHandler[] = [];
    // Authentication and role come before the body is read: an unauthenticated request is 401 whatever it sends.
    if (spec.access !== 'public') chain.push(auth, requireRole(spec.access));
    if (spec.method === 'post') chain.push(spec.bodyType === 'csv' ? csvUpload(CSV_BODY_LIMIT_BYTES) : jsonBody(JSON_BODY_LIMIT_BYTES));
    chain.push(handle(spec, registry));
    router[spec.method](spec.path, ...chain);
  }
  router.use((req, _res, next) => {
    next(new ApiError(404, 'not-found', `no route ${req.method} ${req.baseUrl}${req.path}`));
  });
  router.use(errorHandler(logger));
  return router;
}

export { buildOpenApiDocument } from './openapi.js';
export { buildRoutes, type RouteSpec } from './routes.js';
export { ApiError, isApiError, API_ERROR_CODES, type ErrorBody } from './errors.js';
