// Query and path parameters are as strict as bodies (issue 10 section 5):
// `?year=0x7E9` used to be read as 2025. The table test walks the route
// table itself, so a route added later is checked without touching this file
// (it fails until its parameters have a valid sample below).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { citizenNumberFor, openTestStack, type TestStack } from '../registry/test-support.js';
import { createApiRouter } from './index.js';
import { buildRoutes, type RouteSpec } from './routes.js';
import { apiCall } from './test-client.js';

const PERSON = citizenNumberFor('1970-03-15', 1);
/** A value each parameter name accepts; a new parameter name needs one here. */
const VALID_SAMPLE: Record<string, string> = {
  year: '2011',
  month: '2011-08',
  villageCode: 'V001',
  citizenNumber: PERSON,
  householdId: 'H1',
  terminalId: 'kiosk-params-01',
  eventId: '01a20562-9ad7-7028-b880-1783f7c2e6ec',
  rolloutId: '01a20562-9ad7-7028-b880-1783f7c2e6ed',
  beforeSeq: '5',
  limit: '5',
  actor: 'op.wang',
  enrolledOn: '2011-04-04',
  source: 'old-scheme-register',
  reason: 'on the old scheme register of 2009',
  collectionId: '01a20562-9ad7-7028-b880-1783f7c2e6ed',
  alarmId: '7',
  date: '2011-08-15',
  state: 'open',
  kind: 'pension-complaint',
  requestId: '01a20562-9ad7-7028-b880-1783f7c2e6ed',
  certificationId: '01a20562-9ad7-7028-b880-1783f7c2e6ee',
  q: '王',
  sort: 'name',
  order: 'desc',
  after: 'WyLnjosiLCIxIl0',
};
/** Free text (trimmed, any characters): only a repeated parameter is lax there. */
const FREE_TEXT = new Set(['reason']);

/** What a lax reader (Number(), z.coerce, parseInt, trim) would take for the sample and a strict one refuses. */
function laxVariants(sample: string): unknown[] {
  const variants: unknown[] = [[sample, sample], ` ${sample}`, `${sample} `, `${sample}\n`, `\t${sample}`, ''];
  if (/^\d+$/.test(sample)) {
    const n = Number(sample);
    variants.push(`0x${n.toString(16).toUpperCase()}`, `0x${n.toString(16)}`, `${sample}.0`, `+${sample}`, `${sample}e0`, `0${sample}`, `0b${n.toString(2)}`);
    variants.push(sample.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)))); // full-width digits
  }
  return variants;
}

let stack: TestStack;
let routes: RouteSpec[];

beforeAll(() => {
  stack = openTestStack({ today: '2011-09-01' });
  routes = buildRoutes({ registry: stack.registry, runs: stack.runs });
});
afterAll(() => stack.close());

describe('every query and path parameter of the route table', () => {
  it('is a named parameter of an object schema, and its valid sample is accepted', () => {
    let checked = 0;
    for (const route of routes) {
      for (const [where, schema] of [['query', route.query], ['params', route.params]] as const) {
        if (schema === undefined) continue;
        expect(schema, `${route.method} ${route.path} ${where}`).toBeInstanceOf(z.ZodObject);
        const shape = (schema as z.ZodObject).shape;
        for (const name of Object.keys(shape)) expect(VALID_SAMPLE[name], `a valid sample for the parameter "${name}"`).toBeDefined();
        const sample = Object.fromEntries(Object.keys(shape).map((name) => [name, VALID_SAMPLE[name]]));
        expect(schema.safeParse(sample).success, `${route.method} ${route.path} ${where} accepts ${JSON.stringify(sample)}`).toBe(true);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('refuses a value that a lax reader would take for a valid one, naming the parameter', () => {
    for (const route of routes) {
      for (const [where, schema] of [['query', route.query], ['params', route.params]] as const) {
        if (schema === undefined) continue;
        const names = Object.keys((schema as z.ZodObject).shape);
        const sample = Object.fromEntries(names.map((name) => [name, VALID_SAMPLE[name]]));
        for (const name of names) {
          for (const variant of FREE_TEXT.has(name) ? [[VALID_SAMPLE[name], VALID_SAMPLE[name]]] : laxVariants(VALID_SAMPLE[name]!)) {
            const parsed = schema.safeParse({ ...sample, [name]: variant });
            const what = `${route.method} ${route.path} ${where} ${name}=${JSON.stringify(variant)}`;
            expect(parsed.success, `${what} is refused`).toBe(false);
            expect(parsed.error?.issues[0]?.path, what).toEqual([name]);
          }
        }
      }
    }
  });
});

describe('over HTTP', () => {
  let server: Server;
  let base: string;
  let token: string;
  beforeAll(async () => {
    stack.registry.users.createUser('audit.li', 'auditor-password-1', 'auditor');
    stack.registry.persons.createVillage({ code: 'V001', name: '上坝村' });
    const app = express();
    app.use('/api/v1', createApiRouter({ db: stack.db, ledger: stack.ledger, policy: stack.policy, schemeStart: '2010-07-01', registry: stack.registry, runs: stack.runs }));
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
    token = (await apiCall(base, 'POST', '/login', { body: { username: 'audit.li', password: 'auditor-password-1' } })).json.token;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it.each(['0x7E9', '2025.0', '%202025', '2025%20', '+2025', '2025&year=2026'])('refuses ?year=%s with 400 naming year', async (year) => {
    for (const path of ['/villages/V001/publicity', '/villages/V001/publicity.csv', '/villages/V001/coverage', '/coverage']) {
      const res = await apiCall(base, 'GET', `${path}?year=${year}`, { token });
      expect(res.status, `${path}?year=${year}`).toBe(400);
      expect(res.json.error.field, path).toBe('year');
    }
    const campaign = await apiCall(base, 'GET', `/campaigns/${year.replace('&year=2026', '%2C2026')}`, { token });
    expect(campaign.status).toBe(400);
    expect(campaign.json.error.field).toBe('year');
  });

  it('answers ?year=2011 (the same value written plainly)', async () => {
    const res = await apiCall(base, 'GET', '/villages/V001/publicity?year=2011', { token });
    expect(res.status).toBe(200);
    expect(res.json.year).toBe(2011);
  });
});
