// The kiosk's local API refuses what a DNS-rebinding page sends (local-origin.ts,
// issue 10 section 6), over real HTTP and socket.io on a real port: a Host
// that is not its own, an Origin that is not its own; its own page works.
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { io, type Socket } from 'socket.io-client';
import { Journal } from './journal/index.js';
import { startLocalApi, type LocalApi } from './local-api.js';
import { KioskSession } from './session.js';

const SOCKET_TIMEOUT_MS = 5_000;
const silent = pino({ level: 'silent' });

let api: LocalApi;
let session: KioskSession;
let journal: Journal;
let own: string;

/** One HTTP request with the headers a browser (or an attacker's page) would send. */
function send(method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<{ status: number; json: { error?: { code: string } } | undefined }> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: api.port, method, path, headers: { ...headers, ...(text ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) } : {}) } },
      (res) => {
        let out = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (out += chunk));
        res.on('end', () => {
          let json: { error?: { code: string } } | undefined;
          try {
            json = JSON.parse(out) as typeof json;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

/** A socket.io client over WebSocket with the given handshake headers: connected, or the refusal. */
function connect(headers: Record<string, string>): Promise<{ socket: Socket; state?: unknown; error?: string }> {
  return new Promise((resolve) => {
    const socket = io(`http://127.0.0.1:${api.port}`, { transports: ['websocket'], reconnection: false, extraHeaders: headers, timeout: SOCKET_TIMEOUT_MS });
    socket.once('state', (state: unknown) => resolve({ socket, state }));
    socket.once('connect_error', (error) => resolve({ socket, error: error.message }));
  });
}

beforeAll(async () => {
  journal = new Journal(join(mkdtempSync(join(tmpdir(), 'nb-local-api-')), 'journal.sqlite'));
  session = new KioskSession({
    accounts: {
      accountSummary: async () => ({ ok: false, error: { code: 'unavailable', message: 'offline' } }),
      publicity: async () => ({ ok: false, error: { code: 'unavailable', message: 'offline' } }),
    },
    cache: journal,
    logger: silent,
  });
  api = await startLocalApi({
    session,
    host: '127.0.0.1',
    port: 0,
    uiDir: join(tmpdir(), 'nb-no-ui'),
    logger: silent,
    status: () => ({ serverConnected: false, terminalId: 'kiosk-local-01' }),
  });
  own = `127.0.0.1:${api.port}`;
});

afterAll(async () => {
  await api.close();
  journal.close();
});

describe("the kiosk's local API", () => {
  it("answers its own page, by 127.0.0.1 or localhost, with or without the page's Origin", async () => {
    expect((await send('GET', '/api/state', { host: own })).status).toBe(200);
    expect((await send('GET', '/api/state', { host: `localhost:${api.port}` })).status).toBe(200);
    const action = await send('POST', '/api/action', { host: own, origin: `http://${own}` }, { action: 'done' });
    expect([200, 409]).toContain(action.status);
  });

  it('refuses a DNS-rebinding page: its Host is not the API\'s own (421 wrong-host)', async () => {
    const rebound = { host: `evil.example:${api.port}`, origin: `http://evil.example:${api.port}` };
    const state = await send('GET', '/api/state', { host: rebound.host });
    expect(state).toEqual({ status: 421, json: { error: { code: 'wrong-host', message: expect.stringContaining('evil.example') } } });
    const before = session.state;
    const pin = await send('POST', '/api/pin', rebound, { pin: '123456' });
    expect(pin.status).toBe(421);
    expect(pin.json?.error?.code).toBe('wrong-host');
    expect(session.state).toBe(before);
    // The UI's files are refused the same way.
    expect((await send('GET', '/', { host: rebound.host })).status).toBe(421);
  });

  it("refuses another site's page calling with the right Host (403 wrong-origin), and a page with no origin of its own", async () => {
    for (const origin of ['http://evil.example', `https://${own}`, `http://127.0.0.1:${api.port + 1}`, 'null']) {
      const res = await send('POST', '/api/action', { host: own, origin }, { action: 'done' });
      expect(res.status, origin).toBe(403);
      expect(res.json?.error?.code, origin).toBe('wrong-origin');
    }
  });

  it("lets the kiosk's own page open socket.io and refuses a foreign Host or Origin", async () => {
    const mine = await connect({ origin: `http://${own}` });
    expect(mine.error).toBeUndefined();
    expect(mine.state).toMatchObject({ terminalId: 'kiosk-local-01' });
    mine.socket.close();
    const rebound = await connect({ host: `evil.example:${api.port}`, origin: `http://evil.example:${api.port}` });
    expect(rebound.error).toBeDefined();
    expect(rebound.state).toBeUndefined();
    rebound.socket.close();
    const foreign = await connect({ origin: 'http://evil.example' });
    expect(foreign.error).toBeDefined();
    foreign.socket.close();
  });

  it('refuses the socket.io polling handshake from a foreign Host or Origin', async () => {
    const path = '/socket.io/?EIO=4&transport=polling';
    expect((await send('GET', path, { host: own })).status).toBe(200);
    expect((await send('GET', path, { host: `evil.example:${api.port}` })).status).toBe(403);
    expect((await send('GET', path, { host: own, origin: 'http://evil.example' })).status).toBe(403);
  });
});
