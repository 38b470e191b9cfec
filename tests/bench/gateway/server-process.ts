// The server side of the gateway benchmarks, in a process of its own:
// - `gateway`: the county server as `nongbao server` runs it (startServer with
//   the composed services, the demo county, pino at info into a log file),
//   with the default edge limits;
// - `echo`: a bare socket.io server with the gateway's transport settings
//   whose only work is to answer every message with its own payload (the
//   same-run baseline for the relay).
// It tells the parent when it listens, and answers memory and count requests.
import { createServer } from 'node:http';
import { join } from 'node:path';
import { getHeapSpaceStatistics, getHeapStatistics, writeHeapSnapshot } from 'node:v8';
import { Server } from 'socket.io';
import { DEMO_ISSUER_KEY } from '@nongbao/drivers/card';
import { MAX_MESSAGE_BYTES, TERMINAL_NAMESPACE } from '@nongbao/protocol';
import { buildDemoCounty, createServerServices, startServer } from '@nongbao/server';
import { createLogger } from '@nongbao/server/log';
import { childConfig, serveParent, tellParent } from './ipc.js';

export interface ServerProcessConfig {
  mode: 'gateway' | 'echo';
  port: number;
  /** gateway: the database (terminals enrolled beforehand), the log file, the county's today. */
  dbPath?: string;
  logPath?: string;
  today?: string;
}

export interface ServerMemory {
  rssBytes: number;
  heapUsedBytes: number;
  /** V8's heap pages in memory (used or not), and of them the young generation's. */
  heapPhysicalBytes: number;
  newSpacePhysicalBytes: number;
  /** What V8 allocated with malloc (outside its heap). */
  mallocedBytes: number;
  externalBytes: number;
  arrayBuffersBytes: number;
  /** Terminals the gateway holds as connected (its terminals_online gauge). */
  connectedTerminals: number;
}

const config = childConfig<ServerProcessConfig>();

/** Memory after full collections: what the process holds, not what it has yet to collect. */
function memory(): Omit<ServerMemory, 'connectedTerminals'> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  const heap = getHeapStatistics();
  const newSpace = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
  return {
    rssBytes: m.rss,
    heapUsedBytes: m.heapUsed,
    heapPhysicalBytes: heap.total_physical_size,
    newSpacePhysicalBytes: newSpace?.physical_space_size ?? 0,
    mallocedBytes: heap.malloced_memory,
    externalBytes: m.external,
    arrayBuffersBytes: m.arrayBuffers,
  };
}

/** The gateway's own count of connected terminals, from its /metrics (read before the GCs, which then collect the request). */
async function terminalsOnline(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = /^nongbao_terminals_online (\d+)$/m.exec(text);
  if (!line) throw new Error('no nongbao_terminals_online in /metrics');
  return Number(line[1]);
}

/** CPU time this process has used (user + system), us: where a run's time went besides waiting. */
function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/** NONGBAO_BENCH_HEAP_SNAPSHOT_DIR=dir: a V8 heap snapshot there, named by the mode and `label` (to see where memory goes). */
function heapSnapshot(request: Record<string, unknown>): string | null {
  const dir = process.env.NONGBAO_BENCH_HEAP_SNAPSHOT_DIR;
  return dir ? writeHeapSnapshot(join(dir, `${config.mode}-${String(request['label'])}.heapsnapshot`)) : null;
}

async function runGateway(): Promise<void> {
  const logger = createLogger({ name: 'server', level: 'info', destination: config.logPath! });
  const today = config.today!;
  const server = await startServer({
    db: config.dbPath!,
    host: '127.0.0.1',
    port: config.port,
    logger,
    services: (db, gateway) => createServerServices(db, { logger, seedDemo: buildDemoCounty(today), today, issuerKey: DEMO_ISSUER_KEY }, gateway),
  });
  tellParent({ event: 'listening', port: server.port, listeningAtMs: Date.now() });
  serveParent(
    {
      memory: async (): Promise<ServerMemory> => {
        const connectedTerminals = await terminalsOnline(server.url);
        return { ...memory(), connectedTerminals };
      },
      heapSnapshot,
      cpuMicros,
      moneyEvents: () => (server.db.prepare('SELECT COUNT(*) AS n FROM kiosk_money_events').get() as { n: number }).n,
    },
    () => server.close(),
  );
}

async function runEcho(): Promise<void> {
  const http = createServer();
  const io = new Server(http, { serveClient: false, maxHttpBufferSize: MAX_MESSAGE_BYTES, transports: ['websocket'] });
  io.of(TERMINAL_NAMESPACE).on('connection', (socket) => {
    socket.onAny((_event: string, ...args: unknown[]) => {
      const ack = args[args.length - 1];
      if (typeof ack === 'function') (ack as (payload: unknown) => void)(args[0]);
    });
  });
  await new Promise<void>((r) => http.listen(config.port, '127.0.0.1', () => r()));
  tellParent({ event: 'listening', port: (http.address() as { port: number }).port, listeningAtMs: Date.now() });
  serveParent({ memory: () => ({ ...memory(), connectedTerminals: io.of(TERMINAL_NAMESPACE).sockets.size }), heapSnapshot, cpuMicros }, () => new Promise<void>((r) => io.close(() => r())));
}

await (config.mode === 'echo' ? runEcho() : runGateway());
