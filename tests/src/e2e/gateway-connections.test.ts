// One connection per terminal identity at the gateway (server/src/gateway/
// connections.ts, issue 10 section 6), with real socket.io clients over a
// real port: when a kiosk connects again while its older connection is still
// open, the newer stays, the older is disconnected, and the event is logged.
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { io, type Socket } from 'socket.io-client';
import { DEMO_ISSUER_KEY } from '@nongbao/drivers/card';
import { createServerServices, startServer, type RunningServer } from '@nongbao/server';
import { PROTOCOL_VERSION, TERMINAL_NAMESPACE, authMessage } from '@nongbao/protocol';
import { county, residentWithHistory } from '../support/demo-residents.js';

const REPLY_TIMEOUT_MS = 5_000;
const DISCONNECT_TIMEOUT_MS = 5_000;
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const terminalId = 'kiosk-twice-01';

/** The server's log lines, parsed. */
const logLines: Array<Record<string, unknown>> = [];
const logger = pino(
  { level: 'info' },
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) logLines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  }),
);

function handshake() {
  const base = { terminalId, timestampMs: Date.now(), nonce: randomBytes(16).toString('hex') };
  return { v: PROTOCOL_VERSION, ...base, signature: sign(null, authMessage(base), privateKey).toString('base64') };
}

function connect(url: string, auth: ReturnType<typeof handshake> = handshake()): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = io(`${url}${TERMINAL_NAMESPACE}`, { transports: ['websocket'], reconnection: false, auth });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

function disconnected(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not disconnected within ${DISCONNECT_TIMEOUT_MS} ms`)), DISCONNECT_TIMEOUT_MS);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

const replaced = () => logLines.filter((l) => l.event === 'terminal.connection_replaced');

describe('two connections with one terminal identity', () => {
  let server: RunningServer;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    server = await startServer({
      db: join(mkdtempSync(join(tmpdir(), 'nb-gateway-twice-')), 'server.sqlite'),
      host: '127.0.0.1',
      port: 0,
      logger,
      services: (db, gateway) => createServerServices(db, { logger, seedDemo: county, issuerKey: DEMO_ISSUER_KEY }, gateway),
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

  it('keeps the newer, disconnects the older and logs terminal.connection_replaced', async () => {
    const older = await connect(server.url);
    sockets.push(older);
    expect(replaced()).toEqual([]);
    const olderEnded = disconnected(older);
    const newer = await connect(server.url);
    sockets.push(newer);
    expect(await olderEnded).toBe('io server disconnect');
    expect(newer.connected).toBe(true);
    const summary = (await newer.timeout(REPLY_TIMEOUT_MS).emitWithAck('account.summary', { v: 1, citizenNumber: residentWithHistory.citizenNumber })) as { ok: boolean };
    expect(summary.ok).toBe(true);
    expect(replaced()).toEqual([expect.objectContaining({ level: 40, terminalId, olderSocketId: expect.any(String), newerSocketId: expect.any(String) })]);
    expect(replaced()[0]!.olderSocketId).not.toBe(replaced()[0]!.newerSocketId);
  });

  it("does not forget the newer connection when the older one's end is handled: a third replaces the second", async () => {
    const second = sockets.at(-1)!;
    const secondEnded = disconnected(second);
    const third = await connect(server.url);
    sockets.push(third);
    expect(await secondEnded).toBe('io server disconnect');
    expect(third.connected).toBe(true);
    expect(replaced()).toHaveLength(2);
  });

  it('logs nothing when a terminal reconnects after its older connection ended', async () => {
    const third = sockets.at(-1)!;
    const ends = () => logLines.filter((l) => l.event === 'terminal.disconnected').length;
    const endsBefore = ends();
    third.close();
    // Wait until the server has seen it end.
    for (const deadline = Date.now() + DISCONNECT_TIMEOUT_MS; ends() === endsBefore; ) {
      if (Date.now() > deadline) throw new Error(`the server did not see the connection end within ${DISCONNECT_TIMEOUT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const fourth = await connect(server.url);
    sockets.push(fourth);
    expect(fourth.connected).toBe(true);
    expect(replaced()).toHaveLength(2);
  });

  it('accepts one of two connections presenting the same signed handshake at once (handshakes share a commit), refuses the other as a replay', async () => {
    const auth = handshake();
    const attempts = await Promise.allSettled([connect(server.url, auth), connect(server.url, auth)]);
    const accepted = attempts.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []));
    sockets.push(...accepted);
    const refusals = attempts.flatMap((a) => (a.status === 'rejected' ? [(a.reason as Error).message] : []));
    expect(accepted).toHaveLength(1);
    expect(refusals).toEqual(['replayed-nonce']);
  });
});
