// Issue 10 section 1 over the office API: a person aged 86 registered today
// with a certification is paid from next month, not from the scheme's start;
// an enrolment date stated from the old scheme's register moves the start to
// the month after it (POLICY.md "When a pension is paid": never retroactively).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VILLAGE_REGISTER_COLUMNS } from '../registry/register-import.js';
import { citizenNumberFor, openTestStack, personInput, statedEnrolment, testUuid, type TestStack } from '../registry/test-support.js';
import { createApiRouter } from './index.js';
import { apiCall } from './test-client.js';

let stack: TestStack;
let server: Server;
let base: string;
let operator: string;

const TODAY = '2026-12-05';
const call = (method: string, path: string, options: { body?: unknown; raw?: string; type?: string } = {}) => apiCall(base, method, path, { token: operator, ...options });
/** A real payroll (not a dry run), whatever the default. */
const payroll = (month: string) => call('POST', '/runs/payroll', { body: { month, dryRun: false } });
const certify = (citizenNumber: string) => call('POST', '/certifications', { body: { id: testUuid(TODAY), citizenNumber, certifiedOn: TODAY } });

/** Months from..to inclusive, YYYY-MM. */
function months(from: string, to: string): string[] {
  const out: string[] = [];
  for (let [y, m] = from.split('-').map(Number) as [number, number]; `${y}-${String(m).padStart(2, '0')}` <= to; m === 12 ? ((m = 1), y++) : m++) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
  }
  return out;
}

async function login(): Promise<void> {
  operator = (await apiCall(base, 'POST', '/login', { body: { username: 'op.wang', password: 'operator-password-1' } })).json.token;
}

beforeAll(async () => {
  stack = openTestStack({ today: TODAY });
  stack.registry.users.createUser('op.wang', 'operator-password-1', 'operator');
  const app = express();
  app.use('/api/v1', createApiRouter({ db: stack.db, ledger: stack.ledger, policy: stack.policy, schemeStart: '2010-07-01', registry: stack.registry, runs: stack.runs }));
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  await login();
  expect((await call('POST', '/villages', { body: { code: 'V001', name: '上坝村' } })).status).toBe(201);
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  stack.close();
});

describe('the pension of a person aged 86 registered today (issue 10 section 1)', () => {
  const NEW = citizenNumberFor('1940-03-03', 1);
  const OLD = citizenNumberFor('1940-04-04', 2);

  it('starts next month without a statement, and the month after the stated old-scheme enrolment with one', async () => {
    const registered = await call('POST', '/persons', { body: personInput(NEW, '1940-03-03', { enrolmentStatement: undefined, bankAccount: '6222000000000001' }) });
    expect(registered.status).toBe(201);
    expect(registered.json).toMatchObject({ registeredAt: TODAY, enrolledOn: TODAY, enrolmentStatement: null });
    const stated = await call('POST', '/persons', { body: personInput(OLD, '1940-04-04', { enrolmentStatement: statedEnrolment('2015-03-10'), bankAccount: '6222000000000002' }) });
    expect(stated.status).toBe(201);
    expect(stated.json).toMatchObject({ registeredAt: TODAY, enrolledOn: '2015-03-10', enrolmentStatement: { statedBy: 'op.wang', source: 'old-scheme-register' } });
    for (const cn of [NEW, OLD]) expect((await certify(cn)).status).toBe(201);

    const december = await payroll('2026-12');
    expect(december.status).toBe(200);
    // Today's code paid NEW 197 months (2010-08 to 2026-12) here.
    expect(december.json.lines.map((l: { citizenNumber: string }) => l.citizenNumber)).toEqual([OLD]);
    expect(december.json.lines[0]).toMatchObject({ monthsPaid: months('2015-04', '2026-12'), totalFen: 141 * 5500 });
    expect((await call('GET', `/persons/${NEW}/statement`)).json.pension).toMatchObject({ status: 'not-started', startMonth: null });

    stack.setToday('2027-01-10');
    await login(); // the session of December has expired
    const january = await payroll('2027-01');
    const lines = january.json.lines as { citizenNumber: string; monthsPaid: string[]; totalFen: number }[];
    expect(lines.find((l) => l.citizenNumber === NEW)).toMatchObject({ monthsPaid: ['2027-01'], totalFen: 5500 });
    expect(lines.find((l) => l.citizenNumber === OLD)).toMatchObject({ monthsPaid: ['2027-01'] });
    expect((await call('GET', `/persons/${NEW}/statement`)).json.pension).toMatchObject({ status: 'paid', startMonth: '2027-01' });
  });

  it('refuses an enrolment date out of bounds with a specific error and registers nobody', async () => {
    const cn = citizenNumberFor('1940-05-05', 3);
    const future = await call('POST', '/persons', { body: personInput(cn, '1940-05-05', { enrolmentStatement: statedEnrolment('2099-01-01') }) });
    expect(future.status).toBe(400);
    expect(future.json.error).toMatchObject({ code: 'enrolment-in-future', field: 'enrolmentStatement.enrolledOn' });
    const early = await call('POST', '/persons', { body: personInput(cn, '1940-05-05', { enrolmentStatement: statedEnrolment('2009-01-01') }) });
    expect(early.status).toBe(422);
    expect(early.json.error).toMatchObject({ code: 'enrolled-before-scheme-start', field: 'enrolmentStatement.enrolledOn' });
    const backdated = await call('POST', '/persons', { body: personInput(cn, '1940-05-05', { enrolmentStatement: undefined, registeredOn: '2012-01-01' }) });
    expect(backdated.status).toBe(400);
    expect(backdated.json.error.field).toBe('registeredOn');
    expect((await call('GET', `/persons/${cn}`)).status).toBe(404);
  });
});

describe("the village register import of an old scheme's register", () => {
  const header = VILLAGE_REGISTER_COLUMNS.join(',');

  it('enrols everyone in the file on the date stated in the query, by the logged-in operator', async () => {
    const cn = citizenNumberFor('1950-06-06', 4);
    const csv = [header, `${cn},周六,1950-06-06,V001,,1,0,0,0,`].join('\n');
    const query = `enrolledOn=2013-05-06&source=old-scheme-register&reason=${encodeURIComponent('老农保花名册 2009')}`;
    const res = await call('POST', `/persons/import?${query}`, { raw: csv, type: 'text/csv' });
    expect(res.status).toBe(201);
    expect((await call('GET', `/persons/${cn}`)).json).toMatchObject({
      enrolledOn: '2013-05-06',
      enrolmentStatement: { enrolledOn: '2013-05-06', source: 'old-scheme-register', reason: '老农保花名册 2009', statedBy: 'op.wang' },
    });
  });

  it('refuses a partial statement, an unknown source and a date before the scheme, importing nothing', async () => {
    const cn = citizenNumberFor('1950-07-07', 5);
    const csv = [header, `${cn},吴七,1950-07-07,V001,,1,0,0,0,`].join('\n');
    const partial = await call('POST', '/persons/import?enrolledOn=2013-05-06', { raw: csv, type: 'text/csv' });
    expect(partial.status).toBe(400);
    expect(partial.json.error).toMatchObject({ code: 'incomplete-enrolment-statement', field: 'source' });
    const source = await call('POST', '/persons/import?enrolledOn=2013-05-06&source=hearsay&reason=x', { raw: csv, type: 'text/csv' });
    expect(source.status).toBe(400);
    expect(source.json.error.field).toBe('source');
    const early = await call('POST', '/persons/import?enrolledOn=2010-06-30&source=old-scheme-register&reason=x', { raw: csv, type: 'text/csv' });
    expect(early.status).toBe(422);
    expect(early.json.error).toMatchObject({ code: 'enrolled-before-scheme-start', field: 'enrolledOn' });
    expect((await call('GET', `/persons/${cn}`)).status).toBe(404);
  });

  it('documents the statement in the OpenAPI document', async () => {
    const doc = (await apiCall(base, 'GET', '/openapi.json')).json;
    const params = doc.paths['/persons/import'].post.parameters as { name: string; in: string; required: boolean }[];
    expect(params.map((p) => [p.name, p.in, p.required])).toEqual([
      ['enrolledOn', 'query', false],
      ['source', 'query', false],
      ['reason', 'query', false],
    ]);
    const body = doc.paths['/persons'].post.requestBody.content['application/json'].schema;
    expect(Object.keys(body.properties.enrolmentStatement.properties)).toEqual(['enrolledOn', 'source', 'reason']);
    expect(body.properties.registeredOn).toBeUndefined();
  });
});
