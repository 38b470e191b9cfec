// A Content-Encoding that does not match the body is the client's mistake:
// 400 (or 415 for an encoding the server does not read) with the API's error
// body, never a 500 (issue 10 section 5). Over real HTTP, against the whole
// server process (app.ts): the office API and the terminal enrolment route.
import { testServerDbSpec } from '../sql/test-db.js';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../app.js';
import { createServerServices } from '../services.js';
import { errorBodySchema } from './errors.js';

const silent = pino({ level: 'silent' });
const JSON_TEXT = JSON.stringify({ username: 'nobody', password: 'not-the-password' });
let server: RunningServer;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nb-encoding-'));
  server = await startServer({
    db: testServerDbSpec(dir),
    host: '127.0.0.1',
    port: 0,
    logger: silent,
    services: (db, gateway) => createServerServices(db, { logger: silent }, gateway),
  });
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function post(path: string, body: Buffer, contentEncoding?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (contentEncoding !== undefined) headers['content-encoding'] = contentEncoding;
  const res = await fetch(`${server.url}${path}`, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, body: errorBodySchema.safeParse(JSON.parse(text)).data, text };
}

const mismatched: [string, Buffer, string][] = [
  ['gzip on plain JSON', Buffer.from(JSON_TEXT), 'gzip'],
  ['deflate on plain JSON', Buffer.from(JSON_TEXT), 'deflate'],
  ['br on plain JSON', Buffer.from(JSON_TEXT), 'br'],
  ['a cut-off gzip body', gzipSync(JSON_TEXT).subarray(0, 20), 'gzip'],
  ['gzip that holds no JSON', gzipSync('not json'), 'gzip'],
];

describe.each([
  ['the office API', '/api/v1/login'],
  ['the terminal enrolment route', '/api/v1/terminals/enrol'],
])('%s', (_name, path) => {
  it.each(mismatched)('answers %s with 400 and the error body', async (_what, body, encoding) => {
    const res = await post(path, body, encoding);
    expect(res.status, res.text).toBe(400);
    expect(res.body?.error.code).toBe('invalid-body');
  });

  it.each(['x-unknown', 'compress', 'gzip, gzip'])('answers Content-Encoding: %s with 415', async (encoding) => {
    const res = await post(path, Buffer.from(JSON_TEXT), encoding);
    expect(res.status, res.text).toBe(415);
    expect(res.body?.error.code).toBe('unsupported-media-type');
  });

  it('still reads a body that is what its Content-Encoding says', async () => {
    for (const [encoding, body] of [['gzip', gzipSync(JSON_TEXT)], ['deflate', deflateSync(JSON_TEXT)], ['br', brotliCompressSync(JSON_TEXT)], ['identity', Buffer.from(JSON_TEXT)]] as const) {
      const res = await post(path, body, encoding);
      // The body was read: the login is refused for its credentials, the enrolment for its shape.
      expect(res.status, `${encoding}: ${res.text}`).toBe(path.endsWith('/login') ? 401 : 400);
      expect(res.body?.error.code).toBe(path.endsWith('/login') ? 'bad-credentials' : 'bad-request');
    }
  });
});

describe('a body that inflates past the limit', () => {
  it('is refused with 413, however small it travels', async () => {
    const bomb = gzipSync(JSON.stringify({ username: 'x', password: 'y'.repeat(1_000_000) }));
    expect(bomb.length).toBeLessThan(10_000);
    for (const path of ['/api/v1/login', '/api/v1/terminals/enrol']) {
      const res = await post(path, bomb, 'gzip');
      expect(res.status, path).toBe(413);
      expect(res.body?.error.code).toBe('body-too-large');
    }
  });
});

it('enrols a terminal whose request is gzip-encoded', async () => {
  const terminalId = 'kiosk-encoding-01';
  const code = server.terminals.issueEnrolCode(terminalId);
  const publicKey = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const res = await fetch(`${server.url}/api/v1/terminals/enrol`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    body: gzipSync(JSON.stringify({ terminalId, code, publicKey })),
  });
  expect(res.status).toBe(201);
});
