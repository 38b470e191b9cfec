// Creating office users over HTTP: a weak password gets 400 `weak-password`
// naming what is wrong, and no user is made (password-policy.ts, issue 10
// section 6).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStack, type TestStack } from '../registry/test-support.js';
import { createApiRouter } from './index.js';
import { apiCall } from './test-client.js';
import { databaseSnapshot } from './test-snapshot.js';

let stack: TestStack;
let server: Server;
let base: string;
let operator: string;

beforeAll(async () => {
  stack = openTestStack({ today: '2011-09-01' });
  stack.registry.users.createUser('op.wang', 'operator-password-1', 'operator');
  const app = express();
  app.use('/api/v1', createApiRouter({ db: stack.db, ledger: stack.ledger, policy: stack.policy, schemeStart: '2010-07-01', registry: stack.registry, runs: stack.runs }));
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  operator = (await apiCall(base, 'POST', '/login', { body: { username: 'op.wang', password: 'operator-password-1' } })).json.token;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  stack.close();
});

describe('POST /users', () => {
  it.each([
    ['short1!', 'too-short'],
    ['password123', 'common'],
    ['zhao.li-secret', 'contains-username'],
    ['sunflowers', 'one-kind-of-character'],
  ])('refuses %j with weak-password: %s, and makes no user', async (password, weakness) => {
    const before = databaseSnapshot(stack.db);
    const res = await apiCall(base, 'POST', '/users', { token: operator, body: { username: 'zhao.li', password, role: 'auditor' } });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'weak-password', field: 'password', details: { weakness } });
    expect(res.json.error.message).toMatch(/^password: /);
    expect(databaseSnapshot(stack.db)).toEqual(before);
  });

  it('makes the user with a strong password, who can then log in', async () => {
    const res = await apiCall(base, 'POST', '/users', { token: operator, body: { username: 'zhao.li', password: 'Tr4vel-by-yak', role: 'auditor' } });
    expect(res.status).toBe(201);
    expect((await apiCall(base, 'POST', '/login', { body: { username: 'zhao.li', password: 'Tr4vel-by-yak' } })).status).toBe(200);
  });
});
