import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { personAccountId } from '../ledger/index.js';
import { VILLAGE_REGISTER_COLUMNS } from '../registry/register-import.js';
import { LOGIN_FAILURES_PER_ADDRESS_LIMIT } from '../registry/login-limits.js';
import { citizenNumberFor, openTestStack, personInput, TEST_OPERATOR, testUuid, withWrongCheckDigit, type TestStack } from '../registry/test-support.js';
import { createApiRouter, JSON_BODY_LIMIT_BYTES } from './index.js';
import { buildRoutes, counterContributionSchema } from './routes.js';
import { apiCall } from './test-client.js';

let stack: TestStack;
let server: Server;
let base: string;
let operator: string;
let auditor: string;

async function call(method: string, path: string, options: { token?: string; body?: unknown; raw?: string; type?: string } = {}) {
  return apiCall(base, method, path, options);
}

const PERSON_BORN = '1970-03-15';
const PERSON = citizenNumberFor(PERSON_BORN, 1);

beforeAll(async () => {
  stack = openTestStack({ today: '2011-09-01' });
  stack.registry.users.createUser('op.wang', 'operator-password-1', 'operator');
  stack.registry.users.createUser('audit.li', 'auditor-password-1', 'auditor');
  const app = express();
  app.use('/api/v1', createApiRouter({ db: stack.db, ledger: stack.ledger, policy: stack.policy, schemeStart: '2010-07-01', registry: stack.registry, runs: stack.runs }));
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  operator = (await call('POST', '/login', { body: { username: 'op.wang', password: 'operator-password-1' } })).json.token;
  auditor = (await call('POST', '/login', { body: { username: 'audit.li', password: 'auditor-password-1' } })).json.token;
  expect((await call('POST', '/villages', { token: operator, body: { code: 'V001', name: '上坝村' } })).status).toBe(201);
  expect((await call('POST', '/persons', { token: operator, body: personInput(PERSON, PERSON_BORN) })).status).toBe(201);
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  stack.close();
});

describe('authentication and roles', () => {
  it('refuses a wrong password with 401 and no token', async () => {
    const res = await call('POST', '/login', { body: { username: 'op.wang', password: 'not-the-password' } });
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ error: { code: 'bad-credentials', message: 'unknown user or wrong password', field: 'password' } });
  });

  it('answers 429 with Retry-After to a user name after five failed logins from one address, and only to that name', async () => {
    for (let i = 0; i < 5; i++) expect((await call('POST', '/login', { body: { username: 'guess.me', password: `guess-number-${i}` } })).status).toBe(401);
    const res = await call('POST', '/login', { body: { username: 'guess.me', password: 'guess-number-5' } });
    expect(res.status).toBe(429);
    expect(res.json.error).toMatchObject({ code: 'too-many-logins', field: 'username', details: { retryAfterSeconds: expect.any(Number) } });
    expect(res.headers.get('retry-after')).toBe(String(res.json.error.details.retryAfterSeconds));
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(14 * 60);
    expect((await call('POST', '/login', { body: { username: 'op.wang', password: 'operator-password-1' } })).status).toBe(200);
  });

  it('answers 401 to a request without a token or with an unknown one, before reading the body', async () => {
    expect((await call('GET', `/persons/${PERSON}`)).status).toBe(401);
    const bad = await call('POST', '/contributions', { token: 'x'.repeat(43), raw: '{not json' });
    expect(bad.status).toBe(401);
    expect(bad.json.error.code).toBe('unauthenticated');
  });

  it('lets an auditor read but not write (403)', async () => {
    expect((await call('GET', `/persons/${PERSON}`, { token: auditor })).status).toBe(200);
    const res = await call('POST', '/runs/payroll', { token: auditor, body: { month: '2011-08' } });
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe('forbidden');
  });

  it('ends a session at logout', async () => {
    const token = (await call('POST', '/login', { body: { username: 'audit.li', password: 'auditor-password-1' } })).json.token;
    expect((await call('POST', '/logout', { token })).status).toBe(200);
    expect((await call('GET', '/runs', { token })).status).toBe(401);
  });
});

describe('bad input gets a specific error and writes nothing', () => {
  it('refuses a citizen number with a wrong check digit', async () => {
    const wrong = withWrongCheckDigit(citizenNumberFor('1980-01-01', 5));
    const res = await call('POST', '/persons', { token: operator, body: personInput(wrong, '1980-01-01') });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'invalid-citizen-number', field: 'citizenNumber' });
    expect((await call('GET', `/persons/${wrong}`, { token: auditor })).json.error.code).toBe('invalid-citizen-number');
  });

  it('refuses a birth date that disagrees with the number', async () => {
    const cn = citizenNumberFor('1980-01-01', 6);
    const res = await call('POST', '/persons', { token: operator, body: personInput(cn, '1980-01-02') });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'birth-date-mismatch', field: 'birthDate' });
    expect((await call('GET', `/persons/${cn}`, { token: auditor })).status).toBe(404);
  });

  it('refuses an ineligible person with the policy reason (422)', async () => {
    const cn = citizenNumberFor('1980-01-01', 7);
    const res = await call('POST', '/persons', { token: operator, body: personInput(cn, '1980-01-01', { fullTimeStudent: true }) });
    expect(res.status).toBe(422);
    expect(res.json.error.code).toBe('full-time-student');
  });

  it('refuses amounts not in whole fen, unknown tiers and a year already paid', async () => {
    const contribution = {
      id: testUuid('2011-08-01'),
      citizenNumber: PERSON,
      year: 2011,
      tierYuan: 100,
      paidAt: '2011-08-01T09:00:00+08:00',
      backdateReason: 'paid at the village meeting, brought in today',
    };
    const notFen = await call('POST', '/contributions', { token: operator, body: { ...contribution, aidFen: 100.5 } });
    expect(notFen.status).toBe(400);
    expect(notFen.json.error).toMatchObject({ code: 'amount-not-in-fen', field: 'aidFen' });
    const unknownTier = await call('POST', '/contributions', { token: operator, body: { ...contribution, tierYuan: 250 } });
    expect(unknownTier.status).toBe(422);
    expect(unknownTier.json.error).toMatchObject({ code: 'unknown-tier', field: 'tierYuan' });
    const created = await call('POST', '/contributions', { token: operator, body: contribution });
    expect(created.status).toBe(201);
    expect(created.json.result).toBe('created');
    const replay = await call('POST', '/contributions', { token: operator, body: contribution });
    expect(replay.status).toBe(200);
    expect(replay.json.result).toBe('exists');
    const reused = await call('POST', '/contributions', { token: operator, body: { ...contribution, tierYuan: 500 } });
    expect(reused.status).toBe(409);
    expect(reused.json.error).toMatchObject({ code: 'id-reused-with-other-content', details: { result: 'exists_with_different_amount' } });
    const again = await call('POST', '/contributions', { token: operator, body: { ...contribution, id: testUuid('2011-08-02') } });
    expect(again.status).toBe(422);
    expect(again.json.error).toMatchObject({ code: 'already-paid', field: 'year' });
    expect(stack.ledger.balance(personAccountId(PERSON, 'individual')).balanceFen).toBe(10_000);
  });

  it('refuses malformed JSON, a wrong content type and a body over the limit', async () => {
    expect((await call('POST', '/certifications', { token: operator, raw: '{"id":' })).json.error.code).toBe('invalid-body');
    const wrongType = await call('POST', '/certifications', { token: operator, raw: 'id=1', type: 'application/x-www-form-urlencoded' });
    expect(wrongType.status).toBe(415);
    const huge = await call('POST', '/persons', { token: operator, raw: JSON.stringify({ name: 'x'.repeat(JSON_BODY_LIMIT_BYTES) }) });
    expect(huge.status).toBe(413);
    expect(huge.json.error.code).toBe('body-too-large');
  });

  it('imports nothing from a CSV with broken rows and lists each row error', async () => {
    const header = VILLAGE_REGISTER_COLUMNS.join(',');
    const good = citizenNumberFor('1955-05-05', 30);
    const csv = [header, `${good},周六,1955-05-05,V001,,1,0,0,0,`, `${withWrongCheckDigit(citizenNumberFor('1956-05-05', 31))},吴七,1956-05-05,V001,,1,0,0,0,`].join('\n');
    const res = await call('POST', '/persons/import', { token: operator, raw: csv, type: 'text/csv' });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('invalid-csv');
    expect(res.json.error.details.rows).toEqual([{ line: 3, field: 'citizenNumber', code: 'invalid-citizen-number', message: expect.any(String) }]);
    expect((await call('GET', `/persons/${good}`, { token: auditor })).status).toBe(404);
    const fixed = await call('POST', '/persons/import', { token: operator, raw: csv.split('\n').slice(0, 2).join('\n'), type: 'text/csv' });
    expect(fixed.status).toBe(201);
    expect(fixed.json).toEqual({ imported: 1 });
  });
});

describe('a counter payment dated before today (issue 10 section 2)', () => {
  const BACKDATER = citizenNumberFor('1975-06-01', 21);

  beforeAll(async () => {
    expect((await call('POST', '/persons', { token: operator, body: personInput(BACKDATER, '1975-06-01') })).status).toBe(201);
  });

  it('needs the operator to say why, lies within the limit, and goes to the audit log with who said it', async () => {
    // The test server's today is 2011-09-01.
    const yesterday = { id: testUuid('2011-08-31'), citizenNumber: BACKDATER, year: 2011, tierYuan: 200, paidAt: '2011-08-31T15:00:00+08:00' };
    const noReason = await call('POST', '/contributions', { token: operator, body: yesterday });
    expect(noReason.status).toBe(400);
    expect(noReason.json.error).toMatchObject({ code: 'backdate-reason-required', field: 'backdateReason' });
    const tooFar = await call('POST', '/contributions', {
      token: operator,
      body: { ...yesterday, id: testUuid('2011-07-01'), paidAt: '2011-07-01T10:00:00+08:00', backdateReason: 'found in a drawer' },
    });
    expect(tooFar.status).toBe(400);
    expect(tooFar.json.error).toMatchObject({ code: 'backdate-too-far', field: 'paidAt', details: { limitDays: 31 } });
    expect((await call('GET', `/persons/${BACKDATER}/statement`, { token: auditor })).json.contributions).toEqual([]);

    const withReason = await call('POST', '/contributions', { token: operator, body: { ...yesterday, backdateReason: 'the township office was closed' } });
    expect(withReason.status).toBe(201);
    const log = await call('GET', '/audit-log', { token: auditor });
    expect(log.status).toBe(200);
    const backdated = log.json.entries.find((e: { action: string; subject: string }) => e.action === 'contribution.backdated' && e.subject === BACKDATER);
    expect(backdated).toMatchObject({ actor: 'op.wang', details: { id: yesterday.id, daysBack: 1, reason: 'the township office was closed' } });
    const write = log.json.entries.find((e: { action: string; details: { body?: { id?: string } } }) => e.action === 'POST /contributions' && e.details.body?.id === yesterday.id);
    expect(write).toMatchObject({ actor: 'op.wang', details: { status: 201 } });
    // Auditors read it; nobody writes it over HTTP, and a bad page parameter is refused.
    expect((await call('GET', '/audit-log?beforeSeq=0x10', { token: auditor })).status).toBe(400);
  });

  it('never records a password in the audit log', async () => {
    expect((await call('POST', '/users', { token: operator, body: { username: 'clerk.zhao', password: 'clerk-zhao-password-9', role: 'auditor' } })).status).toBe(201);
    const log = await call('GET', '/audit-log?limit=5', { token: auditor });
    const entry = log.json.entries.find((e: { action: string }) => e.action === 'POST /users');
    expect(entry.details.body).toEqual({ username: 'clerk.zhao', password: '[removed]', role: 'auditor' });
    expect(log.text).not.toContain('clerk-zhao-password-9');
  });
});

describe('statements, reports and runs over HTTP', () => {
  it('shows the account statement the kiosk shows', async () => {
    const res = await call('GET', `/persons/${PERSON}/statement`, { token: auditor });
    expect(res.status).toBe(200);
    expect(res.json.balancesFen).toEqual({ individual: 10_000, collective: 0, aid: 0, legacy: 0, government: 3_000 });
    expect(res.json.contributions.map((c: { year: number }) => c.year)).toEqual([2011]);
  });

  it('runs a payroll dry and for real, and serves its bank file', async () => {
    const elder = citizenNumberFor('1940-02-02', 40);
    expect((await call('POST', '/persons', { token: operator, body: personInput(elder, '1940-02-02', { bankAccount: '6222000000000009', name: '孙八' }) })).status).toBe(201);
    const dry = await call('POST', '/runs/payroll', { token: operator, body: { month: '2011-08', dryRun: true } });
    expect(dry.status).toBe(200);
    expect(dry.json).toMatchObject({ dryRun: true, paidPersons: 1 });
    expect((await call('GET', '/runs/payroll/2011-08/bank-file.csv', { token: auditor })).text.split('\r\n').filter(Boolean)).toHaveLength(1);
    const real = await call('POST', '/runs/payroll', { token: operator, body: { month: '2011-08', dryRun: false } });
    expect(real.json.paidPersons).toBe(1);
    expect((await call('POST', '/runs/payroll', { token: operator, body: { month: '2011-08', dryRun: false } })).json.paidPersons).toBe(0);
    const file = await call('GET', '/runs/payroll/2011-08/bank-file.csv', { token: auditor });
    expect(file.type).toContain('text/csv');
    // Months from the start (2010-08, after the scheme's start) through 2011-08: 13 × 55 yuan.
    expect(file.text.split('\r\n')[1]).toMatch(new RegExp(`^[0-9a-f-]{36},${elder},孙八,6222000000000009,71500,715.00,2010-08 `));
    const future = await call('POST', '/runs/payroll', { token: operator, body: { month: '2012-01', dryRun: false } });
    expect(future.status).toBe(422);
    expect(future.json.error.code).toBe('run-in-future');
    const badMonth = await call('POST', '/runs/payroll', { token: operator, body: { month: '2011-13' } });
    expect(badMonth.status).toBe(400);
    expect(badMonth.json.error.field).toBe('month');
  });

  it('refuses a payroll that would pay someone without a bank account, names them, and runs once one is recorded', async () => {
    const elder = citizenNumberFor('1941-03-03', 41);
    expect((await call('POST', '/persons', { token: operator, body: personInput(elder, '1941-03-03', { bankAccount: undefined }) })).status).toBe(201);
    for (const dryRun of [true, false]) {
      const refused = await call('POST', '/runs/payroll', { token: operator, body: { month: '2011-09', dryRun } });
      expect(refused.status).toBe(422);
      expect(refused.json.error).toMatchObject({ code: 'bank-account-missing', details: { citizenNumbers: [elder], count: 1 } });
    }
    const bad = await call('POST', `/persons/${elder}/bank-account`, { token: operator, body: { bankAccount: '6222 0000' } });
    expect(bad.json.error).toMatchObject({ code: 'invalid-input', field: 'bankAccount' });
    expect((await call('POST', `/persons/${elder}/bank-account`, { token: auditor, body: { bankAccount: '6222000000000041' } })).status).toBe(403);
    const set = await call('POST', `/persons/${elder}/bank-account`, { token: operator, body: { bankAccount: '6222000000000041' } });
    expect(set.status).toBe(200);
    expect(set.json.bankAccount).toBe('6222000000000041');
    const paid = await call('POST', '/runs/payroll', { token: operator, body: { month: '2011-09' } });
    expect(paid.status).toBe(200);
    expect(paid.json.lines.map((l: { citizenNumber: string }) => l.citizenNumber)).toContain(elder);
  });

  it('answers an unknown route with a JSON 404', async () => {
    const res = await call('GET', '/nothing-here', { token: auditor });
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe('not-found');
  });
});

describe('the OpenAPI document', () => {
  it('documents every route with the body schema the router enforces', async () => {
    const res = await call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.json.openapi).toBe('3.0.3');
    const routes = buildRoutes({ registry: stack.registry, runs: stack.runs });
    for (const route of routes) {
      const path = route.path.replace(/:([A-Za-z]+)/g, '{$1}');
      const op = res.json.paths[path]?.[route.method];
      expect(op, `${route.method} ${path}`).toBeDefined();
      expect(op['x-nongbao-role']).toBe(route.access);
    }
    expect(res.json.paths['/contributions'].post.requestBody.content['application/json'].schema).toEqual(
      z.toJSONSchema(counterContributionSchema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' }),
    );
  });

  it('every documented operation exists: without a token it is 401 (or served), never 404', async () => {
    const res = await call('GET', '/openapi.json');
    for (const [path, ops] of Object.entries(res.json.paths as Record<string, Record<string, { 'x-nongbao-role': string }>>)) {
      for (const [method, op] of Object.entries(ops)) {
        if (op['x-nongbao-role'] === 'public') continue;
        const concrete = path.replace('{citizenNumber}', PERSON).replace('{villageCode}', 'V001').replace('{householdId}', 'H1').replace('{month}', '2011-08');
        const answer = await call(method.toUpperCase(), concrete);
        expect(answer.status, `${method} ${path}`).toBe(401);
      }
    }
  });
});

describe('a payroll running over HTTP', () => {
  // Chunks of one person: the run takes many event-loop turns, long enough to
  // send other requests while it is in flight.
  const ELDERS = 150;
  let runStack: TestStack;
  let runServer: Server;
  let runBase: string;
  let token: string;
  beforeAll(async () => {
    runStack = openTestStack({ today: '2011-09-01', chunkPersons: 1 });
    runStack.registry.users.createUser('op.zhao', 'operator-password-2', 'operator');
    runStack.registry.persons.createVillage({ code: 'V001', name: '上坝村' });
    runStack.db.transaction(() => {
      for (let i = 0; i < ELDERS; i++) runStack.registry.persons.registerPerson(personInput(citizenNumberFor('1940-02-02', 100 + i), '1940-02-02'), TEST_OPERATOR);
    })();
    const app = express();
    app.use('/api/v1', createApiRouter({ db: runStack.db, ledger: runStack.ledger, policy: runStack.policy, schemeStart: '2010-07-01', registry: runStack.registry, runs: runStack.runs }));
    runServer = createServer(app);
    await new Promise<void>((resolve) => runServer.listen(0, '127.0.0.1', resolve));
    runBase = `http://127.0.0.1:${(runServer.address() as AddressInfo).port}/api/v1`;
    token = (await apiCall(runBase, 'POST', '/login', { body: { username: 'op.zhao', password: 'operator-password-2' } })).json.token;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => runServer.close(() => resolve()));
    runStack.close();
  });

  it('answers other requests while it runs, refuses a second run with 409, and then pays everyone once', async () => {
    let payrollAnswered = false;
    const payroll = apiCall(runBase, 'POST', '/runs/payroll', { token, body: { month: '2011-08', dryRun: false } }).then((res) => {
      payrollAnswered = true;
      return res;
    });
    // Wait until the run is recorded as started (each poll is itself answered during the run).
    let started = false;
    for (let i = 0; i < 200 && !started && !payrollAnswered; i++) {
      const runs = await apiCall(runBase, 'GET', '/runs', { token });
      started = runs.json.some((r: { runKey: string; finishedAt: string | null }) => r.runKey === 'payroll:2011-08' && r.finishedAt === null);
    }
    expect(started).toBe(true);
    const second = await apiCall(runBase, 'POST', '/runs/interest', { token, body: { year: 2010, dryRun: false } });
    expect(payrollAnswered).toBe(false);
    expect(second.status).toBe(409);
    expect(second.json.error).toMatchObject({ code: 'run-in-progress' });
    const res = await payroll;
    expect(res.status).toBe(200);
    expect(res.json.paidPersons).toBe(ELDERS);
    expect((await apiCall(runBase, 'POST', '/runs/payroll', { token, body: { month: '2011-08', dryRun: false } })).json).toMatchObject({ paidPersons: 0, alreadyDecidedPersons: ELDERS });
  });

  it('refuses logins from a client address after too many failures on any names (429 naming the client)', async () => {
    for (let i = 0; i < LOGIN_FAILURES_PER_ADDRESS_LIMIT; i++) {
      expect((await apiCall(runBase, 'POST', '/login', { body: { username: `guess.${i}`, password: 'spray-password' } })).status).toBe(401);
    }
    const res = await apiCall(runBase, 'POST', '/login', { body: { username: 'op.zhao', password: 'operator-password-2' } });
    expect(res.status).toBe(429);
    expect(res.json.error).toMatchObject({ code: 'too-many-logins', field: 'client' });
    expect(res.headers.get('retry-after')).toBe(String(res.json.error.details.retryAfterSeconds));
  });
});
