// POST /api/v1/persons/import over real HTTP (issue 10 section 5): the body is
// read as it arrives and refused at the first limit, the refusal reaches the
// client whole, and the server goes on answering on the same port.
import { Agent, createServer, request, type ClientRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSV_MAX_ROWS, VILLAGE_REGISTER_COLUMNS } from '../registry/register-import.js';
import { citizenNumberFor, openTestStack, type TestStack } from '../registry/test-support.js';
import { CSV_BODY_LIMIT_BYTES, createApiRouter } from './index.js';
import { apiCall } from './test-client.js';

const HEADER = VILLAGE_REGISTER_COLUMNS.join(',');
let stack: TestStack;
let server: Server;
let origin: string;
let base: string;
let token: string;

beforeAll(async () => {
  stack = openTestStack({ today: '2011-09-01' });
  stack.registry.users.createUser('op.wang', 'operator-password-1', 'operator');
  stack.registry.persons.createVillage({ code: 'V001', name: '上坝村' });
  const app = express();
  app.use('/api/v1', createApiRouter({ db: stack.db, ledger: stack.ledger, policy: stack.policy, schemeStart: '2010-07-01', registry: stack.registry, runs: stack.runs }));
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  base = `${origin}/api/v1`;
  token = (await apiCall(base, 'POST', '/login', { body: { username: 'op.wang', password: 'operator-password-1' } })).json.token;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  stack.close();
});

async function upload(body: Buffer | ReadableStream<Uint8Array>, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/persons/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv', ...headers },
    body,
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);
  return { status: res.status, json: (await res.json()) as { error?: { code: string; field?: string; details?: unknown }; imported?: number } };
}

describe('the 5 MB register of 1.7 million one-cell rows', () => {
  const finding = Buffer.from(`${HEADER}\n${'ab\n'.repeat(1_700_000)}`);

  it('is refused at the row after the limit, and the answer reaches the client whole', async () => {
    expect(finding.length).toBeGreaterThan(5_000_000);
    expect(finding.length).toBeLessThanOrEqual(CSV_BODY_LIMIT_BYTES);
    const res = await upload(finding);
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'csv-too-many-rows', field: 'csv', details: { maxRows: CSV_MAX_ROWS, line: CSV_MAX_ROWS + 2 } });
    // The server answers on: a second refusal of the same file, then a small import.
    expect((await upload(finding)).json.error?.code).toBe('csv-too-many-rows');
    const cn = citizenNumberFor('1950-01-01', 1);
    const ok = await upload(Buffer.from(`${HEADER}\n${cn},李四,1950-01-01,V001,,1,0,0,0,6222000000000001\n`));
    expect(ok).toMatchObject({ status: 201, json: { imported: 1 } });
  });
});

/** One request over `agent`; the whole answer. */
function send(agent: Agent, method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, agent, headers: { authorization: `Bearer ${token}`, ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the connection of a refused upload', () => {
  it('stays usable: the unread rest is dropped, and the next request goes over the same connection', async () => {
    const finding = Buffer.from(`${HEADER}\n${'ab\n'.repeat(1_700_000)}`);
    let connections = 0;
    const count = (): void => {
      connections += 1;
    };
    server.on('connection', count);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const refused = await send(agent, 'POST', '/persons/import', { 'content-type': 'text/csv', 'content-length': String(finding.length) }, finding);
      expect(refused.status).toBe(400);
      expect(JSON.parse(refused.text).error.code).toBe('csv-too-many-rows');
      const next = await send(agent, 'GET', '/runs', {});
      expect(next.status).toBe(200);
      expect(connections).toBe(1);
    } finally {
      server.off('connection', count);
      agent.destroy();
    }
  });
});

describe('the byte limit', () => {
  it('refuses a declared length over the limit before reading the body', async () => {
    let req: ClientRequest | undefined;
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      req = request(`${base}/persons/import`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv', 'content-length': String(CSV_BODY_LIMIT_BYTES + 1) },
      });
      req.on('response', resolve);
      req.on('error', reject);
      req.flushHeaders(); // headers only: the answer comes without a byte of the body
    });
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    req?.destroy();
    expect(response.statusCode).toBe(413);
    expect(JSON.parse(Buffer.concat(chunks).toString()).error.code).toBe('body-too-large');
  });

  it('refuses a chunked body as soon as it passes the limit', async () => {
    // Rows of 300 bytes (wrong, so all are checked and counted): 5 MB comes before 20 000 rows.
    const rowText = `${'x,'.repeat(149)}x\n`;
    const chunk = new TextEncoder().encode(rowText.repeat(100));
    let sentBytes = 0;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(`${HEADER}\n`));
      },
      pull(controller) {
        if (sentBytes > 2 * CSV_BODY_LIMIT_BYTES) {
          controller.close();
          return;
        }
        sentBytes += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const res = await upload(body);
    expect(res.status).toBe(413);
    expect(res.json.error?.code).toBe('body-too-large');
  });
});

describe('what the upload says it is', () => {
  const csv = Buffer.from(`${HEADER}\n`);
  it.each([
    [{ 'content-encoding': 'gzip' }, gzipSync(csv)],
    [{ 'content-encoding': 'gzip' }, csv],
    [{ 'content-type': 'text/csv; charset=gbk' }, csv],
    [{ 'content-type': 'application/json' }, csv],
  ])('refuses %j with 415', async (headers, body) => {
    const res = await upload(body, headers);
    expect(res.status).toBe(415);
    expect(res.json.error?.code).toBe('unsupported-media-type');
  });
});

describe('row errors over HTTP', () => {
  it('name the line where each row starts', async () => {
    const wrong = `${citizenNumberFor('1950-01-01', 2).slice(0, 17)}Z`;
    const csv = [HEADER, `${wrong},"王\r\n五",1950-01-01,V001,,1,0,0,0,`, `${wrong},李四,1950-01-01,V001,,1,0,0,0,`].join('\r\n');
    const res = await upload(Buffer.from(csv));
    expect(res.status).toBe(400);
    expect((res.json.error?.details as { rows: { line: number }[] }).rows.map((r) => r.line)).toEqual([2, 4]);
  });
});
