// The chaos proxy between a real socket.io client and server (websocket
// transport, the terminal namespace), as between a kiosk and the gateway.
import { createServer, type Server as HttpServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { Server } from 'socket.io';
import { io, type Socket } from 'socket.io-client';
import { ChaosProxy } from './proxy.js';
import { prng } from './prng.js';

const ANSWER_WAIT_MS = 1_500;
const LONG_ENOUGH_MS = 300;

interface Gateway {
  http: HttpServer;
  io: Server;
  port: number;
  /** The first event id of each outbox.submit, in the order the gateway got them. */
  received: string[];
}

async function gateway(): Promise<Gateway> {
  const http = createServer();
  const server = new Server(http, { transports: ['websocket'] });
  const received: string[] = [];
  server.of('/terminal').on('connection', (socket) => {
    socket.on('outbox.submit', (body: { events: { id: string }[] }, ack: (reply: unknown) => void) => {
      received.push(body.events[0]!.id);
      ack({ ok: true, data: { results: body.events.map((e) => ({ id: e.id, outcome: 'applied' })) } });
    });
    socket.on('account.summary', (_body: unknown, ack: (reply: unknown) => void) => ack({ ok: true, data: {} }));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()));
  return { http, io: server, port: (http.address() as { port: number }).port, received };
}

function submit(socket: Socket, id: string, timeoutMs = ANSWER_WAIT_MS): Promise<unknown> {
  return socket.timeout(timeoutMs).emitWithAck('outbox.submit', { v: 1, terminalId: 'kiosk-x', events: [{ id }] });
}

describe('the chaos proxy', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp(): Promise<{ gw: Gateway; proxy: ChaosProxy; client: Socket }> {
    const gw = await gateway();
    cleanups.push(() => new Promise<void>((resolve) => gw.io.close(() => resolve())));
    const proxy = await ChaosProxy.start({ host: '127.0.0.1', port: gw.port });
    cleanups.push(() => proxy.close());
    const client = io(`http://127.0.0.1:${proxy.port}/terminal`, { transports: ['websocket'], reconnectionDelay: 50, reconnectionDelayMax: 100 });
    cleanups.push(() => void client.close());
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    return { gw, proxy, client };
  }

  it('passes messages and answers untouched', async () => {
    const { gw, client } = await setUp();
    await expect(submit(client, 'e1')).resolves.toMatchObject({ ok: true });
    expect(gw.received).toEqual(['e1']);
  });

  it('delivers each batch twice in duplicate mode; the kiosk gets one answer', async () => {
    const { gw, proxy, client } = await setUp();
    proxy.setMode({ kind: 'duplicate' });
    await expect(submit(client, 'e1')).resolves.toMatchObject({ ok: true });
    await sleep(LONG_ENOUGH_MS);
    expect(gw.received).toEqual(['e1', 'e1']);
    expect(proxy.stats.submitsDuplicated).toBe(1);
  });

  it('loses the answers to batches, and only those, in drop-answers mode', async () => {
    const { gw, proxy, client } = await setUp();
    proxy.setMode({ kind: 'drop-answers' });
    await expect(submit(client, 'e1', LONG_ENOUGH_MS)).rejects.toThrow();
    expect(gw.received).toEqual(['e1']);
    await expect(client.timeout(ANSWER_WAIT_MS).emitWithAck('account.summary', {})).resolves.toMatchObject({ ok: true });
    proxy.setMode({ kind: 'pass' });
    await expect(submit(client, 'e1')).resolves.toMatchObject({ ok: true });
    expect(proxy.stats.answersDropped).toBe(1);
  });

  it('holds the first batch while a later one overtakes it', async () => {
    const { gw, proxy, client } = await setUp();
    proxy.setMode({ kind: 'hold-first-submit', holdMs: LONG_ENOUGH_MS });
    const released = new Promise((resolve) => proxy.once('released', resolve));
    const first = submit(client, 'first');
    await expect(submit(client, 'retry')).resolves.toMatchObject({ ok: true });
    await expect(released).resolves.toEqual({ ids: ['first'], delivered: true });
    await first;
    expect(gw.received).toEqual(['retry', 'first']);
  });

  it('delivers an earlier batch again, late, under an ack id the kiosk is not waiting for', async () => {
    const { gw, proxy, client } = await setUp();
    await submit(client, 'old');
    await submit(client, 'new');
    expect(proxy.replayOld(prng(1))).toEqual(['old']);
    await sleep(LONG_ENOUGH_MS);
    expect(gw.received).toEqual(['old', 'new', 'old']);
  });

  it('cuts every connection and refuses new ones while down', async () => {
    const { gw, proxy, client } = await setUp();
    const disconnected = new Promise((resolve) => client.once('disconnect', resolve));
    proxy.setMode({ kind: 'down' });
    await disconnected;
    await sleep(LONG_ENOUGH_MS);
    expect(client.connected).toBe(false);
    proxy.setMode({ kind: 'pass' });
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    await expect(submit(client, 'after')).resolves.toMatchObject({ ok: true });
    expect(gw.received).toEqual(['after']);
  });
});
