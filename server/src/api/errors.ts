// How every failure leaves the HTTP API: `{ error: { code, message, field?, details? } }`
// with a status that says who must act (issue 5 section 5; STYLE.md point 4).
// Registry and run errors carry their own stable `code`; this module only
// maps their kind to a status. Anything unexpected is a 500 with a generic
// message: internals (SQL, stack) are logged, never sent.
import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { isRegistryError, type RegistryErrorKind } from '../registry/errors.js';
import { isStatusError } from '../shared/status-error.js';

export const API_ERROR_CODES = {
  'invalid-body': 6200,
  'invalid-query': 6201,
  'body-too-large': 6202,
  'unsupported-media-type': 6203,
  unauthenticated: 6210,
  forbidden: 6211,
  'not-found': 6220,
  /** The resource is in a state that does not allow the change (a settled kiosk request). */
  'state-conflict': 6230,
  internal: 6299,
} as const;
export type ApiErrorCode = keyof typeof API_ERROR_CODES;

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly numericCode: number;
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly field?: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.numericCode = API_ERROR_CODES[code];
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

export interface ErrorBody {
  error: { code: string; message: string; field?: string; details?: unknown };
}

export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    field: z.string().optional(),
    details: z.unknown().optional(),
  }),
});

const STATUS_BY_KIND: Record<RegistryErrorKind, number> = {
  'bad-input': 400,
  refused: 422,
  conflict: 409,
  'not-found': 404,
  unauthenticated: 401,
  throttled: 429,
  internal: 500,
};

/** `events[2].tier` style path of a zod issue. */
export function issuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? String(part) : `.${String(part)}`;
  return out;
}

/** The first zod issue becomes the error's field and message; all of them go in details. */
export function zodToApiError(error: z.ZodError, code: 'invalid-body' | 'invalid-query'): ApiError {
  const issues = error.issues.slice(0, 20).map((i) => ({ field: issuePath(i.path), message: i.message }));
  const first = issues[0] ?? { field: '', message: 'invalid' };
  return new ApiError(400, code, `${first.field || '(body)'}: ${first.message}`, first.field || undefined, { issues });
}

export function toErrorResponse(error: unknown): { status: number; body: ErrorBody } {
  if (isApiError(error)) {
    return { status: error.status, body: { error: withOptional(error.code, error.message, error.field, error.details) } };
  }
  if (isRegistryError(error)) {
    return {
      status: STATUS_BY_KIND[error.kind],
      body: { error: withOptional(error.code, error.message, error.field, error.details) },
    };
  }
  if (isStatusError(error)) {
    return { status: error.status, body: { error: withOptional(error.code, error.message, error.field, error.details) } };
  }
  return { status: 500, body: { error: { code: 'internal', message: 'internal error' } } };
}

function withOptional(code: string, message: string, field: string | undefined, details: unknown): ErrorBody['error'] {
  const out: ErrorBody['error'] = { code, message };
  if (field) out.field = field;
  if (details !== undefined) out.details = details;
  return out;
}

/**
 * The last middleware of the router: every error becomes the JSON shape above.
 * Body-reading failures arrive as ApiErrors already (body.ts).
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const { status, body } = toErrorResponse(err);
    const retryAfter = (body.error.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
    if (status === 429 && typeof retryAfter === 'number') res.set('Retry-After', String(retryAfter));
    if (status >= 500) logger.error({ err, method: req.method, path: req.path }, 'api request failed');
    else logger.info({ method: req.method, path: req.path, status, code: body.error.code }, 'api request refused');
    res.status(status).json(body);
  };
}
