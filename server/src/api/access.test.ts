// Roles over the whole route table (issue 10 section 6, auth.ts): the list of
// routes is read from buildRoutes, so a route added tomorrow is covered
// without touching this file. Every route but the public ones refuses a
// request without a token; every write is the operator's, and an auditor's
// attempt is refused with 403 and leaves the database as it was.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citizenNumberFor, openTestStack, personInput, type TestStack, TEST_OPERATOR } from '../registry/test-support.js';
import { createApiRouter } from './index.js';
import { buildRoutes, type RouteSpec } from './routes.js';
import { apiCall } from './test-client.js';
import { databaseSnapshot } from './test-snapshot.js';

const PERSON_BORN = '1970-03-15';
const PERSON = citizenNumberFor(PERSON_BORN, 1);

/** A value for each path parameter; a route with a parameter not listed here fails the test until one is added. */
const PATH_SAMPLES: Record<string, string> = {
  citizenNumber: PERSON,
  villageCode: 'V001',
  householdId: 'H1',
  month: '2011-08',
  year: '2011',
  terminalId: 'kiosk-access-01',
  eventId: '01a20562-9ad7-7028-b880-1783f7c2e6ec',
  collectionId: '01a20562-9ad7-7028-b880-1783f7c2e6ed',
  alarmId: '7',
  requestId: '01a20562-9ad7-7028-b880-1783f7c2e6ed',
  certificationId: '01a20562-9ad7-7028-b880-1783f7c2e6ee',
  rolloutId: '01a20562-9ad7-7028-b880-1783f7c2e6ef',
};

/** The only routes served without a token. */
const PUBLIC_ROUTES = ['POST /login'];

/**
 * The only writes that are not the operator's, each with its reason: logging
 * in needs no token, and anyone logged in may end their own session.
 */
const WRITES_NOT_OPERATOR: Record<string, RouteSpec['access']> = {
  'POST /login': 'public',
  'POST /logout': 'auditor',
};

let stack: TestStack;
let server: Server;
let base: string;
let auditor: string;
let routes: RouteSpec[];

const routeName = (route: RouteSpec) => `${route.method.toUpperCase()} ${route.path}`;
const isWrite = (route: RouteSpec) => route.method !== 'get';

function concretePath(route: RouteSpec): string {
  return route.path.replace(/:([A-Za-z]+)/g, (_match, name: string) => {
    const sample = PATH_SAMPLES[name];
    if (sample === undefined) throw new Error(`${routeName(route)}: add a sample value for :${name} to PATH_SAMPLES`);
    return sample;
  });
}

/** A body the route would accept the shape of, so that only the role stands between it and a write. */
function requestBody(route: RouteSpec): { body?: unknown; raw?: string; type?: string } {
  if (route.method === 'get') return {};
  if (route.bodyType === 'csv') return { raw: 'citizenNumber\n', type: 'text/csv' };
  return { body: {} };
}

beforeAll(async () => {
  stack = openTestStack({ today: '2011-09-01' });
  stack.registry.users.createUser('op.wang', 'operator-password-1', 'operator');
  stack.registry.users.createUser('audit.li', 'auditor-password-1', 'auditor');
  stack.registry.persons.createVillage({ code: 'V001', name: '上坝村' });
  stack.registry.persons.registerPerson(personInput(PERSON, PERSON_BORN), TEST_OPERATOR);
  const app = express();
  app.use('/api/v1', createApiRouter({ db: stack.db, ledger: stack.ledger, policy: stack.policy, schemeStart: '2010-07-01', registry: stack.registry, runs: stack.runs }));
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  auditor = (await apiCall(base, 'POST', '/login', { body: { username: 'audit.li', password: 'auditor-password-1' } })).json.token;
  routes = buildRoutes({ registry: stack.registry, runs: stack.runs });
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  stack.close();
});

describe('roles over every route of the table', () => {
  it('gives every write to the operator, save logging in and out', () => {
    const writes = routes.filter(isWrite);
    expect(writes.length).toBeGreaterThan(Object.keys(WRITES_NOT_OPERATOR).length);
    for (const route of writes) {
      expect(route.access, routeName(route)).toBe(WRITES_NOT_OPERATOR[routeName(route)] ?? 'operator');
    }
  });

  it('serves only logging in without a token', () => {
    expect(routes.filter((r) => r.access === 'public').map(routeName)).toEqual(PUBLIC_ROUTES);
  });

  it('answers 401 to every route but the public ones when no token is sent, and writes nothing', async () => {
    const before = databaseSnapshot(stack.db);
    for (const route of routes.filter((r) => r.access !== 'public')) {
      const res = await apiCall(base, route.method.toUpperCase(), concretePath(route), requestBody(route));
      expect(res.status, routeName(route)).toBe(401);
      expect(res.json?.error?.code, routeName(route)).toBe('unauthenticated');
    }
    expect(databaseSnapshot(stack.db)).toEqual(before);
  });

  it('answers 403 to an auditor on every operator write, and writes nothing', async () => {
    const operatorWrites = routes.filter((r) => isWrite(r) && WRITES_NOT_OPERATOR[routeName(r)] === undefined);
    const before = databaseSnapshot(stack.db);
    for (const route of operatorWrites) {
      const res = await apiCall(base, route.method.toUpperCase(), concretePath(route), { token: auditor, ...requestBody(route) });
      expect(res.status, routeName(route)).toBe(403);
      expect(res.json?.error?.code, routeName(route)).toBe('forbidden');
    }
    expect(databaseSnapshot(stack.db)).toEqual(before);
  });

  it('lets the auditor read every GET route (the role is not refused, whatever else is)', async () => {
    for (const route of routes.filter((r) => !isWrite(r))) {
      const res = await apiCall(base, 'GET', concretePath(route), { token: auditor });
      expect([401, 403], routeName(route)).not.toContain(res.status);
    }
  });
});
