import { afterEach, describe, expect, it } from 'vitest';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { Server as SocketServer } from 'socket.io';
import { io as connectSocketIo } from 'socket.io-client';
import { silentLogger } from '../shared/log.js';
import { TcpBalancer, parseAddress } from './tcp-balancer.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A backend that answers every connection with its name, then echoes. */
async function namedBackend(name: string): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    s.write(`${name}\n`);
    s.on('data', (d) => s.write(d));
    s.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  cleanups.push(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return { server, port, sockets };
}

async function startBalancer(ports: number[]): Promise<TcpBalancer> {
  const balancer = await TcpBalancer.start({ listen: { host: '127.0.0.1', port: 0 }, backends: ports.map((port) => ({ host: '127.0.0.1', port })), logger: silentLogger, backendDownMs: 60_000 });
  cleanups.push(() => balancer.close());
  return balancer;
}

/** Connects through the balancer and reads the backend's name (the first line). */
async function whoAnswers(port: number): Promise<{ name: string; socket: Socket }> {
  const socket = connect({ host: '127.0.0.1', port });
  cleanups.push(() => void socket.destroy());
  const name = await new Promise<string>((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += String(chunk);
      if (!text.includes('\n')) return;
      socket.off('data', onData);
      resolve(text.split('\n')[0]!);
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
  return { name, socket };
}

/** A free port: nothing listens on it. */
async function deadPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('TcpBalancer', () => {
  it('hands new connections to the backends in turn', async () => {
    const a = await namedBackend('a');
    const b = await namedBackend('b');
    const balancer = await startBalancer([a.port, b.port]);
    const names: string[] = [];
    for (let i = 0; i < 4; i++) names.push((await whoAnswers(balancer.port)).name);
    expect(names).toEqual(['a', 'b', 'a', 'b']);
    expect(balancer.stats().map((s) => s.connections)).toEqual([2, 2]);
  });

  it('carries bytes both ways unchanged', async () => {
    const a = await namedBackend('a');
    const balancer = await startBalancer([a.port]);
    const { socket } = await whoAnswers(balancer.port);
    const payload = Buffer.from(Array.from({ length: 200_000 }, (_, i) => i % 251));
    const received: Buffer[] = [];
    let size = 0;
    const done = new Promise<void>((resolve) =>
      socket.on('data', (d: Buffer) => {
        received.push(d);
        size += d.length;
        if (size >= payload.length) resolve();
      }),
    );
    socket.write(payload);
    await done;
    expect(Buffer.concat(received).equals(payload)).toBe(true);
  });

  it('skips a backend that is down and sends every connection to the one that answers', async () => {
    const a = await namedBackend('a');
    const balancer = await startBalancer([await deadPort(), a.port]);
    const names: string[] = [];
    for (let i = 0; i < 3; i++) names.push((await whoAnswers(balancer.port)).name);
    expect(names).toEqual(['a', 'a', 'a']);
    expect(balancer.stats()[0]!.failures).toBeGreaterThanOrEqual(1);
  });

  it('closes the client when its backend dies, and its reconnection reaches the other backend', async () => {
    const a = await namedBackend('a');
    const b = await namedBackend('b');
    const balancer = await startBalancer([a.port, b.port]);
    const first = await whoAnswers(balancer.port);
    expect(first.name).toBe('a');
    const closed = once(first.socket, 'close');
    // Backend a dies: its open connection and its listener are gone.
    for (const s of a.sockets) s.destroy();
    await new Promise<void>((r) => a.server.close(() => r()));
    await closed;
    const names: string[] = [];
    for (let i = 0; i < 3; i++) names.push((await whoAnswers(balancer.port)).name);
    expect(names).toEqual(['b', 'b', 'b']);
  });

  it('closes a connection when no backend answers', async () => {
    const balancer = await startBalancer([await deadPort(), await deadPort()]);
    const socket = connect({ host: '127.0.0.1', port: balancer.port });
    socket.on('error', () => undefined);
    const [hadError] = (await once(socket, 'close')) as [boolean];
    expect(socket.bytesRead).toBe(0);
    expect(typeof hadError).toBe('boolean');
    expect(balancer.stats().every((s) => s.failures >= 1)).toBe(true);
  });

  it('carries socket.io over WebSocket to two servers without sticky sessions', async () => {
    const ports: number[] = [];
    for (const name of ['g1', 'g2']) {
      const http = createHttpServer();
      const io = new SocketServer(http, { transports: ['websocket'] });
      io.on('connection', (s) => s.on('who', (ack: (n: string) => void) => ack(name)));
      http.listen(0, '127.0.0.1');
      await once(http, 'listening');
      ports.push((http.address() as { port: number }).port);
      cleanups.push(() => new Promise<void>((r) => io.close(() => r())));
    }
    const balancer = await startBalancer(ports);
    const answers: string[] = [];
    for (let i = 0; i < 4; i++) {
      const client = connectSocketIo(`http://127.0.0.1:${balancer.port}`, { transports: ['websocket'], reconnection: false });
      cleanups.push(() => void client.close());
      answers.push(await client.timeout(5_000).emitWithAck('who'));
    }
    expect(answers.sort()).toEqual(['g1', 'g1', 'g2', 'g2']);
  });
});

describe('parseAddress', () => {
  it('reads host:port, [v6]:port and a bare port', () => {
    expect(parseAddress('10.0.0.2:8461')).toEqual({ host: '10.0.0.2', port: 8461 });
    expect(parseAddress('[::1]:80')).toEqual({ host: '::1', port: 80 });
    expect(parseAddress('8461')).toEqual({ host: '127.0.0.1', port: 8461 });
    expect(parseAddress('gw-1.county.local:443')).toEqual({ host: 'gw-1.county.local', port: 443 });
  });

  it.each(['', 'host', 'host:', ':80', 'host:0', 'host:65536', 'host:80x', 'http://host:80', 'a b:80'])('refuses "%s" naming it', (text) => {
    expect(() => parseAddress(text)).toThrow(new RegExp(`"${text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}"`));
  });
});
