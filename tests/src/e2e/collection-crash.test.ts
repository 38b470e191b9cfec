// Cash-box collection end to end over real processes (issue 13 section 4),
// with kill -9 at every step of it: the kiosk terminal and the county server
// each run as a process of their own (support/processes/), the card, the
// acceptor and the printer are the in-process simulators behind the real
// drivers, the journal and the ledger are their real SQLite files. A crash
// point (support/crash-log.ts) makes the process SIGKILL itself right after
// it logs the step; it is then started again and the collection must reach
// the ledger exactly once: nothing lost (every collection of the journal is
// in the ledger, its slip printed), nothing duplicated (one row each, one
// in-transit transfer each, the cash box empty, in transit holding the sum),
// and a second start refused while one is in progress.
import { createServer } from 'node:net';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { Ledger } from '@nongbao/server/ledger';
import { DEMO_OFFICE_PASSWORD } from '@nongbao/server';
import { REPO_ROOT, waitForKioskState, type KioskStateJson } from '../support/demo-process.js';
import { startCrashProcess, type CrashProcess } from '../support/crash-process.js';
import type { CrashPoint } from '../support/crash-log.js';
import { county, residentsWhoOwe } from '../support/demo-residents.js';

const ENTRIES = join(REPO_ROOT, 'tests/src/support/processes');
const TERMINAL_ID = 'kiosk-crash-01';
const CREDIT_FEN = 10_000;
const RELAY_TIMEOUT_MS = 60_000;
const POLL_MS = 100;
const payer = residentsWhoOwe[0]!;
const staff = county.staff[0]!;

const dir = mkdtempSync(join(tmpdir(), 'nb-collect-crash-'));
const dbPath = join(dir, 'server.sqlite');
const kioskDir = join(dir, 'kiosk');
const serverLog = join(dir, 'server.log');
const kioskLog = join(dir, 'kiosk.log');

let port: number;
let server: CrashProcess;
let terminal: CrashProcess;
let operator: string;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = probe.address() as { port: number };
      probe.close(() => resolve(p));
    });
  });
}

const startServerProcess = async () => {
  server = await startCrashProcess(join(ENTRIES, 'collection-server.ts'), [dbPath, String(port), serverLog], serverLog);
};
const startTerminalProcess = async (code?: string) => {
  terminal = await startCrashProcess(join(ENTRIES, 'collection-terminal.ts'), [kioskDir, `http://127.0.0.1:${port}`, TERMINAL_ID, kioskLog, ...(code ? [code] : [])], kioskLog);
  await waitForKioskState(terminal.url, (s) => s.serverConnected === true, RELAY_TIMEOUT_MS);
};

async function office(method: string, path: string, body?: unknown): Promise<{ status: number; json: KioskStateJson }> {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(operator ? { authorization: `Bearer ${operator}` } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as KioskStateJson };
}

const kiosk = async (method: string, path: string, body?: unknown) =>
  fetch(`${terminal.url}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
const screen = (name: string, extra: (s: KioskStateJson) => boolean = () => true) => waitForKioskState(terminal.url, (s) => s.screen === name && extra(s), RELAY_TIMEOUT_MS);

/** What the kiosk's journal holds, read from its file. */
function journal<T>(read: (db: Database.Database) => T): T {
  const db = new Database(join(kioskDir, 'journal.sqlite'), { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** What the ledger holds, read from the server's file through the ledger's own API. */
function ledger<T>(read: (l: Ledger) => T): T {
  const db = new Database(dbPath, { readonly: true });
  try {
    return read(Ledger.openSqlite(db, { readonly: true }));
  } finally {
    db.close();
  }
}

async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + RELAY_TIMEOUT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${RELAY_TIMEOUT_MS} ms`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

const outboxDrained = () => until('the outbox drained', () => journal((db) => (db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE state <> 'done'").get() as { n: number }).n === 0));

/** A resident starts paying, stacks a 100-yuan note and cancels: the note is their credit, in the box. */
async function leaveCredit(): Promise<void> {
  await kiosk('POST', '/api/demo/card', { cardNumber: payer.card.cardNumber });
  await screen('pin');
  await kiosk('POST', '/api/pin', { pin: payer.card.pin });
  await screen('menu');
  await kiosk('POST', '/api/action', { action: 'pay' });
  await screen('tiers', (s) => s.refusal === null);
  expect((await kiosk('POST', '/api/pay', { tierYuan: 200 })).status).toBe(200);
  await screen('paying');
  await kiosk('POST', '/api/demo/note', { yuan: 100 });
  await screen('paying', (s) => s.progress.stackedFen === CREDIT_FEN);
  await kiosk('POST', '/api/action', { action: 'cancel-payment' });
  await screen('receipt');
  await kiosk('DELETE', '/api/demo/card');
  await screen('idle');
  await outboxDrained();
}

async function signInStaff(): Promise<void> {
  await kiosk('POST', '/api/demo/card', { cardNumber: staff.card.cardNumber });
  await screen('pin');
  await kiosk('POST', '/api/pin', { pin: staff.card.pin });
  await screen('staff');
}

/** Nothing lost, nothing duplicated: the journal's collections and the ledger's agree one to one. */
async function checkOnceEach(): Promise<void> {
  const rows = journal((db) => db.prepare('SELECT id, amount_fen, slip_printed_at FROM collection ORDER BY rowid').all() as { id: string; amount_fen: number; slip_printed_at: string | null }[]);
  const ids = rows.map((r) => r.id);
  expect(rows.every((r) => r.amount_fen === CREDIT_FEN && r.slip_printed_at !== null)).toBe(true);
  expect(journal((db) => db.prepare("SELECT COUNT(*) AS n FROM payment_note WHERE state = 'stacked' AND collection_id IS NULL").get())).toEqual({ n: 0 });
  const collections = (await office('GET', `/collections?terminalId=${TERMINAL_ID}`)).json.collections as { collectionId: string; journalFen: number }[];
  expect(collections.map((c) => c.collectionId).sort()).toEqual([...ids].sort());
  const { box, inTransit, moves, credits } = ledger((l) => ({
    box: l.balance(`cashbox:${TERMINAL_ID}`).balanceFen,
    inTransit: l.balance('fund:in-transit').balanceFen,
    moves: l.transfers({ code: 'collection.in-transit', limit: 1_000 }).map((t) => t.meta?.['collectionId']),
    credits: l.transfers({ code: 'kiosk.cash-credit', limit: 1_000 }).length,
  }));
  expect(moves.sort()).toEqual([...ids].sort());
  expect(box).toBe(0);
  expect(inTransit).toBe(CREDIT_FEN * ids.length);
  expect(credits).toBe(journal((db) => (db.prepare("SELECT COUNT(*) AS n FROM payment WHERE state = 'cancelled' AND stacked_fen > 0").get() as { n: number }).n));
}

/**
 * One collection with a crash at `point` in `target`: the process dies with
 * SIGKILL, starts again, and the collection is relayed once. Returns its id.
 */
async function collectThroughCrash(target: 'terminal' | 'server', point: CrashPoint): Promise<string> {
  await leaveCredit();
  const before = journal((db) => (db.prepare('SELECT COUNT(*) AS n FROM collection').get() as { n: number }).n);
  await signInStaff();
  const victim = target === 'terminal' ? terminal : server;
  await victim.arm(point);
  const started = kiosk('POST', '/api/staff/collection/start', {}).then(
    (res) => res.status,
    () => 'no answer' as const,
  );
  expect(await victim.exited()).toBe('SIGKILL');
  if (target === 'terminal') {
    // Up to the request on the wire the kiosk dies before it answers staff; after, the answer came first.
    expect(await started).toBe(point.event.startsWith('collection.') || point.event === 'uplink.request_sent' ? 'no answer' : 200);
    await startTerminalProcess();
    await signInStaff();
  } else {
    expect(await started).toBe(200);
    await startServerProcess();
  }
  let open = journal((db) => db.prepare('SELECT id FROM collection WHERE finished_at IS NULL').get() as { id: string } | undefined);
  if (!open) {
    // Killed before the journal's commit: there is no collection, and staff start it again.
    expect(point.event).toBe('collection.starting');
    expect((await kiosk('POST', '/api/staff/collection/start', {})).status).toBe(200);
    open = journal((db) => db.prepare('SELECT id FROM collection WHERE finished_at IS NULL').get() as { id: string });
  }
  // A collection started twice is refused, and the kiosk takes no cash meanwhile.
  const twice = await kiosk('POST', '/api/staff/collection/start', {});
  expect(twice.status).toBe(409);
  expect(((await twice.json()) as { error: { code: string } }).error.code).toBe('collection-in-progress');
  await until('the collection relayed', () => journal((db) => (db.prepare('SELECT state FROM outbox WHERE id = ?').get(open!.id) as { state: string }).state === 'done'));
  expect(journal((db) => (db.prepare('SELECT COUNT(*) AS n FROM collection').get() as { n: number }).n)).toBe(before + 1);
  await checkOnceEach();
  expect((await kiosk('POST', '/api/staff/collection/finish', {})).status).toBe(200);
  await kiosk('DELETE', '/api/demo/card');
  await screen('idle');
  return open!.id;
}

describe('cash-box collection across real processes, with kill -9 at every step', () => {
  beforeAll(async () => {
    mkdirSync(kioskDir, { recursive: true });
    port = await freePort();
    await startServerProcess();
    operator = (await office('POST', '/login', { username: 'operator', password: DEMO_OFFICE_PASSWORD })).json.token as string;
    const created = await office('POST', '/terminals', { terminalId: TERMINAL_ID, villageCode: payer.villageCode, location: 'village committee, crash test' });
    expect(created.status).toBe(201);
    await startTerminalProcess(created.json.code as string);
  });
  afterAll(async () => {
    await terminal?.stop();
    await server?.stop();
  });

  const terminalSteps: [string, CrashPoint][] = [
    ['started, nothing journaled', { event: 'collection.starting' }],
    ['journaled, slip not printed', { event: 'collection.journaled' }],
    ['slip printed, not sent', { event: 'collection.slip_printed' }],
    ['sent, not answered', { event: 'uplink.request_sent', match: { name: 'outbox.submit' } }],
    ['answered, the answer not journaled', { event: 'outbox.reply_received' }],
    ['acknowledged', { event: 'outbox.answered', match: { kind: 'collection' } }],
  ];
  it.each(terminalSteps)('the kiosk killed at "%s" collects once', async (_step, point) => {
    await collectThroughCrash('terminal', point);
  }, 240_000);

  const serverSteps: [string, CrashPoint][] = [
    ['received, not committed', { event: 'gateway.batch_received' }],
    ['committed, not answered', { event: 'gateway.batch_committed' }],
    ['answered', { event: 'gateway.answered', match: { name: 'outbox.submit' } }],
  ];
  it.each(serverSteps)('the server killed at "%s" books it once', async (_step, point) => {
    await collectThroughCrash('server', point);
  }, 240_000);

  it('settles each collection counted at the office once, and reconciles it', async () => {
    const ids = journal((db) => (db.prepare('SELECT id FROM collection ORDER BY rowid').all() as { id: string }[]).map((r) => r.id));
    expect(ids).toHaveLength(terminalSteps.length + serverSteps.length);
    for (const id of ids) {
      expect((await office('POST', `/collections/${id}/count`, { notes: [{ denominationFen: 10_000, count: 1 }] })).status).toBe(200);
      expect((await office('POST', `/collections/${id}/count`, { notes: [{ denominationFen: 10_000, count: 1 }] })).status).toBe(409);
      expect((await office('GET', `/reconciliation?collectionId=${id}`)).json).toMatchObject({ status: 'counted', journalFen: CREDIT_FEN, ledgerFen: CREDIT_FEN, countedFen: CREDIT_FEN, differences: [], explained: true });
    }
    expect(ledger((l) => [l.balance('fund:in-transit').balanceFen, l.balance('fund:collection-difference').balanceFen])).toEqual([0, 0]);
  });
});
