// Login limits over real HTTP from two real client addresses (127.0.0.2 and
// 127.0.0.3, both loopback on Linux): the guesser gets 429 with Retry-After,
// the real user at the other address logs in (login-limits.ts, issue 10
// section 6).
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_FAILURES_PER_NAME_AND_ADDRESS_LIMIT } from '../registry/login-limits.js';
import { openTestStack, type TestStack } from '../registry/test-support.js';
import { createApiRouter } from './index.js';

const GUESSER = '127.0.0.2';
const OFFICE = '127.0.0.3';
const PASSWORD = 'operator-password-1';

let stack: TestStack;
let server: Server;
let port: number;

/** POST /api/v1/login from `localAddress`. */
function loginFrom(localAddress: string, password: string): Promise<{ status: number; retryAfter: string | undefined; body: { error?: { code: string; field?: string } } }> {
  const body = JSON.stringify({ username: 'op.wang', password });
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/api/v1/login', method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], body: JSON.parse(text) as never }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  stack = openTestStack({ today: '2011-09-01' });
  stack.registry.users.createUser('op.wang', PASSWORD, 'operator');
  const app = express();
  app.use('/api/v1', createApiRouter({ db: stack.db, ledger: stack.ledger, policy: stack.policy, schemeStart: '2010-07-01', registry: stack.registry, runs: stack.runs }));
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  stack.close();
});

describe('logging in while someone guesses the same name from another address', () => {
  it('refuses the guesser with 429 and Retry-After, and lets the real user in from the office', async () => {
    for (let i = 0; i < LOGIN_FAILURES_PER_NAME_AND_ADDRESS_LIMIT; i++) expect((await loginFrom(GUESSER, `guess-number-${i}`)).status).toBe(401);
    const refused = await loginFrom(GUESSER, PASSWORD);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'too-many-logins', field: 'username' });
    expect(Number(refused.retryAfter)).toBeGreaterThan(14 * 60);
    expect((await loginFrom(OFFICE, PASSWORD)).status).toBe(200);
  });
});
