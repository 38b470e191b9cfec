// The terminal gateway at its edge, over a real port: only enrolled kiosks
// with a fresh signed handshake get in, and any message, however malformed,
// gets exactly one schema-shaped reply and leaves the server running.
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pino } from 'pino';
import { io, type Socket } from 'socket.io-client';
import { DEMO_ISSUER_KEY } from '@nongbao/drivers/card';
import { createServerServices, startServer, type RunningServer } from '@nongbao/server';
import { PROTOCOL_VERSION, TERMINAL_NAMESPACE, authMessage } from '@nongbao/protocol';
import { county, residentWithHistory } from '../support/demo-residents.js';

const FUZZ_SEED = 20261122;
const silent = pino({ level: 'silent' });
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const terminalId = 'kiosk-gateway-01';

function handshake(nonce = randomBytes(16).toString('hex'), timestampMs = Date.now()) {
  const base = { terminalId, timestampMs, nonce };
  return { v: PROTOCOL_VERSION, ...base, signature: sign(null, authMessage(base), privateKey).toString('base64') };
}

function connect(url: string, auth: unknown): Promise<{ socket: Socket; error?: string }> {
  return new Promise((resolve) => {
    const socket = io(`${url}${TERMINAL_NAMESPACE}`, { transports: ['websocket'], reconnection: false, auth: auth as Record<string, unknown> });
    socket.once('connect', () => resolve({ socket }));
    socket.once('connect_error', (error) => resolve({ socket, error: error.message }));
  });
}

describe('the terminal gateway', () => {
  let server: RunningServer;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    server = await startServer({
      db: join(mkdtempSync(join(tmpdir(), 'nb-gateway-')), 'server.sqlite'),
      host: '127.0.0.1',
      port: 0,
      logger: silent,
      // The fuzz below sends hundreds of messages a second from one terminal.
      gatewayLimits: { requestsPerSecond: 10_000, requestBurst: 10_000 },
      services: (db, gateway) => createServerServices(db, { logger: silent, seedDemo: county, issuerKey: DEMO_ISSUER_KEY }, gateway),
    });
    const code = server.terminals.issueEnrolCode(terminalId);
    const response = await fetch(`${server.url}/api/v1/terminals/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ terminalId, code, publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64') }),
    });
    expect(response.status).toBe(201);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await server?.close();
  });

  it('refuses a connection without a valid handshake, with the reason', async () => {
    const none = await connect(server.url, {});
    sockets.push(none.socket);
    expect(none.error).toBe('bad-handshake');
    const forged = await connect(server.url, { ...handshake(), signature: Buffer.alloc(64).toString('base64') });
    sockets.push(forged.socket);
    expect(forged.error).toBe('bad-signature');
    const stale = await connect(server.url, handshake(undefined, Date.now() - 3_600_000));
    sockets.push(stale.socket);
    expect(stale.error).toBe('clock-skew');
    const once = handshake();
    const first = await connect(server.url, once);
    sockets.push(first.socket);
    expect(first.error).toBeUndefined();
    const replayed = await connect(server.url, once);
    sockets.push(replayed.socket);
    expect(replayed.error).toBe('replayed-nonce');
  });

  it('answers every malformed message with one bad-request reply and keeps serving', async () => {
    const { socket, error } = await connect(server.url, handshake());
    sockets.push(socket);
    expect(error).toBeUndefined();
    const events = ['account.summary', 'card.authenticate', 'publicity.list', 'outbox.submit', 'terminal.status'] as const;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...events), fc.anything({ maxDepth: 3 }), async (event, payload) => {
        const reply = (await socket.timeout(5_000).emitWithAck(event, payload)) as { ok: boolean; error?: { code: string } };
        expect(reply.ok).toBe(false);
        // A message of another protocol version is told so; anything else that fails its schema is a bad request.
        const version = typeof payload === 'object' && payload !== null ? (payload as { v?: unknown }).v : undefined;
        expect(reply.error?.code).toBe(typeof version === 'number' && version !== PROTOCOL_VERSION ? 'unsupported-version' : 'bad-request');
      }),
      { seed: FUZZ_SEED, numRuns: 500 },
    );
    // A message with no acknowledgement callback is dropped, not a crash.
    socket.emit('account.summary', { v: 1, citizenNumber: residentWithHistory.citizenNumber });
    const summary = (await socket.timeout(5_000).emitWithAck('account.summary', { v: 1, citizenNumber: residentWithHistory.citizenNumber })) as {
      ok: boolean;
      data: { contributionYears: number };
    };
    expect(summary).toMatchObject({ ok: true, data: { contributionYears: residentWithHistory.contributions.length } });
  });

  it('says not-found for a person it does not know, and checks card cryptograms with the issuer key', async () => {
    const { socket } = await connect(server.url, handshake());
    sockets.push(socket);
    const unknown = (await socket.timeout(5_000).emitWithAck('account.summary', { v: 1, citizenNumber: '11010519491231002X' })) as { ok: boolean; error: { code: string } };
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not-found' } });
    const forged = (await socket.timeout(5_000).emitWithAck('card.authenticate', {
      v: 1,
      cardIdentifier: '513227D15600000500000000000000FF',
      challenge: '00112233445566778899AABBCCDDEEFF',
      cryptogram: '00000000000000000000000000000000',
      citizenNumber: residentWithHistory.citizenNumber,
      cardNumber: residentWithHistory.card.cardNumber,
      kind: 'resident',
    })) as { ok: boolean; data: { authentic: boolean } };
    expect(forged).toEqual({ ok: true, data: { authentic: false } });
  });
});
