// Kiosks keep being served while the office imports a village register
// (issue 10 section 5): a 5 MB import of 1.7 million one-cell rows used to
// hold the server for 56 s, and every kiosk missed its deadline. Here the
// whole server runs on a real port; a kiosk on the socket.io gateway and an
// HTTP client keep asking while a full-size register (CSV_MAX_ROWS rows) is
// imported and while the 1.7-million-row file is refused.
//
// The bounds are not speed targets (those live in the benches): they sit
// far above what the import costs on the 2-core test machine under load
// (longest event-loop block about 0.2 s, kiosk answers within about 0.3 s)
// and far below what a blocking import costs (2.3 s for 20 000 rows before
// this change, seconds to a minute for the 1.7 million rows).
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { io, type Socket } from 'socket.io-client';
import { DEMO_ISSUER_KEY } from '@nongbao/drivers/card';
import { createServerServices, DEMO_OFFICE_PASSWORD, startServer, type RunningServer } from '@nongbao/server';
import { citizenCheckChar } from '@nongbao/server/policy';
import { PROTOCOL_VERSION, TERMINAL_NAMESPACE, authMessage } from '@nongbao/protocol';
import { county, residentWithHistory } from '../support/demo-residents.js';

/** The longest the event loop may be held at once while an import runs. */
const EVENT_LOOP_BLOCK_LIMIT_MS = 1_000;
/** The longest a kiosk or an HTTP client may wait for an answer meanwhile (a kiosk's deadline is 10 s). */
const ANSWER_LIMIT_MS = 2_000;
/** How much more memory (RSS) the process may take while an import runs. */
const MEMORY_GROWTH_LIMIT_BYTES = 300 * 1024 * 1024;
/** A kiosk asks again this long after each answer (10 a second: under the gateway's per-terminal rate, TERMINAL_REQUESTS_PER_SECOND). */
const ASK_INTERVAL_MS = 100;
const KIOSK_REPLY_TIMEOUT_MS = 10_000;
const REGISTER_ROWS = 20_000;
const HEADER = 'citizenNumber,name,birthDate,villageCode,householdId,hukouInCounty,fullTimeStudent,urbanEmployeePension,severelyDisabled,bankAccount';

const silent = pino({ level: 'silent' });
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const terminalId = 'kiosk-import-load-01';

function handshake() {
  const base = { terminalId, timestampMs: Date.now(), nonce: randomBytes(16).toString('hex') };
  return { v: PROTOCOL_VERSION, ...base, signature: sign(null, authMessage(base), privateKey).toString('base64') };
}

/** A register of REGISTER_ROWS new residents of the demo county's first village (region codes the demo does not use). */
function fullRegister(): string {
  const village = county.villages[0]!.code;
  const lines = [HEADER];
  for (let i = 0; i < REGISTER_ROWS; i++) {
    const first17 = `${990000 + Math.floor(i / 1000)}19600615${String(i % 1000).padStart(3, '0')}`;
    lines.push(`${first17}${citizenCheckChar(first17)},测试${i},1960-06-15,${village},,1,0,0,0,62220000${String(i).padStart(8, '0')}`);
  }
  return `${lines.join('\n')}\n`;
}

interface Load {
  kioskAnswers: number[];
  httpAnswers: number[];
  kioskFailures: unknown[];
  peakRssBytes: number;
  eventLoopMaxMs: number;
}

/** Runs `work` while a kiosk and an HTTP client keep asking; measures their waits, the event loop and memory. */
async function underLoad(server: RunningServer, socket: Socket, work: () => Promise<void>): Promise<Load> {
  const load: Load = { kioskAnswers: [], httpAnswers: [], kioskFailures: [], peakRssBytes: process.memoryUsage().rss, eventLoopMaxMs: 0 };
  let running = true;
  const kiosk = (async () => {
    while (running) {
      const askedAt = performance.now();
      try {
        const reply = (await socket.timeout(KIOSK_REPLY_TIMEOUT_MS).emitWithAck('account.summary', { v: 1, citizenNumber: residentWithHistory.citizenNumber })) as { ok: boolean };
        if (!reply.ok) load.kioskFailures.push(reply);
      } catch (error) {
        load.kioskFailures.push(error);
      }
      load.kioskAnswers.push(performance.now() - askedAt);
      await sleep(ASK_INTERVAL_MS);
    }
  })();
  const http = (async () => {
    while (running) {
      const askedAt = performance.now();
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      load.httpAnswers.push(performance.now() - askedAt);
      await sleep(ASK_INTERVAL_MS);
    }
  })();
  const memory = setInterval(() => {
    load.peakRssBytes = Math.max(load.peakRssBytes, process.memoryUsage().rss);
  }, 10);
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  try {
    await work();
  } finally {
    histogram.disable();
    running = false;
    clearInterval(memory);
    await Promise.all([kiosk, http]);
  }
  load.eventLoopMaxMs = histogram.max / 1e6;
  return load;
}

describe('importing a village register while kiosks are served', () => {
  let server: RunningServer;
  let socket: Socket;
  let token: string;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nb-import-load-'));
    server = await startServer({
      db: join(dir, 'server.sqlite'),
      host: '127.0.0.1',
      port: 0,
      logger: silent,
      services: (db, gateway) => createServerServices(db, { logger: silent, seedDemo: county, issuerKey: DEMO_ISSUER_KEY }, gateway),
    });
    const code = server.terminals.issueEnrolCode(terminalId);
    const enrolled = await fetch(`${server.url}/api/v1/terminals/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ terminalId, code, publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64') }),
    });
    expect(enrolled.status).toBe(201);
    socket = io(`${server.url}${TERMINAL_NAMESPACE}`, { transports: ['websocket'], reconnection: false, auth: handshake() });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    const login = await fetch(`${server.url}/api/v1/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'operator', password: DEMO_OFFICE_PASSWORD }),
    });
    token = ((await login.json()) as { token: string }).token;
  });
  afterAll(async () => {
    socket?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function importRegister(body: string): Promise<{ status: number; json: { imported?: number; error?: { code: string } } }> {
    const res = await fetch(`${server.url}/api/v1/persons/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      body,
    });
    return { status: res.status, json: (await res.json()) as { imported?: number; error?: { code: string } } };
  }

  function expectServed(load: Load): void {
    expect(load.kioskFailures).toEqual([]);
    // Answers kept coming while the import ran, not only once it was over.
    expect(load.kioskAnswers.length).toBeGreaterThanOrEqual(5);
    expect(load.httpAnswers.length).toBeGreaterThanOrEqual(5);
    expect(Math.max(...load.kioskAnswers)).toBeLessThan(ANSWER_LIMIT_MS);
    expect(Math.max(...load.httpAnswers)).toBeLessThan(ANSWER_LIMIT_MS);
    expect(load.eventLoopMaxMs).toBeLessThan(EVENT_LOOP_BLOCK_LIMIT_MS);
  }

  it(`answers while a register of ${REGISTER_ROWS} rows is imported`, async () => {
    const register = fullRegister();
    const rssBefore = process.memoryUsage().rss;
    let result: Awaited<ReturnType<typeof importRegister>> | undefined;
    const load = await underLoad(server, socket, async () => {
      result = await importRegister(register);
    });
    expect(result).toEqual({ status: 201, json: { imported: REGISTER_ROWS } });
    expectServed(load);
    expect(load.peakRssBytes - rssBefore).toBeLessThan(MEMORY_GROWTH_LIMIT_BYTES);
  });

  it('answers while the 5 MB register of 1.7 million one-cell rows is refused', async () => {
    const finding = `${HEADER}\n${'ab\n'.repeat(1_700_000)}`;
    const rssBefore = process.memoryUsage().rss;
    let result: Awaited<ReturnType<typeof importRegister>> | undefined;
    const load = await underLoad(server, socket, async () => {
      result = await importRegister(finding);
    });
    expect(result?.status).toBe(400);
    expect(result?.json.error?.code).toBe('csv-too-many-rows');
    expectServed(load);
    expect(load.peakRssBytes - rssBefore).toBeLessThan(MEMORY_GROWTH_LIMIT_BYTES);
  });
});
