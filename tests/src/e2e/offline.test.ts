// Days without network: money events wait in the kiosk's journal and reach
// the ledger once, when the server is back. Real server process parts
// (SQLite, socket.io over a real port), a real journal file.
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { DEMO_ISSUER_KEY } from '@nongbao/drivers/card';
import { createServerServices, startServer, type RunningServer } from '@nongbao/server';
import { county, residentsWhoOwe, thisYear } from '../support/demo-residents.js';
import { Journal, OutboxRelay, Uplink, buildMoneyEvent, enrol, loadOrCreateIdentity } from '@nongbao/terminal';
import { PROTOCOL_VERSION } from '@nongbao/protocol';

const silent = pino({ level: 'silent' });
const payer = residentsWhoOwe[0]!;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const port = (probe.address() as { port: number }).port;
      probe.close(() => resolve(port));
    });
  });
}

function startCountyServer(dataDir: string, port: number): Promise<RunningServer> {
  return startServer({
    db: join(dataDir, 'server.sqlite'),
    host: '127.0.0.1',
    port,
    logger: silent,
    services: (db, gateway) => createServerServices(db, { logger: silent, seedDemo: county, issuerKey: DEMO_ISSUER_KEY }, gateway),
  });
}

describe('the kiosk outbox across a network outage', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('keeps a payment while the server is unreachable and delivers it exactly once when it is back', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nb-offline-'));
    const port = await freePort();
    // Enrol while the server is up, then take it down.
    let server = await startCountyServer(dataDir, port);
    const identity = loadOrCreateIdentity(join(dataDir, 'kiosk'), 'kiosk-offline-01');
    await enrol(join(dataDir, 'kiosk'), server.url, identity, server.terminals.issueEnrolCode('kiosk-offline-01'));
    await server.close();

    const journal = new Journal(join(dataDir, 'kiosk', 'journal.sqlite'));
    cleanups.push(() => journal.close());
    const paymentId = uuidv7();
    journal.payments.open({ id: paymentId, citizenNumber: payer.citizenNumber, year: thisYear, tierYuan: 100, dueFen: 10_000, openedAt: new Date().toISOString() });
    journal.payments.noteStacking(paymentId, 1, 10_000, new Date().toISOString());
    journal.noteCredited(10_000, 2, new Date().toISOString());
    journal.completePayment(paymentId, new Date().toISOString());
    const built = buildMoneyEvent(journal, journal.outbox.get(paymentId)!);
    if (!built.ok) throw new Error(built.why);

    const uplink = new Uplink({ serverUrl: `http://127.0.0.1:${port}`, terminalId: identity.terminalId, privateKey: identity.privateKey, logger: silent, requestTimeoutMs: 2_000 });
    const relay = new OutboxRelay({ journal, link: uplink, terminalId: identity.terminalId, logger: silent, retryIntervalMs: 100 });
    uplink.start();
    relay.start();
    cleanups.push(() => {
      relay.stop();
      uplink.stop();
    });

    // Down: nothing is sent, nothing is lost.
    await new Promise((r) => setTimeout(r, 500));
    expect(journal.outbox.pending(10).map((e) => e.id)).toEqual([paymentId]);

    // Back: the relay delivers, the ledger books it once.
    server = await startCountyServer(dataDir, port);
    cleanups.push(() => server.close());
    const deadline = Date.now() + 30_000;
    while (journal.outbox.pending(10).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(journal.outbox.get(paymentId)).toMatchObject({ state: 'done', result: 'created', booking: 'contribution' });

    const row = server.db.prepare('SELECT COUNT(*) AS n FROM reg_contributions WHERE id = ?').get(paymentId) as { n: number };
    expect(row.n).toBe(1);

    // A replay (say the ack was lost) is harmless: the ledger answers `exists`.
    const replay = await uplink.request('outbox.submit', { v: PROTOCOL_VERSION, terminalId: identity.terminalId, events: [built.event] });
    expect(replay).toEqual({ ok: true, data: { results: [{ id: paymentId, outcome: 'applied', money: { result: 'exists', booking: 'contribution' } }] } });
    const again = server.db.prepare('SELECT COUNT(*) AS n FROM reg_contributions WHERE id = ?').get(paymentId) as { n: number };
    expect(again.n).toBe(1);
  });
});
