// A kiosk's diagnostics reach the county office through the gateway's
// terminal registry (issue 13 section 1): a real server on a real port, a
// real terminal enrolled with it (printer and acceptor drivers on their
// simulators), a staff member's self-tests at the kiosk, and the office's
// fleet view with the device states, resources and recent errors in the
// register's terms; the OpenAPI document describes them.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { DEMO_ISSUER_KEY, InProcessCardReader } from '@nongbao/drivers/card';
import { createInProcessBillAcceptor } from '@nongbao/drivers/cctalk';
import { createInProcessPrinter } from '@nongbao/drivers/escpos';
import { DEMO_OFFICE_PASSWORD, createServerServices, startServer, type RunningServer } from '@nongbao/server';
import { startTerminal, type CardHolder, type InsertedCard, type RunningTerminal } from '@nongbao/terminal';
import { county } from '../support/demo-residents.js';

const silent = pino({ level: 'silent' });
const TERMINAL = 'kiosk-diag-01';

class StaffCard implements InsertedCard {
  async readHolder(): Promise<CardHolder> {
    return { kind: 'staff', citizenNumber: '513227198302220050', name: '王师傅', cardNumber: 'S00000001', verified: true, cardSession: null };
  }
  async verifyPin(pin: string) {
    return pin === '123456' ? ({ ok: true } as const) : ({ ok: false, reason: 'wrong', triesLeft: 2 } as const);
  }
}

describe('diagnostics at the county office', () => {
  let server: RunningServer;
  let terminal: RunningTerminal;
  let token: string;
  const printer = createInProcessPrinter();
  const acceptor = createInProcessBillAcceptor({ pollIntervalMs: 20 });
  const office = async (path: string) => {
    const res = await fetch(`${server.url}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
    return (await res.json()) as Record<string, unknown>;
  };
  const staff = async (path: string) => {
    const res = await fetch(`${terminal.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    return (await res.json()) as { result: string; code: number | null };
  };

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nb-fleet-diag-'));
    server = await startServer({
      db: join(dir, 'server.sqlite'),
      host: '127.0.0.1',
      port: 0,
      logger: silent,
      services: (db, gateway) => createServerServices(db, { logger: silent, seedDemo: county, issuerKey: DEMO_ISSUER_KEY }, gateway),
    });
    const login = await fetch(`${server.url}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'operator', password: DEMO_OFFICE_PASSWORD }) });
    token = ((await login.json()) as { token: string }).token;
    const created = await fetch(`${server.url}/api/v1/terminals`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ terminalId: TERMINAL, villageCode: county.villages[0]!.code, location: '村委会一楼' }),
    });
    const { code } = (await created.json()) as { code: string };
    const keys = generateKeyPairSync('ed25519');
    const publicKeySpkiBase64 = keys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const enrol = await fetch(`${server.url}/api/v1/terminals/enrol`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ terminalId: TERMINAL, code, publicKey: publicKeySpkiBase64 }) });
    expect(enrol.status).toBe(201);
    terminal = await startTerminal({
      identity: { terminalId: TERMINAL, privateKey: keys.privateKey, publicKeySpkiBase64 },
      serverUrl: server.url,
      dataDir: dir,
      host: '127.0.0.1',
      port: 0,
      uiDir: join(dir, 'no-ui'),
      logger: silent,
      cardReader: new InProcessCardReader(),
      cashDevices: { acceptor: acceptor.driver, printer: printer.printer },
    });
    for (const deadline = Date.now() + 10_000; !terminal.uplink.connected; await new Promise((r) => setTimeout(r, 50))) {
      if (Date.now() > deadline) throw new Error('the terminal did not connect');
    }
  });
  afterAll(async () => {
    await terminal?.stop();
    await server?.close();
  });

  it('shows the office the kiosk\'s device states, resources and recent errors, in the register\'s terms, after a staff member\'s tests', async () => {
    await terminal.session.cardInserted(new StaffCard());
    await terminal.session.enterPin('123456');
    await printer.simulator.setPaper('out');
    expect(await staff('/api/staff/self-test/printer')).toMatchObject({ result: 'fail', code: 1202 });
    // The gateway round trip is the status report: it carries what the kiosk knows now.
    expect(await staff('/api/staff/self-test/gateway')).toMatchObject({ result: 'pass', code: null });

    const seen = (await office(`/terminals/${TERMINAL}`)) as {
      online: boolean;
      devices: { name: string; state: string; paper?: string }[];
      resources: { network: { connected: boolean }; journalBytes: number; diskFreeBytes: number; outboxPending: number; softwareVersion: string } | null;
      recentErrors: { code: number; source: string; name: string; messageKey: string; action: string; retryable: boolean }[];
    };
    expect(seen.online).toBe(true);
    expect(seen.devices).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'printer', paper: 'out' }), expect.objectContaining({ name: 'cardReader' })]));
    expect(seen.resources).toMatchObject({ network: { connected: true }, outboxPending: 0, softwareVersion: expect.any(String) });
    expect(seen.resources!.journalBytes).toBeGreaterThan(0);
    expect(seen.resources!.diskFreeBytes).toBeGreaterThan(0);
    expect(seen.recentErrors).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 1202, source: 'selfTest.printer', name: 'paperOut', messageKey: 'device.paperOut', action: 'loadPaper', retryable: false })]),
    );
    const fleet = (await office('/terminals')) as { terminals: { terminalId: string; recentErrors: unknown[] }[] };
    expect(fleet.terminals.find((t) => t.terminalId === TERMINAL)?.recentErrors).toEqual(seen.recentErrors);
  });

  it('describes the diagnostics in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, { get?: { responses: Record<string, { content: { 'application/json': { schema: { properties?: Record<string, { items?: { properties?: Record<string, unknown> } }> } } } }> } }>;
    };
    const schema = doc.paths['/terminals/{terminalId}']!.get!.responses['200']!.content['application/json'].schema;
    expect(Object.keys(schema.properties ?? {})).toEqual(expect.arrayContaining(['devices', 'resources', 'recentErrors']));
    expect(Object.keys(schema.properties!.recentErrors!.items!.properties ?? {})).toEqual(expect.arrayContaining(['code', 'messageKey', 'action', 'retryable']));
  });
});
