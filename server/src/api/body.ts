// Reading request bodies (issue 10 section 5). Whatever a client sends, the
// answer is a 4xx with the API's error body, never a 500.
// - A JSON body (jsonBody), for the office API and the terminal enrolment
//   route alike: a body that is not what its Content-Encoding says (`gzip` on
//   plain JSON) is a 400, an encoding the server does not read a 415, a body
//   over the limit (after inflating) a 413.
// - A CSV upload (csvUpload, requestBody, drainUnreadBody) is handed to its
//   handler as it arrives, so that an import can stop at its first limit
//   without the server holding, or parsing, the rest.
import express, { type Request, type RequestHandler } from 'express';
import { ApiError } from './errors.js';

/** The Content-Encodings express.json inflates (body-parser 2). */
export const JSON_CONTENT_ENCODINGS = ['identity', 'gzip', 'deflate', 'br'] as const;

/** What body-parser (or raw-body, or zlib under it) failed with. */
interface BodyReadFailure {
  type?: unknown;
  status?: unknown;
  limit?: unknown;
}

/**
 * The ApiError for a failure to read a body. Errors that are not a client's
 * (no 4xx status) are returned as they are: they stay a 500 and are logged.
 */
export function bodyReadError(error: unknown, contentEncoding: string | undefined): unknown {
  if (error === null || typeof error !== 'object' || error instanceof ApiError) return error;
  const failure = error as BodyReadFailure;
  switch (failure.type) {
    case 'entity.too.large':
      return new ApiError(413, 'body-too-large', `request body larger than ${typeof failure.limit === 'number' ? failure.limit : '?'} bytes`);
    case 'entity.parse.failed':
      return new ApiError(400, 'invalid-body', 'request body is not valid JSON');
    case 'encoding.unsupported':
      return new ApiError(415, 'unsupported-media-type', `unsupported Content-Encoding ${JSON.stringify(contentEncoding ?? '')}; send ${JSON_CONTENT_ENCODINGS.join(', ')}`);
    case 'charset.unsupported':
      return new ApiError(415, 'unsupported-media-type', 'unsupported charset; send UTF-8');
  }
  if (typeof failure.status !== 'number' || failure.status < 400 || failure.status >= 500) return error;
  // raw-body's own failures and zlib's (a gzip header on a plain body): body-parser gives them a bare 400.
  const encoded = contentEncoding !== undefined && contentEncoding.toLowerCase() !== 'identity';
  return new ApiError(
    400,
    'invalid-body',
    encoded ? `request body is not ${JSON.stringify(contentEncoding)} as its Content-Encoding says` : 'request body could not be read',
  );
}

/** Reads a JSON body of at most `limitBytes` (after inflating), refusing any other media type with 415. */
export function jsonBody(limitBytes: number): RequestHandler {
  const parse = express.json({ limit: limitBytes, strict: true, type: 'application/json' });
  return (req, res, next) => {
    const length = Number(req.get('content-length') ?? '0');
    const hasBody = length > 0 || req.get('transfer-encoding') !== undefined;
    if (hasBody && !req.is('application/json')) {
      next(new ApiError(415, 'unsupported-media-type', 'send the body as Content-Type: application/json'));
      return;
    }
    parse(req, res, (error?: unknown) => next(error === undefined ? undefined : bodyReadError(error, req.get('content-encoding'))));
  };
}

/** Media types a CSV upload may declare; its charset, if given, must be UTF-8. */
const CSV_MEDIA_TYPES = ['text/csv', 'text/plain'];
/** How long the unread rest of a refused upload is read and dropped before the connection is closed. */
export const UNREAD_BODY_DRAIN_TIMEOUT_MS = 10_000;

/**
 * Checks a CSV upload's headers before any of it is read: a declared length
 * over `limitBytes` is refused at once (413), as are another media type, a
 * charset other than UTF-8 and any Content-Encoding (415: the register is
 * read as it arrives, and only as plain UTF-8).
 */
export function csvUpload(limitBytes: number): RequestHandler {
  return (req, _res, next) => {
    if (!req.is(CSV_MEDIA_TYPES)) {
      next(new ApiError(415, 'unsupported-media-type', 'send the register as Content-Type: text/csv'));
      return;
    }
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.get('content-type') ?? '')?.[1]?.toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      next(new ApiError(415, 'unsupported-media-type', `unsupported charset ${JSON.stringify(charset)}; save the register as CSV UTF-8`));
      return;
    }
    const encoding = req.get('content-encoding');
    if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
      next(new ApiError(415, 'unsupported-media-type', `unsupported Content-Encoding ${JSON.stringify(encoding)}; send the register uncompressed`));
      return;
    }
    if (Number(req.get('content-length') ?? '0') > limitBytes) {
      next(new ApiError(413, 'body-too-large', `request body larger than ${limitBytes} bytes`));
      return;
    }
    next();
  };
}

/**
 * The request body as it arrives, refused with 413 as soon as it passes
 * `limitBytes`. Whoever stops reading early (a limit, a broken row) leaves
 * the request itself intact, so that an answer can still be sent on it
 * (drainUnreadBody deals with the rest).
 */
export async function* requestBody(req: Request, limitBytes: number): AsyncGenerator<Uint8Array> {
  let bytes = 0;
  try {
    for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > limitBytes) throw new ApiError(413, 'body-too-large', `request body larger than ${limitBytes} bytes`);
      yield chunk;
    }
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError(400, 'invalid-body', 'the request body ended before it was complete');
  }
}

/**
 * After an upload was refused part-way (its answer is on its way), the rest
 * of it is read and dropped, so that the client can finish sending and read
 * the answer, and the connection stays usable. Not parsed, not kept: a few
 * MB cost the event loop nothing. A client that sends more than `limitBytes`
 * in all, or takes longer than UNREAD_BODY_DRAIN_TIMEOUT_MS, is disconnected.
 */
export function drainUnreadBody(req: Request, limitBytes: number): void {
  if (req.complete || req.destroyed) return;
  let bytes = 0;
  const disconnect = (): void => {
    req.destroy();
  };
  const timer = setTimeout(disconnect, UNREAD_BODY_DRAIN_TIMEOUT_MS);
  timer.unref();
  req.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > limitBytes) disconnect();
  });
  req.once('close', () => clearTimeout(timer));
  req.resume();
}
