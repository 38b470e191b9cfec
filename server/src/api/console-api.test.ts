// The office API as the console uses it (issue 14): resident search paged by
// keyset with masked names, a register checked without importing, previews
// that write nothing and say what the write would, a payroll dry run that
// names who is not paid and why, run progress a second client can watch,
// and the Today summary agreeing with the coverage and campaign routes.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citizenNumberFor, openTestStack, personInput, testUuid, type TestStack, TEST_OPERATOR } from '../registry/test-support.js';
import { createApiRouter } from './index.js';
import { apiCall } from './test-client.js';
import { databaseSnapshot } from './test-snapshot.js';
import { KioskEvents } from '../kiosk/events.js';
import { CertificationPhotos, KioskRequests, PhotoKey } from '../kiosk/index.js';
import { PHOTO_SEAL_SCHEME } from '@nongbao/protocol';
import { Fleet } from '../gateway/index.js';

const SURNAMES = ['王', '李', '张'];
const GIVEN = ['德明', '秀英', '建国', '桂兰'];
/** 30 persons in V001, 10 in V002; born 1970-1990 (payers). */
const PAYERS = Array.from({ length: 40 }, (_, i) => {
  const born = `${1970 + (i % 20)}-0${1 + (i % 9)}-1${i % 10}`;
  return { citizenNumber: citizenNumberFor(born, 100 + i), born, name: `${SURNAMES[i % 3]}${GIVEN[i % 4]}`, villageCode: i < 30 ? 'V001' : 'V002' };
});
const ELDER_LAPSED = citizenNumberFor('1941-03-03', 1);
const ELDER_DEAD = citizenNumberFor('1942-04-04', 2);
const ELDER_OK = citizenNumberFor('1943-05-05', 3);

let stack: TestStack;
let server: Server;
let base: string;
let operator: string;
let auditor: string;

beforeAll(async () => {
  stack = openTestStack({ today: '2011-09-01', chunkPersons: 1 });
  const { persons, users } = stack.registry;
  users.createUser('op.wang', 'operator-password-1', 'operator');
  users.createUser('audit.li', 'auditor-password-1', 'auditor');
  persons.createVillage({ code: 'V001', name: '上坝村' });
  persons.createVillage({ code: 'V002', name: '下坝村' });
  for (const p of PAYERS) persons.registerPerson(personInput(p.citizenNumber, p.born, { name: p.name, villageCode: p.villageCode }), TEST_OPERATOR);
  for (const [cn, born] of [[ELDER_LAPSED, '1941-03-03'], [ELDER_DEAD, '1942-04-04'], [ELDER_OK, '1943-05-05']] as const) {
    persons.registerPerson(personInput(cn, born, { name: '赵老汉', villageCode: 'V002' }), TEST_OPERATOR);
  }
  // The pensions start in 2010-08 (certified through 2011-08 by starting); the lapsed elder never certifies again.
  stack.setToday('2011-07-05');
  for (const cn of [ELDER_DEAD, ELDER_OK]) stack.registry.recordCertification({ id: testUuid('2011-07-05'), citizenNumber: cn, certifiedOn: '2011-07-05', channel: 'counter' });
  stack.setToday('2011-08-05');
  stack.runs.payroll('2011-08');
  stack.setToday('2011-09-01');
  persons.reportDeath({ citizenNumber: ELDER_DEAD, deathDate: '2011-07-20', reportedOn: '2011-08-30' });
  const app = express();
  app.use('/api/v1', createApiRouter({ db: stack.db, ledger: stack.ledger, policy: stack.policy, schemeStart: '2010-07-01', registry: stack.registry, runs: stack.runs }));
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  operator = (await apiCall(base, 'POST', '/login', { body: { username: 'op.wang', password: 'operator-password-1' } })).json.token;
  auditor = (await apiCall(base, 'POST', '/login', { body: { username: 'audit.li', password: 'auditor-password-1' } })).json.token;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  stack.close();
});

/** Every page of a search, following `next`. */
async function allPages(query: string, limit: number): Promise<{ pages: number; rows: Array<Record<string, unknown>>; total: number }> {
  const rows: Array<Record<string, unknown>> = [];
  let after: string | null = null;
  let pages = 0;
  let total = 0;
  do {
    const res = await apiCall(base, 'GET', `/persons?${query}&limit=${limit}${after ? `&after=${after}` : ''}`, { token: auditor });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    rows.push(...res.json.residents);
    after = res.json.next;
    total = res.json.total;
    pages += 1;
  } while (after !== null && pages < 100);
  return { pages, rows, total };
}

describe('resident search', () => {
  it('pages a village by name on the server: every resident once, in order, with the count', async () => {
    const { pages, rows, total } = await allPages('villageCode=V001&sort=name', 7);
    expect(total).toBe(30);
    expect(rows).toHaveLength(30);
    expect(pages).toBe(5);
    expect(new Set(rows.map((r) => r.citizenNumber)).size).toBe(30);
    const byName = PAYERS.filter((p) => p.villageCode === 'V001').sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.citizenNumber < b.citizenNumber ? -1 : 1));
    expect(rows.map((r) => r.citizenNumber)).toEqual(byName.map((p) => p.citizenNumber));
  });

  it('sorts descending by birth date across pages', async () => {
    const { rows } = await allPages('sort=birthDate&order=desc', 9);
    expect(rows).toHaveLength(43);
    const dates = rows.map((r) => `${r.birthDate as string}|${r.citizenNumber as string}`);
    expect(dates).toEqual([...dates].sort().reverse());
  });

  it('finds by name prefix and by citizen-number prefix, masking names and numbers', async () => {
    const wang = await apiCall(base, 'GET', `/persons?q=${encodeURIComponent('王德')}`, { token: auditor });
    const expected = PAYERS.filter((p) => p.name.startsWith('王德'));
    expect(wang.json.total).toBe(expected.length);
    expect(wang.json.residents.map((r: { maskedName: string }) => r.maskedName)).toEqual(expected.map(() => '王*明'));
    expect(wang.text).not.toContain('王德明');
    const one = PAYERS[5]!;
    const byNumber = await apiCall(base, 'GET', `/persons?q=${one.citizenNumber.slice(0, 14)}`, { token: auditor });
    expect(byNumber.json.residents.map((r: { citizenNumber: string }) => r.citizenNumber)).toContain(one.citizenNumber);
    expect(byNumber.json.residents[0].maskedCitizenNumber).toMatch(/^\d{6}\*{8}[\dX]{4}$/);
  });

  it('refuses a cursor it did not give', async () => {
    const res = await apiCall(base, 'GET', '/persons?after=bm90LWEtY3Vyc29y', { token: auditor });
    expect(res.status).toBe(400);
    expect(res.json.error.field).toBe('after');
  });
});

const REGISTER_HEADER = 'citizenNumber,name,birthDate,villageCode,householdId,hukouInCounty,fullTimeStudent,urbanEmployeePension,severelyDisabled,bankAccount';
function registerRow(cn: string, born: string): string {
  return `${cn},刘新民,${born},V002,,1,0,0,0,`;
}

describe('checking a village register', () => {
  it('reports the broken row with its line and writes nothing, nor an audit entry', async () => {
    const csv = [REGISTER_HEADER, registerRow(citizenNumberFor('1980-01-01', 700), '1980-01-01'), registerRow(citizenNumberFor('1980-01-02', 701), '1981-01-02')].join('\n');
    const before = databaseSnapshot(stack.db);
    const res = await apiCall(base, 'POST', '/persons/import/check', { token: operator, raw: csv, type: 'text/csv' });
    expect(res.status, res.text).toBe(400);
    expect(res.json.error.details.rows).toEqual([expect.objectContaining({ line: 3, field: 'birthDate', code: 'birth-date-mismatch' })]);
    expect(databaseSnapshot(stack.db)).toEqual(before);
  });

  it('says how many a good register would register, and writes nothing; the import then registers them', async () => {
    const csv = [REGISTER_HEADER, registerRow(citizenNumberFor('1980-01-01', 702), '1980-01-01'), registerRow(citizenNumberFor('1980-01-03', 703), '1980-01-03')].join('\n');
    const before = databaseSnapshot(stack.db);
    const res = await apiCall(base, 'POST', '/persons/import/check', { token: operator, raw: csv, type: 'text/csv' });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({ wouldImport: 2 });
    expect(databaseSnapshot(stack.db)).toEqual(before);
    const imported = await apiCall(base, 'POST', '/persons/import', { token: operator, raw: csv, type: 'text/csv' });
    expect(imported.json).toEqual({ imported: 2 });
  });
});

describe('previews of counter writes', () => {
  it("answers a contribution with the write's own credits, writing nothing; the write then answers the same", async () => {
    const body = { id: testUuid('2011-09-01'), citizenNumber: PAYERS[0]!.citizenNumber, year: 2011, tierYuan: 200, paidAt: '2011-09-01T10:00:00+08:00' };
    const before = databaseSnapshot(stack.db);
    const preview = await apiCall(base, 'POST', '/contributions/preview', { token: operator, body });
    expect(preview.status, preview.text).toBe(200);
    expect(databaseSnapshot(stack.db)).toEqual(before);
    const real = await apiCall(base, 'POST', '/contributions', { token: operator, body });
    expect(real.status).toBe(201);
    expect(preview.json.result.creditsFen).toEqual(real.json.creditsFen);
    expect(preview.json.result.creditsFen).toMatchObject({ individual: 20_000, government: 3_500 });
    const again = await apiCall(base, 'POST', '/contributions/preview', { token: operator, body: { ...body, id: testUuid('2011-09-01') } });
    expect(again.status).toBe(422);
    expect(again.json.error.code).toBe('already-paid');
  });

  it('answers a death report with the settlement it would lead to, writing nothing', async () => {
    const before = databaseSnapshot(stack.db);
    const res = await apiCall(base, 'POST', '/reports/deaths/preview', { token: operator, body: { citizenNumber: ELDER_OK, deathDate: '2011-08-10', reportedOn: '2011-09-01' } });
    expect(res.status, res.text).toBe(200);
    expect(res.json.person.deathDate).toBe('2011-08-10');
    expect(res.json.settlement).toMatchObject({ citizenNumber: ELDER_OK, deathDate: '2011-08-10' });
    expect(databaseSnapshot(stack.db)).toEqual(before);
  });

  it('answers a certification with the status before and after, writing nothing', async () => {
    const before = databaseSnapshot(stack.db);
    const res = await apiCall(base, 'POST', '/certifications/preview', { token: operator, body: { id: testUuid('2011-09-01'), citizenNumber: ELDER_LAPSED, certifiedOn: '2011-09-01' } });
    expect(res.status, res.text).toBe(200);
    expect(res.json.before.certification.current).toBe(false);
    expect(res.json.after.certification.current).toBe(true);
    expect(databaseSnapshot(stack.db)).toEqual(before);
  });
});

describe('runs from the console', () => {
  it('names who a payroll dry run would not pay, and why', async () => {
    const res = await apiCall(base, 'POST', '/runs/payroll', { token: operator, body: { month: '2011-09' } });
    expect(res.status, res.text).toBe(200);
    const notPaid = new Map((res.json.notPaid as Array<{ citizenNumber: string; stopReason: string | null; monthsSuspended: Array<{ status: string }> }>).map((l) => [l.citizenNumber, l]));
    expect(notPaid.get(ELDER_LAPSED)).toMatchObject({ monthsSuspended: [{ month: '2011-09', status: 'suspended-certification' }], stoppedMonths: 0, stopReason: null });
    expect(notPaid.get(ELDER_DEAD)).toMatchObject({ monthsSuspended: [], stoppedMonths: 1, stopReason: 'death' });
    expect(res.json.lines.map((l: { citizenNumber: string }) => l.citizenNumber)).toEqual([ELDER_OK]);
  });

  it('shows a real run in progress to another client, then how it ended', async () => {
    const run = apiCall(base, 'POST', '/runs/interest', { token: operator, body: { year: 2010, dryRun: false } });
    const seen: Array<{ donePersons: number; totalPersons: number }> = [];
    for (let i = 0; i < 200; i++) {
      const res = await apiCall(base, 'GET', '/runs/progress', { token: auditor });
      if (res.json.running) seen.push(res.json.running);
      else if (res.json.last?.runKey === 'interest:2010') break;
    }
    const done = await run;
    expect(done.status, done.text).toBe(200);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]).toMatchObject({ kind: 'interest', runKey: 'interest:2010', startedBy: 'op.wang', phase: 'crediting-interest', totalPersons: 45 });
    expect(seen.some((s) => s.donePersons > 0 && s.donePersons < s.totalPersons)).toBe(true);
    const after = await apiCall(base, 'GET', '/runs/progress', { token: auditor });
    expect(after.json).toMatchObject({ running: null, last: { runKey: 'interest:2010', state: 'finished', donePersons: 45, totalPersons: 45 } });
  });
});

describe("a resident's kiosk payments", () => {
  it('answers each payment of the person as booked, newest first, and no one else\'s', async () => {
    const events = new KioskEvents(stack.db);
    const cn = PAYERS[1]!.citizenNumber;
    const request = (id: string, offline: boolean) => ({ kind: 'payment', id, citizenNumber: cn, year: 2011, tierYuan: 100, cashFen: 10_000, paidAt: '2011-08-20T10:00:00+08:00', ...(offline ? { offline: { signature: 'x' } } : {}) });
    const offlineId = testUuid('2011-08-20');
    events.record({ id: offlineId, terminalId: 'kiosk-a-01', kind: 'payment', request: request(offlineId, true), booking: 'credit', reason: 'cash-mismatch', receivedAt: '2011-08-25T02:00:00.000Z' });
    const otherId = testUuid('2011-08-21');
    events.record({ id: otherId, terminalId: 'kiosk-a-01', kind: 'payment', request: { ...request(otherId, false), citizenNumber: PAYERS[2]!.citizenNumber }, booking: 'contribution', receivedAt: '2011-08-21T02:00:00.000Z' });
    const res = await apiCall(base, 'GET', `/persons/${cn}/kiosk-payments`, { token: auditor });
    expect(res.status, res.text).toBe(200);
    expect(res.json.payments).toEqual([
      expect.objectContaining({ id: offlineId, terminalId: 'kiosk-a-01', kind: 'payment', year: 2011, cashFen: 10_000, offline: true, booking: 'credit', reason: 'cash-mismatch' }),
    ]);
  });
});

describe('the Today summary', () => {
  it("agrees with the coverage and campaign routes", async () => {
    await apiCall(base, 'POST', '/campaigns', { token: operator, body: { year: 2011, startDate: '2011-03-01', endDate: '2011-10-31', targetContributions: 30 } });
    const [dash, coverage, campaign] = await Promise.all([
      apiCall(base, 'GET', '/dashboard', { token: auditor }),
      apiCall(base, 'GET', '/coverage?year=2011', { token: auditor }),
      apiCall(base, 'GET', '/campaigns/2011/progress', { token: auditor }),
    ]);
    expect(dash.status, dash.text).toBe(200);
    expect(dash.json.coverage).toEqual(coverage.json.total);
    expect(dash.json.campaign).toEqual(campaign.json);
    expect(dash.json.campaign.total.contributions).toBeGreaterThan(0);
    expect(dash.json.behind.map((v: { villageCode: string }) => v.villageCode)).toEqual(['V001', 'V002'].filter((c) => coverage.json.villages.some((v: { villageCode: string; contribution: { basisPoints: number | null } }) => v.villageCode === c && v.contribution.basisPoints !== null)).sort((a, b) => {
      const bp = (c: string) => coverage.json.villages.find((v: { villageCode: string }) => v.villageCode === c).contribution.basisPoints as number;
      return bp(a) - bp(b) || a.localeCompare(b);
    }));
  });
});

describe("residents' requests and photos for the console", () => {
  it("counts the requests waiting on the Today summary, by kind and state", async () => {
    const requests = new KioskRequests(stack.db);
    const at = '2011-08-30T02:00:00.000Z';
    const ids = [testUuid('2011-08-30'), testUuid('2011-08-30'), testUuid('2011-08-30')];
    requests.record('kiosk-a-01', { kind: 'pension-complaint', id: ids[0]!, citizenNumber: ELDER_OK, month: '2011-08', amountFen: 1, at }, { villageCode: 'V002', amountFen: 5_500, receivedAt: at });
    requests.record('kiosk-a-01', { kind: 'help-request', id: ids[1]!, citizenNumber: null, at }, { villageCode: 'V002', amountFen: null, receivedAt: at });
    requests.record('kiosk-a-01', { kind: 'help-request', id: ids[2]!, citizenNumber: null, at }, { villageCode: 'V002', amountFen: null, receivedAt: at });
    expect((await apiCall(base, 'POST', `/kiosk-requests/${ids[2]}/state`, { token: operator, body: { state: 'in-hand', note: 'called the village' } })).status).toBe(200);
    expect((await apiCall(base, 'POST', `/kiosk-requests/${ids[1]}/state`, { token: auditor, body: { state: 'in-hand', note: 'not allowed' } })).status).toBe(403);
    const dash = await apiCall(base, 'GET', '/dashboard', { token: auditor });
    expect(dash.status, dash.text).toBe(200);
    expect(dash.json.requests).toEqual({ 'pension-complaint': { open: 1, inHand: 0 }, 'help-request': { open: 1, inHand: 1 } });
  });

  it("lists one resident's proof-of-life photos when asked, and no one else's", async () => {
    const photos = new CertificationPhotos(stack.db, new PhotoKey(stack.db));
    const sealed = { scheme: PHOTO_SEAL_SCHEME as typeof PHOTO_SEAL_SCHEME, recipient: 'A'.repeat(43), ephemeralPublicKey: 'B'.repeat(43), nonce: 'C'.repeat(16), ciphertext: 'DDDD', tag: 'E'.repeat(22) };
    const mine = testUuid('2011-08-31');
    const theirs = testUuid('2011-08-31');
    photos.store({ certificationId: mine, terminalId: 'kiosk-a-01', citizenNumber: ELDER_OK, certifiedOn: '2011-08-31', photo: sealed, receivedAt: '2011-08-31T02:00:00.000Z' });
    photos.store({ certificationId: theirs, terminalId: 'kiosk-a-01', citizenNumber: ELDER_LAPSED, certifiedOn: '2011-08-31', photo: sealed, receivedAt: '2011-08-31T03:00:00.000Z' });
    const one = await apiCall(base, 'GET', `/certification-photos?citizenNumber=${ELDER_OK}`, { token: auditor });
    expect(one.status, one.text).toBe(200);
    expect(one.json.photos.map((p: { certificationId: string }) => p.certificationId)).toEqual([mine]);
    expect((await apiCall(base, 'GET', '/certification-photos', { token: auditor })).json.photos.map((p: { certificationId: string }) => p.certificationId)).toEqual([theirs, mine]);
    expect((await apiCall(base, 'GET', '/certification-photos?citizenNumber=123', { token: auditor })).status).toBe(400);
  });
});

describe('kiosks needing attention on the Today summary', () => {
  it('counts a kiosk with a cash-box alarm not yet resolved as alarmed, and not once it is resolved', async () => {
    expect((await apiCall(base, 'POST', '/terminals', { token: operator, body: { terminalId: 'kiosk-cash-01', villageCode: 'V001', location: 'village committee' } })).status).toBe(201);
    const before = (await apiCall(base, 'GET', '/dashboard', { token: auditor })).json.fleet.withAlarms;
    const fleet = new Fleet(stack.db);
    fleet.raiseReconciliationAlarm({ terminalId: 'kiosk-cash-01', collectionId: testUuid('2011-09-01'), kind: 'count-shortage', denominationFen: 10_000, amountFen: 10_000, detail: 'counted 0 of 1' });
    expect((await apiCall(base, 'GET', '/dashboard', { token: auditor })).json.fleet.withAlarms).toBe(before + 1);
    const [alarm] = (await apiCall(base, 'GET', '/terminals/kiosk-cash-01', { token: auditor })).json.reconciliationAlarms;
    expect((await apiCall(base, 'POST', `/terminals/kiosk-cash-01/reconciliation-alarms/${alarm.id}/resolve`, { token: operator, body: { note: 'found in the safe' } })).status).toBe(200);
    expect((await apiCall(base, 'GET', '/dashboard', { token: auditor })).json.fleet.withAlarms).toBe(before);
  });
});
