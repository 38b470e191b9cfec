// Coverage, campaigns and the printed publicity list over real HTTP (POLICY.md
// "Publicity and coverage"): the app on port 0, a real SQLite registry, bearer
// tokens of an operator and an auditor, as in api.test.ts.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'csv-parse/sync';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { campaignInputSchema } from '../registry/index.js';
import { citizenNumberFor, openTestStack, personInput, TEST_OPERATOR, testUuid, type TestStack } from '../registry/test-support.js';
import { createApiRouter } from './index.js';
import { apiCall } from './test-client.js';

let stack: TestStack;
let server: Server;
let base: string;
let operator: string;
let auditor: string;

async function call(method: string, path: string, options: { token?: string; body?: unknown } = {}) {
  return apiCall(base, method, path, options);
}

// Scheme start 2010-07-01, today 2012-03-10.
// V001 上坝村: A 1970 (张三丰) paid 2011 on 2011-08-01 and 2012 on 2012-03-05;
//              C 1940 (孙八) aged 60+ at the start, a pensioner; D 1980 (李四) did not pay 2011.
// V002 下河村: I 1960 (王五) paid 2011 on 2011-11-11.
const A = citizenNumberFor('1970-03-15', 1);
const C = citizenNumberFor('1940-02-02', 3);
const D = citizenNumberFor('1980-01-01', 4);
const I = citizenNumberFor('1960-01-01', 9);

function pay(citizenNumber: string, year: number, paidAt: string): void {
  expect(
    stack.registry.recordContribution({ id: testUuid(paidAt.slice(0, 10)), citizenNumber, year, tierYuan: 100, channel: 'counter', paidAt }, { historical: true }).result,
  ).toBe('created');
}

beforeAll(async () => {
  stack = openTestStack({ today: '2012-03-10' });
  stack.registry.users.createUser('op.wang', 'operator-password-1', 'operator');
  stack.registry.users.createUser('audit.li', 'auditor-password-1', 'auditor');
  const persons = stack.registry.persons;
  persons.createVillage({ code: 'V001', name: '上坝村' });
  persons.createVillage({ code: 'V002', name: '下河村' });
  persons.registerPerson(personInput(A, '1970-03-15'), TEST_OPERATOR);
  persons.registerPerson(personInput(C, '1940-02-02', { name: '孙八', bankAccount: '6222000000000009' }), TEST_OPERATOR);
  persons.registerPerson(personInput(D, '1980-01-01', { name: '李四' }), TEST_OPERATOR);
  persons.registerPerson(personInput(I, '1960-01-01', { name: '王五', villageCode: 'V002' }), TEST_OPERATOR);
  pay(A, 2011, '2011-08-01T10:00:00+08:00');
  pay(I, 2011, '2011-11-11T10:00:00+08:00');
  pay(A, 2012, '2012-03-05T10:00:00+08:00');
  expect(stack.runs.payroll('2011-08').paidPersons).toBe(1);
  const app = express();
  app.use('/api/v1', createApiRouter({ db: stack.db, ledger: stack.ledger, policy: stack.policy, schemeStart: '2010-07-01', registry: stack.registry, runs: stack.runs }));
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  operator = (await call('POST', '/login', { body: { username: 'op.wang', password: 'operator-password-1' } })).json.token;
  auditor = (await call('POST', '/login', { body: { username: 'audit.li', password: 'auditor-password-1' } })).json.token;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  stack.close();
});

describe('coverage over HTTP', () => {
  it('lets an operator, not an auditor, set the eligible population', async () => {
    const denied = await call('POST', '/villages/V001/eligible-populations', { token: auditor, body: { year: 2011, eligiblePersons: 4 } });
    expect(denied.status).toBe(403);
    const set = await call('POST', '/villages/V001/eligible-populations', { token: operator, body: { year: 2011, eligiblePersons: 4 } });
    expect(set.status).toBe(200);
    expect(set.json).toEqual({ villageCode: 'V001', year: 2011, eligiblePersons: 4 });
    const bad = await call('POST', '/villages/V001/eligible-populations', { token: operator, body: { year: 2011, eligiblePersons: 4.5 } });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: 'invalid-input', field: 'eligiblePersons' });
    const unknown = await call('POST', '/villages/V404/eligible-populations', { token: operator, body: { year: 2011, eligiblePersons: 4 } });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe('village-not-found');
  });

  it("answers a village's coverage with hand-checked ratios", async () => {
    // Enrolled A C D = 3 of 4: 7500 bp. Under 60 for 2011: A D; A paid: 1 of 2 = 5000 bp.
    const res = await call('GET', '/villages/V001/coverage?year=2011', { token: auditor });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      year: 2011,
      asOf: '2011-12-31',
      villageCode: 'V001',
      villageName: '上坝村',
      enrolled: 3,
      eligiblePopulation: { persons: 4, countedForYear: 2011 },
      enrolment: { numerator: 3, denominator: 4, basisPoints: 7500 },
      enrolledUnder60: 2,
      contributed: 1,
      contribution: { numerator: 1, denominator: 2, basisPoints: 5000 },
    });
  });

  it('answers the county with every village and the total', async () => {
    const res = await call('GET', '/coverage?year=2011', { token: auditor });
    expect(res.status).toBe(200);
    expect(res.json.villages.map((v: { villageCode: string }) => v.villageCode)).toEqual(['V001', 'V002']);
    // A and I paid of A, D, I under 60: 6666.67 bp; V002 has no eligible count, so no county enrolment ratio.
    expect(res.json.total).toEqual({
      villages: 2,
      enrolled: 4,
      eligiblePersons: null,
      enrolment: null,
      villagesWithoutEligiblePopulation: { count: 1, codes: ['V002'] },
      enrolledUnder60: 3,
      contributed: 2,
      contribution: { numerator: 2, denominator: 3, basisPoints: 6667 },
    });
  });

  it('refuses a malformed or missing year (400), a year not begun (422) and an unknown village (404)', async () => {
    for (const query of ['?year=20x1', '', '?year=2011&year=2012', '?year=2011&extra=1', '?year=1999']) {
      const res = await call('GET', `/coverage${query}`, { token: auditor });
      expect(res.status, query).toBe(400);
    }
    expect((await call('GET', '/coverage?year=20x1', { token: auditor })).json.error.field).toBe('year');
    const future = await call('GET', '/coverage?year=2013', { token: auditor });
    expect(future.status).toBe(422);
    expect(future.json.error).toMatchObject({ code: 'future-year', field: 'year' });
    expect((await call('GET', '/villages/V404/coverage?year=2011', { token: auditor })).status).toBe(404);
    expect((await call('GET', '/coverage?year=2011')).status).toBe(401);
  });
});

describe('a collection campaign over HTTP', () => {
  const campaign = { year: 2012, startDate: '2012-03-01', endDate: '2012-03-20', targetContributions: 5 };

  it('is 404 until set, and only an operator sets it', async () => {
    const none = await call('GET', '/campaigns/2012/progress', { token: auditor });
    expect(none.status).toBe(404);
    expect(none.json.error).toMatchObject({ code: 'not-found', field: 'year' });
    expect((await call('GET', '/campaigns/2012', { token: auditor })).status).toBe(404);
    expect((await call('POST', '/campaigns', { token: auditor, body: campaign })).status).toBe(403);
    const set = await call('POST', '/campaigns', { token: operator, body: campaign });
    expect(set.status).toBe(200);
    expect(set.json).toMatchObject({ ...campaign, villageTargets: [], setBy: 'op.wang' });
    expect((await call('GET', '/campaigns/2012', { token: auditor })).json).toEqual(set.json);
  });

  it('answers progress per day against the target', async () => {
    const res = await call('GET', '/campaigns/2012/progress', { token: auditor });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'running', asOf: '2012-03-10', targetContributions: 5, beforeStart: 0 });
    expect(res.json.days).toHaveLength(10);
    expect(res.json.days[4]).toEqual({
      date: '2012-03-05',
      contributions: 1,
      cumulative: 1,
      // 5 × 5 ÷ 20 = 1.25 -> 1
      plannedCumulative: 1,
      ofTarget: { numerator: 1, denominator: 5, basisPoints: 2000 },
    });
    // Day 10: 5 × 10 ÷ 20 = 2.5, half-up -> 3.
    expect(res.json.days[9].plannedCumulative).toBe(3);
    expect(res.json.total).toEqual({ contributions: 1, ofTarget: { numerator: 1, denominator: 5, basisPoints: 2000 }, daysElapsed: 10, daysTotal: 20 });
    const v2 = await call('GET', '/campaigns/2012/progress?villageCode=V002', { token: auditor });
    expect(v2.json).toMatchObject({ village: { code: 'V002', name: '下河村' }, targetContributions: null, total: { contributions: 0 } });
  });

  it('refuses bad campaigns with the field, and bad paths and queries', async () => {
    const backwards = await call('POST', '/campaigns', { token: operator, body: { ...campaign, endDate: '2012-02-01' } });
    expect(backwards.status).toBe(400);
    expect(backwards.json.error).toMatchObject({ code: 'invalid-date', field: 'endDate' });
    const noTarget = await call('POST', '/campaigns', { token: operator, body: { ...campaign, targetContributions: undefined } });
    expect(noTarget.status).toBe(400);
    expect(noTarget.json.error.field).toBe('targetContributions');
    const unknownVillage = await call('POST', '/campaigns', { token: operator, body: { ...campaign, villageTargets: [{ villageCode: 'V404', targetContributions: 1 }] } });
    expect(unknownVillage.status).toBe(404);
    expect(unknownVillage.json.error.field).toBe('villageTargets[0].villageCode');
    expect((await call('GET', '/campaigns/12/progress', { token: auditor })).status).toBe(400);
    expect((await call('GET', '/campaigns/2012/progress?villageCode=V404', { token: auditor })).status).toBe(404);
    expect((await call('GET', '/campaigns/2012/progress?village=V001', { token: auditor })).status).toBe(400);
    expect((await call('GET', '/campaigns/2012', { token: auditor })).json.endDate).toBe('2012-03-20');
  });
});

describe('the printed publicity list', () => {
  it('is the JSON list as CSV: header, masked names, one row per person', async () => {
    const res = await call('GET', '/villages/V001/publicity.csv?year=2011', { token: auditor });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="publicity-V001-2011.csv"');
    const rows = parse(res.text, { bom: true }) as string[][];
    const listed = (await call('GET', '/villages/V001/publicity?year=2011', { token: auditor })).json;
    expect(rows).toEqual([
      ['section', 'name', 'tierYuan', 'paidOn', 'monthlyFen', 'monthlyYuan', 'certification'],
      ['contributor', '张*丰', '100', '2011-08-01', '', '', ''],
      // 55 yuan basic pension; C is 60+ and has no account pension.
      ['recipient', '孙*', '', '', '5500', '55.00', listed.recipients[0].certification],
    ]);
    expect(listed.contributors).toEqual([{ name: '张*丰', tierYuan: 100, paidOn: '2011-08-01' }]);
    expect(res.text).not.toContain('张三丰');
    expect(res.text).not.toContain(A);
  });

  it('answers an unknown village with a JSON 404 and a missing year with 400', async () => {
    const res = await call('GET', '/villages/V404/publicity.csv?year=2011', { token: auditor });
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe('village-not-found');
    expect((await call('GET', '/villages/V001/publicity.csv', { token: auditor })).status).toBe(400);
    expect((await call('GET', '/villages/V001/publicity.csv?year=2011')).status).toBe(401);
  });
});

describe('the OpenAPI document', () => {
  it('documents the new operations with their roles, parameters and the body schema the router enforces', async () => {
    const doc = (await call('GET', '/openapi.json')).json;
    expect(doc.paths['/campaigns'].post['x-nongbao-role']).toBe('operator');
    expect(doc.paths['/campaigns'].post.requestBody.content['application/json'].schema).toEqual(
      z.toJSONSchema(campaignInputSchema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' }),
    );
    expect(doc.paths['/coverage'].get.parameters).toEqual([expect.objectContaining({ name: 'year', in: 'query', required: true })]);
    expect(doc.paths['/campaigns/{year}/progress'].get.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual([
      'path:year',
      'query:villageCode',
    ]);
    expect(doc.paths['/villages/{villageCode}/publicity.csv'].get.responses['200'].content).toHaveProperty('text/csv');
    expect(doc.paths['/villages/{villageCode}/eligible-populations'].post['x-nongbao-role']).toBe('operator');
    expect(doc.paths['/villages/{villageCode}/coverage'].get['x-nongbao-role']).toBe('auditor');
  });
});
