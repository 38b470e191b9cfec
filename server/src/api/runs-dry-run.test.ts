// Runs over HTTP are dry runs unless the body says `"dryRun": false` (issue 10
// section 6: an empty body once ran a real death settlement). Each run route
// gets the least body it accepts, with work waiting for it: a person with
// money for the interest, a pensioner for the payroll, a reported death and a
// reported urban pension. It answers with what it would do and the database
// stays as it was; the same body with "dryRun": false then writes.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citizenNumberFor, openTestStack, personInput, testUuid, type TestStack, TEST_OPERATOR } from '../registry/test-support.js';
import { createApiRouter } from './index.js';
import { apiCall } from './test-client.js';
import { databaseSnapshot } from './test-snapshot.js';

const PAYER = citizenNumberFor('1970-03-15', 1);
const ELDER = citizenNumberFor('1940-02-02', 2);
const DECEASED = citizenNumberFor('1942-04-04', 3);
const URBAN = citizenNumberFor('1943-05-05', 4);

/** Each run route with the least body it takes: no dryRun field, or no body at all. */
const RUNS: Array<{ path: string; body: unknown; didWork: (summary: Record<string, unknown>) => void }> = [
  { path: '/runs/interest', body: { year: 2011 }, didWork: (s) => expect(s.totalFen).toBeGreaterThan(0) },
  { path: '/runs/payroll', body: { month: '2011-12' }, didWork: (s) => expect(s.paidPersons).toBeGreaterThan(0) },
  { path: '/runs/death-settlement', body: undefined, didWork: (s) => expect(s.lines).toHaveLength(1) },
  { path: '/runs/death-settlement', body: {}, didWork: (s) => expect(s.lines).toHaveLength(1) },
  { path: '/runs/urban-pension', body: undefined, didWork: (s) => expect(s.found).toBe(1) },
  { path: '/runs/urban-pension', body: {}, didWork: (s) => expect(s.found).toBe(1) },
];

let stack: TestStack;
let server: Server;
let base: string;
let operator: string;

beforeAll(async () => {
  stack = openTestStack({ today: '2012-01-05' });
  stack.registry.users.createUser('op.wang', 'operator-password-1', 'operator');
  const persons = stack.registry.persons;
  persons.createVillage({ code: 'V001', name: '上坝村' });
  persons.registerPerson(personInput(PAYER, '1970-03-15'), TEST_OPERATOR);
  for (const [cn, born] of [[ELDER, '1940-02-02'], [DECEASED, '1942-04-04'], [URBAN, '1943-05-05']] as const) {
    persons.registerPerson(personInput(cn, born, { bankAccount: '6222000000000009' }), TEST_OPERATOR);
  }
  stack.registry.recordContribution({ id: testUuid('2010-08-01'), citizenNumber: PAYER, year: 2010, tierYuan: 100, channel: 'counter', paidAt: '2010-08-01T09:00:00+08:00' }, { historical: true });
  persons.reportDeath({ citizenNumber: DECEASED, deathDate: '2011-06-10', reportedOn: '2011-08-20' });
  persons.reportUrbanPension({ citizenNumber: URBAN, since: '2011-01-01', reportedOn: '2011-08-20' });
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

describe('a run over HTTP without "dryRun": false', () => {
  it.each(RUNS)('$path with body $body reports its work as a dry run and writes nothing', async ({ path, body, didWork }) => {
    const before = databaseSnapshot(stack.db);
    const res = await apiCall(base, 'POST', path, { token: operator, ...(body === undefined ? {} : { body }) });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    expect(res.json.dryRun).toBe(true);
    didWork(res.json);
    expect(databaseSnapshot(stack.db)).toEqual(before);
  });

  it('runs for real only when the body says "dryRun": false', async () => {
    for (const { path, body, didWork } of RUNS.filter((r) => r.body !== undefined)) {
      const before = databaseSnapshot(stack.db);
      const res = await apiCall(base, 'POST', path, { token: operator, body: { ...(body as object), dryRun: false } });
      expect(res.status, `${path}: ${JSON.stringify(res.json)}`).toBe(200);
      expect(res.json.dryRun).toBe(false);
      didWork(res.json);
      expect(databaseSnapshot(stack.db), path).not.toEqual(before);
    }
  });

  it('refuses a dryRun that is not a boolean, rather than guessing', async () => {
    const res = await apiCall(base, 'POST', '/runs/death-settlement', { token: operator, body: { dryRun: 'false' } });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'invalid-input', field: 'dryRun' });
  });
});
