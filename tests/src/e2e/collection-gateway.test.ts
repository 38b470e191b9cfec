// Cash-box collection at the server (issue 13 section 2), over real ports: a
// kiosk relays payments, a refused payment and a collection through the
// gateway's socket.io namespace; the office counts the cash over the HTTP
// API; the ledger (the server's SQLite file) moves the cash box to in
// transit once and settles it once; the reconciliation lists every
// difference with the payments behind it, as JSON and CSV; an unexplained
// difference is an alarm on the fleet until an operator resolves it.
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { io, type Socket } from 'socket.io-client';
import { v7 as uuidv7 } from 'uuid';
import { DEMO_ISSUER_KEY } from '@nongbao/drivers/card';
import { DEMO_OFFICE_PASSWORD, createServerServices, startServer, type RunningServer } from '@nongbao/server';
import { PROTOCOL_VERSION, TERMINAL_NAMESPACE, authMessage, type CollectionEvent } from '@nongbao/protocol';
import { county, residentsWhoOwe, thisYear } from '../support/demo-residents.js';

const silent = pino({ level: 'silent' });
/** A valid citizen number nobody in the demo county has: the gateway refuses its payment. */
const STRANGER = '11010519491231002X';

type Services = ReturnType<typeof createServerServices>;
type Outcome = { id: string; outcome: string; money?: { result: string; booking: string }; error?: { reason?: string } };

describe('a cash-box collection at the gateway and the county office', () => {
  let server: RunningServer;
  let services: Services;
  let socket: Socket;
  let privateKey: KeyObject;
  let operator: string;
  let auditor: string;
  const terminalId = 'kiosk-collect-01';
  const payers = residentsWhoOwe.slice(0, 2);

  const api = async (method: string, path: string, token: string, body?: unknown) => {
    const res = await fetch(`${server.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, text, type: res.headers.get('content-type') ?? '', json: (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : undefined };
  };
  const login = async (username: string) => (await (await fetch(`${server.url}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: DEMO_OFFICE_PASSWORD }) })).json()).token as string;
  const submit = async (events: object[]): Promise<Outcome[]> => {
    const reply = (await socket.timeout(5_000).emitWithAck('outbox.submit', { v: PROTOCOL_VERSION, terminalId, events })) as { ok: boolean; data: { results: Outcome[] } };
    expect(reply.ok).toBe(true);
    return reply.data.results;
  };
  const balance = (accountId: string) => services.ledger.balance(accountId).balanceFen;
  const transferCount = () => services.ledger.transfers({ limit: 10_000 }).length;

  beforeAll(async () => {
    server = await startServer({
      db: join(mkdtempSync(join(tmpdir(), 'nb-collect-gw-')), 'server.sqlite'),
      host: '127.0.0.1',
      port: 0,
      logger: silent,
      services: (db, gateway) => (services = createServerServices(db, { logger: silent, seedDemo: county, issuerKey: DEMO_ISSUER_KEY }, gateway)),
    });
    const keys = generateKeyPairSync('ed25519');
    privateKey = keys.privateKey;
    const code = server.terminals.issueEnrolCode(terminalId);
    const enrolled = await fetch(`${server.url}/api/v1/terminals/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ terminalId, code, publicKey: keys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64') }),
    });
    expect(enrolled.status).toBe(201);
    socket = await new Promise<Socket>((resolve, reject) => {
      const base = { terminalId, timestampMs: Date.now(), nonce: randomBytes(16).toString('hex') };
      const s = io(`${server.url}${TERMINAL_NAMESPACE}`, { transports: ['websocket'], reconnection: false, auth: { v: PROTOCOL_VERSION, ...base, signature: sign(null, authMessage(base), privateKey).toString('base64') } });
      s.once('connect', () => resolve(s));
      s.once('connect_error', reject);
    });
    operator = await login('operator');
    auditor = await login('auditor');
  });
  afterAll(async () => {
    socket?.close();
    await server?.close();
  });

  const now = () => new Date().toISOString();
  const payment = (citizenNumber: string) => ({ kind: 'payment', id: uuidv7(), citizenNumber, year: thisYear, tierYuan: 100, cashFen: 10_000, paidAt: now() });
  let collection: CollectionEvent;
  let refusedId: string;
  const box = `cashbox:${terminalId}`;

  it('moves the ledger\'s cash box to collections in transit once, and books a difference the journal explains', async () => {
    const paid = payers.map((p) => payment(p.citizenNumber));
    const credit = { kind: 'cash-credit', id: uuidv7(), citizenNumber: payers[0]!.citizenNumber, amountFen: 2_000, at: now(), reason: 'cancelled' };
    const results = await submit([...paid, credit]);
    expect(results.map((r) => r.money?.result)).toEqual(['created', 'created', 'created']);
    // A payment the gateway refuses: its outbox stops there, an operator settles it, the kiosk goes on; its cash is in the box.
    const stranger = payment(STRANGER);
    refusedId = stranger.id;
    expect((await submit([stranger]))[0]).toMatchObject({ outcome: 'refused', error: { reason: 'person-not-found' } });
    expect(balance(box)).toBe(22_000);

    collection = {
      kind: 'collection',
      id: uuidv7(),
      previousId: null,
      startedAt: now(),
      staffCardNumber: 'S00000001',
      // Three 100s, one 20, and a 50 the acceptor stacked with no payment open.
      notes: [
        { denominationFen: 10_000, count: 3 },
        { denominationFen: 5_000, count: 1 },
        { denominationFen: 2_000, count: 1 },
      ],
      amountFen: 37_000,
      payments: { count: 3, amountFen: 30_000 },
      credits: { count: 1, amountFen: 2_000 },
      unattributed: { count: 1, amountFen: 5_000 },
    };
    const before = transferCount();
    expect(await submit([collection])).toEqual([{ id: collection.id, outcome: 'applied', money: { result: 'created', booking: 'collection' } }]);
    expect(balance(box)).toBe(0);
    expect(balance('fund:in-transit')).toBe(37_000);
    expect(balance('fund:collection-difference')).toBe(-15_000);
    const afterFirst = transferCount();
    expect(afterFirst - before).toBe(2);

    // The kiosk did not hear the answer and sends it again: answered from the record, booked once.
    expect((await submit([collection]))[0]!.money).toEqual({ result: 'exists', booking: 'collection' });
    expect((await submit([{ ...collection, amountFen: 47_000, notes: [{ denominationFen: 10_000, count: 4 }, ...collection.notes.slice(1)], payments: { count: 4, amountFen: 40_000 } }]))[0]!.money).toEqual({
      result: 'exists_with_different_amount',
      booking: 'collection',
    });
    expect((await submit([{ ...collection, staffCardNumber: 'S00000002' }]))[0]!.money!.result).toBe('exists_with_different_meta');
    expect(transferCount()).toBe(afterFirst);
    expect(balance('fund:in-transit')).toBe(37_000);

    const report = await api('GET', `/reconciliation?collectionId=${collection.id}`, auditor);
    expect(report.status).toBe(200);
    expect(report.json).toMatchObject({ kind: 'collection', status: 'in-transit', journalFen: 37_000, ledgerFen: 22_000, countedFen: null, explained: true });
    expect(report.json.differences.map((d: { kind: string; amountFen: number; payments: { id: string }[] }) => [d.kind, d.amountFen, d.payments.map((p) => p.id)])).toEqual([
      ['unattributed-cash', 5_000, []],
      ['not-booked', 10_000, [refusedId]],
    ]);
    expect(report.json.events).toHaveLength(4);
  });

  it('refuses a count with a negative, fractional or unknown note, or a denomination twice, with the field named, and changes nothing', async () => {
    const transfers = transferCount();
    const bad: [unknown[], string][] = [
      [[{ denominationFen: 10_000, count: -1 }], 'notes[0].count: 0 or more notes'],
      [[{ denominationFen: 10_000, count: 2.5 }], 'notes[0].count: a whole number of notes'],
      [[{ denominationFen: 10_000, count: '3' }], 'notes[0].count: a whole number of notes'],
      [[{ denominationFen: 300, count: 1 }], 'notes[0].denominationFen: a CNY note in fen: one of 100, 500, 1000, 2000, 5000, 10000'],
      [[{ denominationFen: 10_000, count: 1 }, { denominationFen: 10_000, count: 2 }], 'notes[1].denominationFen: denomination 10000 is listed twice'],
    ];
    for (const [notes, message] of bad) {
      const res = await api('POST', `/collections/${collection.id}/count`, operator, { notes });
      expect(res.status, JSON.stringify(notes)).toBe(400);
      expect(res.json.error.message).toBe(message);
      expect(res.json.error.field).toBe(message.split(':')[0]);
    }
    expect((await api('POST', `/collections/${collection.id}/count`, auditor, { notes: [] })).status).toBe(403);
    expect((await api('POST', `/collections/${uuidv7()}/count`, operator, { notes: [] })).json.error.code).toBe('collection-not-found');
    expect(transferCount()).toBe(transfers);
    expect((await api('GET', `/reconciliation?collectionId=${collection.id}`, auditor)).json.status).toBe('in-transit');
  });

  it('settles the counted cash into the collection account and a shortage into the difference account, once; the shortage is an alarm on the fleet', async () => {
    // One 100 short.
    const counted = [
      { denominationFen: 10_000, count: 2 },
      { denominationFen: 5_000, count: 1 },
      { denominationFen: 2_000, count: 1 },
      { denominationFen: 100, count: 0 },
    ];
    const collectionBefore = balance('fund:collection');
    const res = await api('POST', `/collections/${collection.id}/count`, operator, { notes: counted, note: 'counted by Li and Wang' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'counted', journalFen: 37_000, ledgerFen: 22_000, countedFen: 27_000, explained: false });
    expect(balance('fund:collection') - collectionBefore).toBe(27_000);
    expect(balance('fund:in-transit')).toBe(0);
    expect(balance('fund:collection-difference')).toBe(-15_000 + 10_000);
    const shortage = res.json.differences.find((d: { kind: string }) => d.kind === 'count-shortage');
    expect(shortage).toMatchObject({ denominationFen: 10_000, journalCount: 3, countedCount: 2, amountFen: -10_000, explained: false });
    expect(shortage.payments).toHaveLength(4);

    const transfers = transferCount();
    const again = await api('POST', `/collections/${collection.id}/count`, operator, { notes: counted });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('already-counted');
    expect(transferCount()).toBe(transfers);
    expect(balance('fund:in-transit')).toBe(0);

    const fleet = await api('GET', `/terminals/${terminalId}`, auditor);
    expect(fleet.json.reconciliationAlarms).toEqual([expect.objectContaining({ collectionId: collection.id, kind: 'count-shortage', denominationFen: 10_000, amountFen: -10_000 })]);
    const alarmId = fleet.json.reconciliationAlarms[0].id as number;
    expect((await api('POST', `/terminals/${terminalId}/reconciliation-alarms/${alarmId}/resolve`, operator, { note: 'a note was stuck in the acceptor; found' })).status).toBe(200);
    expect((await api('GET', `/terminals/${terminalId}`, auditor)).json.reconciliationAlarms).toEqual([]);
    expect((await api('POST', `/terminals/${terminalId}/reconciliation-alarms/${alarmId}/resolve`, operator, { note: 'once more' })).json.error.code).toBe('alarm-not-found');
    const audit = await api('GET', '/audit-log?limit=10', auditor);
    expect(audit.json.entries.map((e: { action: string }) => e.action)).toContain('POST /collections/:collectionId/count');
  });

  it('reports the kiosk\'s day and the collection as CSV, one row per payment behind each difference', async () => {
    const date = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(collection.startedAt));
    const day = await api('GET', `/reconciliation?terminalId=${terminalId}&date=${date}`, auditor);
    expect(day.status).toBe(200);
    expect(day.json).toMatchObject({ kind: 'day', date, journal: { payments: { count: 3, amountFen: 30_000 }, credits: { count: 1, amountFen: 2_000 } }, ledger: { inFen: 22_000, collectedFen: 37_000 }, countedFen: 27_000, explained: false });
    expect(day.json.collections.map((c: { collectionId: string }) => c.collectionId)).toEqual([collection.id]);

    const csv = await api('GET', `/reconciliation.csv?collectionId=${collection.id}`, auditor);
    expect(csv.status).toBe(200);
    expect(csv.type).toContain('text/csv');
    const lines = csv.text.replace(/^\uFEFF/, '').split('\r\n').filter(Boolean);
    expect(lines[0]!.startsWith('section,terminalId,date,collectionId,status,journalFen,ledgerFen,countedFen,between,kind,explained')).toBe(true);
    expect(lines[1]).toMatch(new RegExp(`^collection,${terminalId},,${collection.id},counted,37000,22000,27000,`));
    const differences = lines.filter((l) => l.startsWith('difference,'));
    expect(differences.filter((l) => l.includes(',unattributed-cash,yes,'))).toHaveLength(1);
    expect(differences.filter((l) => l.includes(',not-booked,yes,') && l.includes(refusedId))).toHaveLength(1);
    // The shortage has every payment and credit of the box behind it, one row each.
    expect(differences.filter((l) => l.includes(',count-shortage,no,10000,3,2,counted-short,10000,'))).toHaveLength(4);
    expect(csv.text).not.toContain(',-');

    const dayCsv = await api('GET', `/reconciliation.csv?terminalId=${terminalId}&date=${date}`, auditor);
    expect(dayCsv.text.split('\r\n')[1]).toMatch(new RegExp(`^day,${terminalId},${date},,,32000,22000,27000,`));

    for (const query of ['terminalId=' + terminalId, `date=${date}`, `collectionId=${collection.id}&date=2001-01-01`, 'terminalId=kiosk-nowhere-01&date=' + date, `collectionId=${collection.id}&extra=1`]) {
      expect((await api('GET', `/reconciliation?${query}`, auditor)).status, query).toBeGreaterThanOrEqual(400);
    }
  });

  it('does not explain a collection whose kiosk names another previous collection than the server\'s last, and says so on the fleet', async () => {
    const second: CollectionEvent = {
      kind: 'collection',
      id: uuidv7(),
      previousId: uuidv7(),
      startedAt: now(),
      staffCardNumber: 'S00000001',
      notes: [],
      amountFen: 0,
      payments: { count: 0, amountFen: 0 },
      credits: { count: 0, amountFen: 0 },
      unattributed: { count: 0, amountFen: 0 },
    };
    expect((await submit([second]))[0]!.money!.result).toBe('created');
    const report = await api('GET', `/reconciliation?collectionId=${second.id}`, auditor);
    expect(report.json.differences).toEqual([expect.objectContaining({ kind: 'chain-broken', explained: false })]);
    const fleet = await api('GET', `/terminals/${terminalId}`, auditor);
    expect(fleet.json.reconciliationAlarms.map((a: { kind: string; collectionId: string }) => [a.kind, a.collectionId])).toEqual([['chain-broken', second.id]]);
    const list = await api('GET', `/collections?terminalId=${terminalId}`, auditor);
    expect(list.json.collections.map((c: { collectionId: string; openAlarms: number }) => [c.collectionId, c.openAlarms])).toEqual([
      [second.id, 1],
      [collection.id, 0],
    ]);
  });
});
