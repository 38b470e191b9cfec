// Reading a JSON request body, for the office API and the terminal enrolment
// route alike (one rule, issue 10 section 5). Whatever a client sends, the
// answer is a 4xx with the API's error body, never a 500: a body that is not
// what its Content-Encoding says (`gzip` on plain JSON) is a 400, an encoding
// the server does not read is a 415, a body over the limit a 413.
import express, { type RequestHandler } from 'express';
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
