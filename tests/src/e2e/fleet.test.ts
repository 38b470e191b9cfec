// A gateway that knows its fleet (issue 11 sections 3-6), over a real port:
// the county creates a kiosk and sees it online with what it reports; the
// gateway pushes what the county changes; an outbox halt is seen at the
// office and settled from there; an offline payment's provisional receipt
// is checked with `nongbao receipt verify`.
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { io, type Socket } from 'socket.io-client';
import { v7 as uuidv7 } from 'uuid';
import { DEMO_ISSUER_KEY } from '@nongbao/drivers/card';
import { DEMO_OFFICE_PASSWORD, createServerServices, startServer, type RunningServer } from '@nongbao/server';
import { PROTOCOL_VERSION, TERMINAL_NAMESPACE, authMessage, maskCitizenNumber, receiptQrText, receiptSigningBytes, type KioskConfig } from '@nongbao/protocol';
import { county, residentsWhoOwe, thisYear } from '../support/demo-residents.js';

const run = promisify(execFile);
const silent = pino({ level: 'silent' });
const root = join(import.meta.dirname, '..', '..', '..');
const TERMINAL = 'kiosk-fleet-01';

async function nongbao(args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run(process.execPath, [join(root, 'bin', 'nongbao.mjs'), ...args]);
    return { code: 0, stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string };
    return { code: e.code, stdout: e.stdout };
  }
}

describe('the fleet at the county office', () => {
  let dbPath: string;
  let server: RunningServer;
  let privateKey: KeyObject;
  let socket: Socket;
  let token: string;
  const configs: KioskConfig[] = [];
  const settled: { eventId: string; note: string }[] = [];
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> & { terminals?: Record<string, unknown>[] } };
  };
  const submit = async (events: object[]) =>
    (await socket.timeout(10_000).emitWithAck('outbox.submit', { v: PROTOCOL_VERSION, terminalId: TERMINAL, events })) as {
      ok: boolean;
      data: { results: { id: string; outcome: string; money?: { result: string } }[] };
    };
  const until = async <T>(probe: () => T | undefined | Promise<T | undefined>, what: string): Promise<T> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`not reached: ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  beforeAll(async () => {
    dbPath = join(mkdtempSync(join(tmpdir(), 'nb-fleet-')), 'server.sqlite');
    server = await startServer({
      db: dbPath,
      host: '127.0.0.1',
      port: 0,
      logger: silent,
      services: (db, gateway) => createServerServices(db, { logger: silent, seedDemo: county, issuerKey: DEMO_ISSUER_KEY }, gateway),
    });
    const login = await fetch(`${server.url}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'operator', password: DEMO_OFFICE_PASSWORD }) });
    token = ((await login.json()) as { token: string }).token;
  });
  afterAll(async () => {
    socket?.close();
    await server?.close();
  });

  it('creates a kiosk at a village and location, answering its one-time code, and lists it before it is enrolled', async () => {
    const village = county.villages[0]!;
    const created = await api('POST', '/terminals', { terminalId: TERMINAL, villageCode: village.code, location: '村委会一楼' });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ terminalId: TERMINAL, code: expect.stringMatching(/^[2-9A-HJ-NP-Z]{8}$/) });
    expect((await api('GET', `/terminals/${TERMINAL}`)).json).toMatchObject({ terminalId: TERMINAL, villageCode: village.code, location: '村委会一楼', enrolled: false, online: false });
    expect((await api('POST', '/terminals', { terminalId: 'kiosk-fleet-xx', villageCode: 'NOPE', location: 'x' })).status).toBe(404);

    const keys = generateKeyPairSync('ed25519');
    privateKey = keys.privateKey;
    const enrol = await fetch(`${server.url}/api/v1/terminals/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ terminalId: TERMINAL, code: created.json.code, publicKey: keys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64') }),
    });
    expect(enrol.status).toBe(201);
  });

  it('pushes the kiosk its configuration on connect and again when the county changes it', async () => {
    const base = { terminalId: TERMINAL, timestampMs: Date.now(), nonce: randomBytes(16).toString('hex') };
    socket = io(`${server.url}${TERMINAL_NAMESPACE}`, {
      transports: ['websocket'],
      reconnection: false,
      auth: { v: PROTOCOL_VERSION, ...base, signature: sign(null, authMessage(base), privateKey).toString('base64'), softwareVersion: '9.9.9' },
    });
    socket.on('kiosk.config', (config: KioskConfig) => configs.push(config));
    socket.on('outbox.settled', (push: { eventId: string; note: string }) => settled.push(push));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    const first = await until(() => configs[0], 'the first kiosk.config');
    expect(first).toMatchObject({ village: { code: county.villages[0]!.code, agentName: county.villages[0]!.agent.agentName, agentPhone: county.villages[0]!.agent.agentPhone }, location: '村委会一楼', offlineLimits: { amountFen: 3_000_000, payments: 100 } });
    expect(first.tiers.map((t) => t.tierYuan)).toEqual([100, 200, 300, 400, 500]);

    expect((await api('POST', `/terminals/${TERMINAL}/offline-limits`, { amountFen: 500_000, payments: 20 })).status).toBe(200);
    expect(await until(() => configs.find((c) => c.offlineLimits.payments === 20), 'the new limits')).toMatchObject({ offlineLimits: { amountFen: 500_000 } });
    expect((await api('POST', `/villages/${county.villages[0]!.code}/agent`, { agentName: '李协办', agentPhone: '139 0000 1234' })).status).toBe(200);
    expect(await until(() => configs.find((c) => c.village?.agentName === '李协办'), 'the village agent')).toMatchObject({ village: { agentPhone: '139 0000 1234' } });
  });

  it('shows the kiosk online with what it reports: version, devices, outbox, alarms, clock', async () => {
    const ack = await socket.timeout(5_000).emitWithAck('terminal.status', {
      v: PROTOCOL_VERSION,
      softwareVersion: '9.9.9',
      devices: [{ name: 'printer', state: 'userError', detail: 'paper out' }],
      outbox: { pending: 7, halted: false },
      alarms: [{ code: 'device-fault', message: 'bill acceptor: jam', since: new Date().toISOString() }],
      lastError: 'bill acceptor: jam',
      sentAt: new Date(Date.now() + 90_000).toISOString(),
    });
    expect(ack).toMatchObject({ ok: true, data: { serverTime: expect.any(String) } });
    const terminal = (await api('GET', `/terminals/${TERMINAL}`)).json;
    expect(terminal).toMatchObject({ enrolled: true, online: true, softwareVersion: '9.9.9', outboxPending: 7, lastError: 'bill acceptor: jam', devices: [{ name: 'printer', state: 'userError' }] });
    expect(terminal.clockDriftMs as number).toBeGreaterThan(60_000);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain(`nongbao_terminal_outbox_depth{terminal="${TERMINAL}"} 7`);
    expect(metrics).toMatch(/nongbao_terminals_online [1-9]/);
  });

  it('records an outbox halt the office sees, and settling it tells the kiosk', async () => {
    const payer = residentsWhoOwe[0]!;
    const credit = { kind: 'cash-credit', id: uuidv7(), citizenNumber: payer.citizenNumber, amountFen: 1_000, at: new Date().toISOString(), reason: 'cancelled' };
    expect((await submit([credit])).data.results[0]).toMatchObject({ outcome: 'applied', money: { result: 'created' } });
    const reused = { ...credit, amountFen: 2_000 };
    const after = { ...credit, id: uuidv7() };
    const reply = await submit([reused, after]);
    expect(reply.data.results).toEqual([
      expect.objectContaining({ id: credit.id, outcome: 'applied', money: expect.objectContaining({ result: 'exists_with_different_amount' }) }),
      { id: after.id, outcome: 'not-applied' },
    ]);
    const terminal = (await api('GET', `/terminals/${TERMINAL}`)).json as { outboxHalted: boolean; openHalts: { eventId: string }[] };
    expect(terminal.outboxHalted).toBe(true);
    expect(terminal.openHalts.map((h) => h.eventId)).toEqual([credit.id]);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/nongbao_money_events_total\{kind="cash-credit",result="exists_with_different_amount"\} [1-9]/);

    const settle = await api('POST', `/terminals/${TERMINAL}/halts/${credit.id}/settle`, { note: 'the 20 yuan slip was a misprint; counted 10 yuan' });
    expect(settle.status).toBe(200);
    expect(await until(() => settled.find((s) => s.eventId === credit.id), 'the outbox.settled push')).toMatchObject({ note: 'the 20 yuan slip was a misprint; counted 10 yuan' });
    expect(((await api('GET', `/terminals/${TERMINAL}`)).json as { openHalts: unknown[] }).openHalts).toEqual([]);
  });

  it("verifies an offline payment's provisional receipt with `nongbao receipt verify`, before and after it reached the ledger", async () => {
    const payer = residentsWhoOwe[2]!;
    const payment = { kind: 'payment', id: uuidv7(), citizenNumber: payer.citizenNumber, year: thisYear, tierYuan: 100, cashFen: 10_000, paidAt: new Date().toISOString() };
    const fields = { paymentId: payment.id, amountFen: 10_000, year: thisYear, maskedCitizenNumber: maskCitizenNumber(payer.citizenNumber), paidAt: payment.paidAt, terminalId: TERMINAL };
    const signature = sign(null, receiptSigningBytes(fields), privateKey).toString('base64url');
    const qr = receiptQrText(fields, signature);

    const before = await nongbao(['receipt', 'verify', qr, '--db', dbPath]);
    expect(before.code).toBe(0);
    expect(before.stdout).toContain('not in the ledger yet');

    expect((await submit([{ ...payment, offline: { signature } }])).data.results[0]).toMatchObject({ outcome: 'applied', money: { result: 'created', booking: 'contribution' } });
    const after = await nongbao(['receipt', 'verify', qr, '--db', dbPath]);
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('as a contribution');

    // Altered (another amount), signed by another key, cut short, not a receipt at all.
    const altered = qr.replace('|10000|', '|90000|');
    expect((await nongbao(['receipt', 'verify', altered, '--db', dbPath])).code).toBe(1);
    const otherKey = generateKeyPairSync('ed25519').privateKey;
    expect((await nongbao(['receipt', 'verify', receiptQrText(fields, sign(null, receiptSigningBytes(fields), otherKey).toString('base64url')), '--db', dbPath])).code).toBe(1);
    expect((await nongbao(['receipt', 'verify', qr.slice(0, qr.length - 20), '--db', dbPath])).code).toBe(2);
    expect((await nongbao(['receipt', 'verify', 'hello', '--db', dbPath])).code).toBe(2);

    // A payment claiming an offline record this kiosk did not sign is refused, not booked.
    const forged = { ...payment, id: uuidv7(), citizenNumber: residentsWhoOwe[3]!.citizenNumber, offline: { signature } };
    expect((await submit([forged])).data.results[0]).toMatchObject({ outcome: 'refused', error: { reason: 'bad-offline-record' } });
  });

  it('shows the kiosk offline as soon as its connection ends, not after the grace for missed status reports', async () => {
    expect((await api('GET', `/terminals/${TERMINAL}`)).json).toMatchObject({ online: true });
    socket.close();
    expect(await until(async () => ((await api('GET', `/terminals/${TERMINAL}`)).json.online === false ? true : undefined), 'the kiosk shown offline')).toBe(true);
  });
});
