// Two gateway processes' servers on one PostgreSQL database (issue 15 section
// 3), with real socket.io clients over real ports: what the office does
// through one gateway reaches a kiosk connected to the other (its new
// configuration, its revocation), and one connection per terminal identity
// holds across gateways. The servers run in this process, each with its own
// database connection, socket.io server and cluster adapter, as two gateway
// processes would.
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { DEMO_ISSUER_KEY } from '@nongbao/drivers/card';
import { createServerServices, startServer, DEMO_OFFICE_PASSWORD, type RunningServer } from '@nongbao/server';
import { silentLogger } from '@nongbao/server/log';
import { freshPgDatabaseUrl } from '@nongbao/server/test-pg';
import { PROTOCOL_VERSION, TERMINAL_NAMESPACE, authMessage, type KioskConfig } from '@nongbao/protocol';
import { county } from '../support/demo-residents.js';

const WAIT_MS = 10_000;
const TERMINAL = 'kiosk-cluster-01';

async function until<T>(probe: () => T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${WAIT_MS} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Longer than the test: a revocation reaches the other gateway's kiosk only by the relayed change. */
const NO_PERIODIC_REVOCATION_CHECK_MS = 600_000;

function gateway(db: string): Promise<RunningServer> {
  return startServer({
    db,
    gatewayLimits: { revocationCheckIntervalMs: NO_PERIODIC_REVOCATION_CHECK_MS },
    host: '127.0.0.1',
    port: 0,
    logger: silentLogger,
    services: (conn, state) => createServerServices(conn, { logger: silentLogger, seedDemo: county, issuerKey: DEMO_ISSUER_KEY }, state),
  });
}

describe('two gateways on one PostgreSQL database', () => {
  let a: RunningServer;
  let b: RunningServer;
  let token: string;
  let privateKey: KeyObject;
  const sockets: Socket[] = [];

  const api = async (server: RunningServer, method: string, path: string, body?: unknown) =>
    fetch(`${server.url}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });

  function connect(server: RunningServer): Promise<{ socket: Socket; configs: KioskConfig[] }> {
    const base = { terminalId: TERMINAL, timestampMs: Date.now(), nonce: randomBytes(16).toString('hex') };
    const socket = io(`${server.url}${TERMINAL_NAMESPACE}`, { transports: ['websocket'], reconnection: false, auth: { v: PROTOCOL_VERSION, ...base, signature: sign(null, authMessage(base), privateKey).toString('base64') } });
    sockets.push(socket);
    const configs: KioskConfig[] = [];
    socket.on('kiosk.config', (c: KioskConfig) => configs.push(c));
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve({ socket, configs }));
      socket.once('connect_error', reject);
    });
  }

  beforeAll(async () => {
    const url = freshPgDatabaseUrl('gwcluster');
    // One after the other: the first seeds the county, the second finds it.
    a = await gateway(url);
    b = await gateway(url);
    const login = await fetch(`${a.url}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'operator', password: DEMO_OFFICE_PASSWORD }) });
    token = ((await login.json()) as { token: string }).token;
    const created = (await (await api(a, 'POST', '/terminals', { terminalId: TERMINAL, villageCode: county.villages[0]!.code, location: '村委会' })).json()) as { code: string };
    const keys = generateKeyPairSync('ed25519');
    privateKey = keys.privateKey;
    // Enrolled through the other gateway: both read the same terminal table.
    const enrol = await fetch(`${b.url}/api/v1/terminals/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ terminalId: TERMINAL, code: created.code, publicKey: keys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64') }),
    });
    expect(enrol.status).toBe(201);
  });

  afterAll(async () => {
    for (const s of sockets) s.close();
    await b?.close();
    await a?.close();
  });

  it("pushes a kiosk on gateway B the configuration the office changed through gateway A", async () => {
    const { configs } = await connect(b);
    await until(() => configs[0], 'the first kiosk.config');
    expect((await api(a, 'POST', `/terminals/${TERMINAL}/offline-limits`, { amountFen: 400_000, payments: 12 })).status).toBe(200);
    expect(await until(() => configs.find((c) => c.offlineLimits.payments === 12), 'the new limits, from the other gateway')).toMatchObject({ offlineLimits: { amountFen: 400_000 } });
  });

  it('keeps one connection per terminal across gateways: connecting to A drops the older one on B', async () => {
    const older = sockets[sockets.length - 1]!;
    expect(older.connected).toBe(true);
    const dropped = new Promise<string>((resolve) => older.once('disconnect', resolve));
    const { socket: newer } = await connect(a);
    expect(await dropped).toBe('io server disconnect');
    // The newer one stays.
    await new Promise((r) => setTimeout(r, 300));
    expect(newer.connected).toBe(true);
  });

  it('drops a kiosk connected to gateway A when the office revokes it through gateway B', async () => {
    const current = sockets[sockets.length - 1]!;
    expect(current.connected).toBe(true);
    let reason: string | undefined;
    current.once('disconnect', (r) => (reason = r));
    expect((await api(b, 'POST', `/terminals/${TERMINAL}/revoke`)).status).toBe(200);
    expect(await until(() => reason, 'the revoked kiosk dropped')).toBe('io server disconnect');
  });
});
