// Gateway benchmarks (issue 11 section 8), over real processes and real ports:
// the server in a process of its own (gateway/server-process.ts: startServer
// with the composed services and the demo county, as `nongbao server` runs
// it, default edge limits), simulated terminals in other processes
// (gateway/clients-process.ts), so neither side's memory or CPU counts for
// the other. Terminals are enrolled by writing their public keys into the
// server's terminal table before it starts (as POST /terminals/enrol stores
// them), 10 000 enrolments through the API being setup, not what is measured.
//
// - gateway-memory: 10 000 terminals connected and authenticated (signed
//   handshakes) to one gateway process: its RSS and heap after full
//   collections, minus its baseline with no terminal connected (after a
//   warm-up of 100 connections, so that code loaded once is in the baseline).
//   The gateway allows 100 connections per address (gateway/limits.ts):
//   rather than raise it, the terminals come from 200 loopback addresses,
//   50 each (127.0.1.1 ...). Also reported: the slope over the second half
//   of the connections, the V8 heap's share, one status report per terminal,
//   and, as a same-run reference, a bare socket.io server (the gateway's
//   transport settings, no handler) holding the same connections.
//   Target: at most 20 KB (20 000 bytes) of RSS per terminal.
// - gateway-relay: 50 kiosks, each with a real journal file holding 1 000
//   money events, relaying through their real Uplink and OutboxRelay, all at
//   once: events per second (all events over the time from the start to the
//   last answer) and p99 of the outbox requests' round trips (each answered
//   after its batch committed). Baseline in the same run: the same requests
//   (the same events, built from the same journal rows, in the same batches,
//   one in flight per kiosk) to a bare socket.io server that answers each
//   with its payload. Rounds alternate the order; the best round of each
//   counts. Target: relay >= 50 % of the echo's events per second.
// - gateway-backlog: 50 kiosks hold 200 events each (payments taken while
//   the server was unreachable, with signed provisional receipts, and cash
//   credits), the server is killed (SIGKILL), the kiosks' uplinks retry as
//   they do in the field, and the server is started again on the same
//   database: time from its start (spawn) until every event is answered.
//   Target: at most 10 s.
//
// - gateway-scale (issue 15 section 5): the relay's money events per second
//   with one and with two gateway processes on the same PostgreSQL database
//   (a throwaway cluster of the run's, fsync on), each behind the TCP
//   balancer (one backend, then both), so that the balancer's hop is in both;
//   as a reference, one gateway on SQLite in the same run. Rounds alternate
//   the configurations; the best round of each counts. Reported, no target:
//   on a 2-core machine the kiosk processes, the gateways and PostgreSQL
//   share the cores, so the ratio says what a second gateway costs or gains
//   here, not what it does on a province's hardware (README, "A province").
//
// NONGBAO_BENCH_GATEWAY_ONLY=memory|relay|backlog|scale runs one of them;
// NONGBAO_BENCH_PROFILE_DIR=dir has every process write a CPU profile there;
// NONGBAO_BENCH_HEAP_SNAPSHOT_DIR=dir has the memory bench's servers write
// heap snapshots (baseline and all connected) there.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchResult } from '../../cli/bench.js';
import { buildDemoCounty, TerminalRegistry } from '@nongbao/server';
import { openDatabase } from '@nongbao/server/db';
import { openServerDatabase } from '@nongbao/server/db-open';
import { TcpBalancer } from '@nongbao/server/balancer';
import { startPgCluster } from '@nongbao/server/pg-cluster';
import { silentLogger } from '@nongbao/server/log';
import type { BacklogReport, BenchTerminal, RunReport } from './gateway/clients-process.js';
import { quantile, spawnChild, SERVER_NODE_FLAGS, type ChildHandle } from './gateway/ipc.js';
import type { ServerMemory } from './gateway/server-process.js';

const MEMORY_TERMINALS = 10_000;
const MEMORY_TERMINALS_QUICK = 2_000;
const MEMORY_CLIENT_PROCESSES = 4;
/** Connections from one loopback address: half the gateway's per-address cap. */
const CONNECTIONS_PER_ADDRESS = 50;
/** Handshakes each client process has in flight. */
const CONNECT_CONCURRENCY = 100;
const WARM_UP_CONNECTIONS = 100;
const MEMORY_TARGET_BYTES_PER_TERMINAL = 20_000;

const RELAY_KIOSKS = 50;
const RELAY_EVENTS_PER_KIOSK = 1_000;
const RELAY_KIOSKS_QUICK = 10;
const RELAY_EVENTS_PER_KIOSK_QUICK = 300;
const RELAY_ROUNDS = 3;
const RELAY_ROUNDS_QUICK = 2;
const RELAY_CLIENT_PROCESSES = 2;
const RELAY_TARGET_RATIO = 0.5;

const BACKLOG_KIOSKS = 50;
const BACKLOG_EVENTS_PER_KIOSK = 200;
const BACKLOG_KIOSKS_QUICK = 10;
/** How long the server stays down while the kiosks retry. */
const BACKLOG_DOWN_MS = 1_000;
const BACKLOG_TARGET_SECONDS = 10;

const SCALE_KIOSKS = 40;
const SCALE_EVENTS_PER_KIOSK = 500;
const SCALE_KIOSKS_QUICK = 10;
const SCALE_EVENTS_PER_KIOSK_QUICK = 200;
const SCALE_ROUNDS = 2;
const SCALE_ROUNDS_QUICK = 1;

/** How long the gateway may take to notice closed warm-up connections. */
const SETTLE_TIMEOUT_MS = 30_000;
const SETTLE_MS = 1_000;

const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
const county = buildDemoCounty(today);
const citizenNumbers = county.residents.map((r) => r.citizenNumber);
const thisYear = Number(today.slice(0, 4));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Enrolled extends BenchTerminal {
  publicKeySpki: string;
}

function makeTerminals(count: number, prefix: string, withAddresses: boolean): Enrolled[] {
  return Array.from({ length: count }, (_, i) => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const group = Math.floor(i / CONNECTIONS_PER_ADDRESS);
    return {
      terminalId: `${prefix}-${String(i).padStart(5, '0')}`,
      privateKeyPkcs8: privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
      publicKeySpki: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
      ...(withAddresses ? { localAddress: `127.0.${1 + Math.floor(group / 250)}.${1 + (group % 250)}` } : {}),
    };
  });
}

/** Writes the terminals' keys into a new server database, as an accepted enrolment does (gateway/terminals.ts). */
function enrolDirectly(dbPath: string, terminals: readonly Enrolled[]): void {
  enrolInto(openDatabase(dbPath), terminals);
}

function enrolInto(db: Awaited<ReturnType<typeof openServerDatabase>>, terminals: readonly Enrolled[]): void {
  new TerminalRegistry(db); // creates the registry's tables
  const insert = db.prepare('INSERT INTO terminal (id, public_key, enrolled_at, revoked_at) VALUES (?, ?, ?, NULL)');
  const at = new Date().toISOString();
  db.transaction(() => {
    for (const t of terminals) insert.run(t.terminalId, t.publicKeySpki, at);
  })();
  db.close();
}

async function startGateway(dir: string, dbPath: string, port = 0): Promise<{ server: ChildHandle; url: string; port: number; listeningAtMs: number }> {
  const server = spawnChild('server-process.ts', { mode: 'gateway', port, dbPath, logPath: join(dir, `server-${Date.now()}.log`), today }, SERVER_NODE_FLAGS);
  const listening = await server.event<{ event: string; port: number; listeningAtMs: number }>('listening');
  return { server, url: `http://127.0.0.1:${listening.port}`, port: listening.port, listeningAtMs: listening.listeningAtMs };
}

function startClients(dir: string, terminals: readonly BenchTerminal[], processes: number): ChildHandle[] {
  const per = Math.ceil(terminals.length / processes);
  return Array.from({ length: processes }, (_, p) =>
    spawnChild('clients-process.ts', { terminals: terminals.slice(p * per, (p + 1) * per), logPath: join(dir, `terminals-${p}.log`) }),
  );
}

const mib = (bytes: number) => bytes / 2 ** 20;

async function waitForConnected(server: ChildHandle, expected: number): Promise<ServerMemory> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  for (;;) {
    await sleep(SETTLE_MS);
    const m = await server.ask<ServerMemory>('memory');
    if (m.connectedTerminals === expected) return m;
    if (Date.now() > deadline) throw new Error(`the gateway holds ${m.connectedTerminals} terminals, expected ${expected}`);
  }
}

type ConnectReport = { connected: number; failures: Record<string, number> };
type MemoryKey = 'rssBytes' | 'heapUsedBytes' | 'heapPhysicalBytes' | 'newSpacePhysicalBytes' | 'mallocedBytes' | 'externalBytes';

/** Connects the clients' terminals [from, from + count) of each process; the failures by reason. */
async function connectStage(clients: ChildHandle[], url: string, range: { from: number; count?: number }): Promise<{ connected: number; failures: string[]; seconds: number }> {
  const started = performance.now();
  const reports = await Promise.all(clients.map((c) => c.ask<ConnectReport>('connect', { url, concurrency: CONNECT_CONCURRENCY, ...range })));
  return {
    connected: reports.reduce((n, r) => n + r.connected, 0),
    failures: reports.flatMap((r) => Object.entries(r.failures).map(([reason, n]) => `${n} x ${reason}`)),
    seconds: (performance.now() - started) / 1000,
  };
}

interface MemoryStages {
  connected: number;
  seconds: number;
  failures: string[];
  base: ServerMemory;
  /** With the first half connected, then all. */
  half: ServerMemory;
  halfConnected: number;
  after: ServerMemory;
}

/** Baseline after a warm-up, then the clients' terminals connected in two halves, memory read after each. */
async function measureConnections(server: ChildHandle, clients: ChildHandle[], url: string, count: number): Promise<MemoryStages> {
  const halfPerProcess = Math.floor(count / MEMORY_CLIENT_PROCESSES / 2);
  // Warm-up: the code paths of a connection are loaded and compiled once, before the baseline.
  await clients[0]!.ask('connect', { url, concurrency: CONNECT_CONCURRENCY, count: WARM_UP_CONNECTIONS });
  await clients[0]!.ask('disconnect');
  const base = await waitForConnected(server, 0);
  await server.ask('heapSnapshot', { label: 'baseline' });
  const first = await connectStage(clients, url, { from: 0, count: halfPerProcess });
  const half = await waitForConnected(server, first.connected);
  const second = await connectStage(clients, url, { from: halfPerProcess });
  const connected = first.connected + second.connected;
  const after = await waitForConnected(server, connected);
  await server.ask('heapSnapshot', { label: `${connected}-connected` });
  return { connected, seconds: first.seconds + second.seconds, failures: [...first.failures, ...second.failures], base, half, halfConnected: first.connected, after };
}

const perTerminal = (r: MemoryStages, m: ServerMemory, key: MemoryKey) => (m[key] - r.base[key]) / r.connected / 1000;
const slope = (r: MemoryStages, key: MemoryKey) => (r.after[key] - r.half[key]) / (r.connected - r.halfConnected) / 1000;

export async function benchMemory(dir: string, quick: boolean): Promise<BenchResult> {
  const count = quick ? MEMORY_TERMINALS_QUICK : MEMORY_TERMINALS;
  const terminals = makeTerminals(count, 'mem', true);
  enrolDirectly(join(dir, 'memory.sqlite'), terminals);
  const clients = startClients(dir, terminals, MEMORY_CLIENT_PROCESSES);
  try {
    // Reference: a bare socket.io server with the gateway's transport settings, the same connections.
    const bare = spawnChild('server-process.ts', { mode: 'echo', port: 0 }, SERVER_NODE_FLAGS);
    let reference: MemoryStages;
    try {
      const bareUrl = `http://127.0.0.1:${(await bare.event<{ event: string; port: number }>('listening')).port}`;
      reference = await measureConnections(bare, clients, bareUrl, count);
      await Promise.all(clients.map((c) => c.ask('disconnect')));
    } finally {
      await bare.stop();
    }
    const { server, url } = await startGateway(dir, join(dir, 'memory.sqlite'));
    try {
      const run = await measureConnections(server, clients, url, count);
      await Promise.all(clients.map((c) => c.ask('status', { concurrency: CONNECT_CONCURRENCY })));
      const afterStatus = await waitForConnected(server, run.connected);
      return memoryResult(count, run, afterStatus, reference);
    } finally {
      await server.stop();
    }
  } finally {
    await Promise.all(clients.map((c) => c.stop()));
  }
}

function memoryResult(count: number, r: MemoryStages, afterStatus: ServerMemory, reference: MemoryStages): BenchResult {
  const rssPerTerminal = perTerminal(r, r.after, 'rssBytes');
  return {
    name: 'gateway-memory',
    baselines: [
      { name: 'gateway process RSS, no terminal connected (after warm-up, full GC)', value: mib(r.base.rssBytes), unit: 'MiB' },
      { name: 'gateway process heap used, no terminal connected', value: mib(r.base.heapUsedBytes), unit: 'MiB' },
      { name: 'reference: bare socket.io server, RSS per connection above its baseline', value: perTerminal(reference, reference.after, 'rssBytes'), unit: 'KB' },
      { name: 'reference: bare socket.io server, RSS per connection (slope)', value: slope(reference, 'rssBytes'), unit: 'KB' },
      { name: 'reference: bare socket.io server, V8 heap used per connection', value: perTerminal(reference, reference.after, 'heapUsedBytes'), unit: 'KB' },
    ],
    measurements: [
      { name: 'terminals connected and authenticated', value: r.connected, unit: 'terminals' },
      { name: 'gateway RSS with them', value: mib(r.after.rssBytes), unit: 'MiB' },
      { name: 'RSS per terminal above the baseline', value: rssPerTerminal, unit: 'KB' },
      { name: 'RSS per terminal, second half of the connections only (slope)', value: slope(r, 'rssBytes'), unit: 'KB' },
      { name: 'V8 heap used per terminal above the baseline', value: perTerminal(r, r.after, 'heapUsedBytes'), unit: 'KB' },
      { name: 'V8 heap pages in memory per terminal above the baseline', value: perTerminal(r, r.after, 'heapPhysicalBytes'), unit: 'KB' },
      { name: 'of which young generation (grows under the handshake load, not per terminal)', value: perTerminal(r, r.after, 'newSpacePhysicalBytes'), unit: 'KB' },
      { name: 'V8 malloc per terminal above the baseline', value: perTerminal(r, r.after, 'mallocedBytes'), unit: 'KB' },
      { name: 'external (buffers) per terminal above the baseline', value: perTerminal(r, r.after, 'externalBytes'), unit: 'KB' },
      { name: 'RSS per terminal after one status report each', value: perTerminal(r, afterStatus, 'rssBytes'), unit: 'KB' },
      { name: 'V8 heap used per terminal after one status report each', value: perTerminal(r, afterStatus, 'heapUsedBytes'), unit: 'KB' },
      { name: `handshakes accepted (${MEMORY_CLIENT_PROCESSES} client processes x ${CONNECT_CONCURRENCY} in flight)`, value: r.connected / r.seconds, unit: 'connections/s' },
    ],
    targets: [{ description: `memory per connected terminal <= ${MEMORY_TARGET_BYTES_PER_TERMINAL / 1000} KB above the process baseline (RSS)`, met: r.connected === count && rssPerTerminal * 1000 <= MEMORY_TARGET_BYTES_PER_TERMINAL }],
    notes: [
      `${count} terminals enrolled by key in the server database; ${r.connected} connected with signed handshakes from ${MEMORY_CLIENT_PROCESSES} client processes, ${CONNECTIONS_PER_ADDRESS} per loopback address (the gateway's default cap of 100 per address stays), in two halves; the same connections first to a bare socket.io server (reference).`,
      'Memory read in the server process (process.memoryUsage, v8 heap statistics) after three full GCs; KB = 1000 bytes. The figures of a run with NONGBAO_BENCH_HEAP_SNAPSHOT_DIR set are not valid (writing a snapshot takes memory).',
      ...(r.failures.length || reference.failures.length ? [`connections refused: ${[...r.failures, ...reference.failures].join(', ')}`] : []),
    ],
  };
}

interface Merged {
  events: number;
  /** CPU time per event of the server process and of all client processes (us), when measured. */
  serverCpuUsPerEvent?: number;
  clientCpuUsPerEvent?: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  latenciesMs: number[];
  outcomes: Record<string, number>;
}

function merge(reports: readonly RunReport[]): Merged {
  const latenciesMs = reports.flatMap((r) => r.latenciesMs);
  const outcomes: Record<string, number> = {};
  for (const r of reports) for (const [k, n] of Object.entries(r.outcomes ?? {})) outcomes[k] = (outcomes[k] ?? 0) + n;
  const seconds = (Math.max(...reports.map((r) => r.endMs)) - Math.min(...reports.map((r) => r.startMs))) / 1000;
  return { events: reports.reduce((n, r) => n + r.events, 0), seconds, p50Ms: quantile(latenciesMs, 0.5), p99Ms: quantile(latenciesMs, 0.99), latenciesMs, outcomes };
}

/** Runs `run` and adds the CPU time the server(s) and the clients spent on it, per event. */
async function withCpu(server: ChildHandle | ChildHandle[], clients: ChildHandle[], run: () => Promise<Merged>): Promise<Merged> {
  const servers = Array.isArray(server) ? server : [server];
  const cpu = () => Promise.all([...servers, ...clients].map((p) => p.ask<number>('cpuMicros')));
  const before = await cpu();
  const merged = await run();
  const after = await cpu();
  const spent = after.map((us, i) => us - before[i]!);
  const sum = (us: number[]) => us.reduce((a, b) => a + b, 0);
  return { ...merged, serverCpuUsPerEvent: sum(spent.slice(0, servers.length)) / merged.events, clientCpuUsPerEvent: sum(spent.slice(servers.length)) / merged.events };
}

/** Every event relayed was answered with a committed result, and the server holds exactly as many. */
function checkDelivered(run: Merged, expected: number, serverCount: number, serverBefore: number): void {
  const notDone = Object.entries(run.outcomes).filter(([k]) => !k.startsWith('done/'));
  if (notDone.length > 0 || run.events !== expected) throw new Error(`not every event was answered: ${JSON.stringify(run.outcomes)}`);
  if (serverCount - serverBefore !== expected) throw new Error(`the server recorded ${serverCount - serverBefore} money events for ${expected} relayed`);
}

function summarizeOutcomes(outcomes: Record<string, number>): string {
  return Object.entries(outcomes)
    .map(([k, n]) => `${k.replace(/^done\//, '').replace(/\/null/g, '')}: ${n}`)
    .join(', ');
}

export async function benchRelay(dir: string, quick: boolean): Promise<BenchResult> {
  const kiosks = quick ? RELAY_KIOSKS_QUICK : RELAY_KIOSKS;
  const perKiosk = quick ? RELAY_EVENTS_PER_KIOSK_QUICK : RELAY_EVENTS_PER_KIOSK;
  const rounds = quick ? RELAY_ROUNDS_QUICK : RELAY_ROUNDS;
  const terminals = makeTerminals(kiosks, 'relay', false);
  enrolDirectly(join(dir, 'relay.sqlite'), terminals);
  const gateway = await startGateway(dir, join(dir, 'relay.sqlite'));
  const echoServer = spawnChild('server-process.ts', { mode: 'echo', port: 0 }, SERVER_NODE_FLAGS);
  const echoUrl = `http://127.0.0.1:${(await echoServer.event<{ event: string; port: number }>('listening')).port}`;
  const clients = startClients(dir, terminals, RELAY_CLIENT_PROCESSES);
  const relayRuns: Merged[] = [];
  const echoRuns: Merged[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      const fills = await Promise.all(clients.map((c) => c.ask<{ events: number }>('fill', { dir: join(dir, `relay-round-${round}`), events: perKiosk, citizenNumbers, year: thisYear, offset: round * 13, offline: false })));
      const expected = fills.reduce((n, f) => n + f.events, 0);
      const runEcho = async () => echoRuns.push(await withCpu(echoServer, clients, async () => merge(await Promise.all(clients.map((c) => c.ask<RunReport>('echo', { url: echoUrl }))))));
      const runRelay = async () => {
        const before = await gateway.server.ask<number>('moneyEvents');
        const run = await withCpu(gateway.server, clients, async () => merge(await Promise.all(clients.map((c) => c.ask<RunReport>('relay', { url: gateway.url })))));
        checkDelivered(run, expected, await gateway.server.ask<number>('moneyEvents'), before);
        relayRuns.push(run);
      };
      // Alternated, so that a drift in the machine's load hits both.
      if (round % 2 === 0) {
        await runEcho();
        await runRelay();
      } else {
        await runRelay();
        await runEcho();
      }
    }
  } finally {
    await Promise.all(clients.map((c) => c.stop()));
    await gateway.server.stop();
    await echoServer.stop();
  }
  return relayResult(kiosks, perKiosk, relayRuns, echoRuns);
}

function relayResult(kiosks: number, perKiosk: number, relayRuns: Merged[], echoRuns: Merged[]): BenchResult {
  const rate = (m: Merged) => m.events / m.seconds;
  const best = (runs: Merged[]) => runs.reduce((a, b) => (rate(b) > rate(a) ? b : a));
  const relay = best(relayRuns);
  const echo = best(echoRuns);
  const p99 = (runs: Merged[]) => quantile(runs.flatMap((r) => r.latenciesMs), 0.99);
  const ratio = rate(relay) / rate(echo);
  const perRound = (runs: Merged[]) =>
    runs.map((r) => `${Math.round(rate(r))}/s p99 ${r.p99Ms.toFixed(0)} ms, CPU per event server ${r.serverCpuUsPerEvent?.toFixed(0)} us clients ${r.clientCpuUsPerEvent?.toFixed(0)} us`).join('; ');
  return {
    name: 'gateway-relay',
    baselines: [
      { name: 'raw socket.io ack-echo of the same outbox requests', value: rate(echo), unit: 'events/s' },
      { name: 'raw ack-echo: p99 request round trip (all rounds)', value: p99(echoRuns), unit: 'ms' },
    ],
    measurements: [
      { name: 'money events relayed, ack after commit (journal -> outbox -> gateway -> ledger)', value: rate(relay), unit: 'events/s' },
      { name: 'relay: p99 request round trip, 100-event batches (all rounds)', value: p99(relayRuns), unit: 'ms' },
      { name: 'relay: p50 request round trip (best round)', value: relay.p50Ms, unit: 'ms' },
      { name: 'relay / raw ack-echo, events per second', value: 100 * ratio, unit: '%' },
      { name: 'gateway CPU per relayed event (best round)', value: relay.serverCpuUsPerEvent ?? Number.NaN, unit: 'us' },
      { name: 'kiosk processes CPU per relayed event (best round)', value: relay.clientCpuUsPerEvent ?? Number.NaN, unit: 'us' },
      { name: 'reference: echo server CPU per echoed event (best round)', value: echo.serverCpuUsPerEvent ?? Number.NaN, unit: 'us' },
      { name: 'reference: client processes CPU per echoed event (best round)', value: echo.clientCpuUsPerEvent ?? Number.NaN, unit: 'us' },
    ],
    targets: [{ description: `relayed events/s >= ${RELAY_TARGET_RATIO * 100}% of raw socket.io ack-echo of the same payload`, met: ratio >= RELAY_TARGET_RATIO }],
    notes: [
      `${kiosks} kiosks x ${perKiosk} events per round, ${RELAY_CLIENT_PROCESSES} client processes, one request in flight per kiosk; best of ${relayRuns.length} rounds each; ${cpus().length} CPUs shared by server and clients.`,
      `relay rounds: ${perRound(relayRuns)}`,
      `echo rounds: ${perRound(echoRuns)}`,
      `outcomes (state/result/booking/reason), best round: ${summarizeOutcomes(relay.outcomes)}`,
    ],
  };
}

export async function benchBacklog(dir: string, quick: boolean): Promise<BenchResult> {
  const kiosks = quick ? BACKLOG_KIOSKS_QUICK : BACKLOG_KIOSKS;
  const terminals = makeTerminals(kiosks, 'backlog', false);
  const dbPath = join(dir, 'backlog.sqlite');
  enrolDirectly(dbPath, terminals);
  // First start: seeds the county; then the kiosks take payments while it is unreachable.
  const first = await startGateway(dir, dbPath);
  const clients = startClients(dir, terminals, RELAY_CLIENT_PROCESSES);
  let second: Awaited<ReturnType<typeof startGateway>> | undefined;
  try {
    await Promise.all(clients.map((c) => c.ask('fill', { dir: join(dir, 'backlog'), events: BACKLOG_EVENTS_PER_KIOSK, citizenNumbers, year: thisYear, offset: 0, offline: true })));
    await first.server.kill('SIGKILL');
    await Promise.all(clients.map((c) => c.ask('backlogStart', { url: first.url })));
    await sleep(BACKLOG_DOWN_MS);
    second = await startGateway(dir, dbPath, first.port);
    const reports = await Promise.all(clients.map((c) => c.ask<BacklogReport>('backlogWait')));
    const expected = kiosks * BACKLOG_EVENTS_PER_KIOSK;
    const run = merge(reports);
    checkDelivered(run, expected, await second.server.ask<number>('moneyEvents'), 0);
    return backlogResult(kiosks, second.server.spawnedAtMs, second.listeningAtMs, reports, run);
  } finally {
    await Promise.all(clients.map((c) => c.stop()));
    await second?.server.stop();
  }
}

function backlogResult(kiosks: number, spawnedAtMs: number, listeningAtMs: number, reports: BacklogReport[], run: Merged): BenchResult {
  const connects = reports.flatMap((r) => r.firstConnectMs);
  const lastAckMs = Math.max(...reports.flatMap((r) => r.doneMs));
  const total = (lastAckMs - spawnedAtMs) / 1000;
  return {
    name: 'gateway-backlog',
    baselines: [],
    measurements: [
      { name: `drain of ${run.events} events from ${kiosks} kiosks: server start (spawn) to the last answer`, value: total, unit: 's' },
      { name: 'server start to listening (open the database, compose the services)', value: (listeningAtMs - spawnedAtMs) / 1000, unit: 's' },
      { name: 'listening to the first kiosk connected', value: (Math.min(...connects) - listeningAtMs) / 1000, unit: 's' },
      { name: 'listening to the last kiosk connected (socket.io reconnection backoff)', value: (Math.max(...connects) - listeningAtMs) / 1000, unit: 's' },
      { name: 'first kiosk connected to the last answer', value: (lastAckMs - Math.min(...connects)) / 1000, unit: 's' },
      { name: 'last kiosk connected to the last answer', value: (lastAckMs - Math.max(...connects)) / 1000, unit: 's' },
      { name: 'drain rate from the first connection', value: run.events / ((lastAckMs - Math.min(...connects)) / 1000), unit: 'events/s' },
      { name: 'p99 outbox request round trip during the drain', value: run.p99Ms, unit: 'ms' },
    ],
    targets: [{ description: `drain of a ${run.events}-event backlog after a restart <= ${BACKLOG_TARGET_SECONDS} s from the server's start`, met: total <= BACKLOG_TARGET_SECONDS }],
    notes: [
      `Server killed with SIGKILL, down ${BACKLOG_DOWN_MS} ms while the kiosks' uplinks retried (socket.io backoff: 1 s doubling, up to 30 s, +-50 %), then started again on the same database.`,
      `outcomes (state/result/booking/reason): ${summarizeOutcomes(run.outcomes)}`,
    ],
  };
}

/** One configuration of the scale bench: where the kiosks connect, and which server counts the events. */
interface ScaleSetup {
  label: string;
  url: string;
  counter: ChildHandle;
}

async function relayRound(setup: ScaleSetup, clients: ChildHandle[], dir: string, perKiosk: number, offset: number, servers: ChildHandle[]): Promise<Merged> {
  const fills = await Promise.all(clients.map((c) => c.ask<{ events: number }>('fill', { dir, events: perKiosk, citizenNumbers, year: thisYear, offset, offline: false })));
  const expected = fills.reduce((n, f) => n + f.events, 0);
  const before = await setup.counter.ask<number>('moneyEvents');
  const run = await withCpu(servers, clients, async () => merge(await Promise.all(clients.map((c) => c.ask<RunReport>('relay', { url: setup.url })))));
  checkDelivered(run, expected, await setup.counter.ask<number>('moneyEvents'), before);
  return run;
}

export async function benchScale(dir: string, quick: boolean): Promise<BenchResult> {
  const kiosks = quick ? SCALE_KIOSKS_QUICK : SCALE_KIOSKS;
  const perKiosk = quick ? SCALE_EVENTS_PER_KIOSK_QUICK : SCALE_EVENTS_PER_KIOSK;
  const rounds = quick ? SCALE_ROUNDS_QUICK : SCALE_ROUNDS;
  const terminals = makeTerminals(kiosks, 'scale', false);
  const pg = await startPgCluster({ dataDir: mkdtempSync(join(tmpdir(), 'nongbao-bench-pg-')), removeOnStop: true });
  const started: ChildHandle[] = [];
  const balancers: TcpBalancer[] = [];
  let clients: ChildHandle[] = [];
  try {
    const url = pg.createDatabase('scale');
    const enrolling = await openServerDatabase(url);
    enrolInto(enrolling, terminals);
    const sqlitePath = join(dir, 'scale.sqlite');
    enrolDirectly(sqlitePath, terminals);
    const lite = await startGateway(dir, sqlitePath);
    const gw1 = await startGateway(dir, url);
    const gw2 = await startGateway(dir, url);
    started.push(lite.server, gw1.server, gw2.server);
    const balance = async (ports: number[]) => {
      const b = await TcpBalancer.start({ listen: { host: '127.0.0.1', port: 0 }, backends: ports.map((port) => ({ host: '127.0.0.1', port })), logger: silentLogger });
      balancers.push(b);
      return `http://127.0.0.1:${b.port}`;
    };
    const setups: { setup: ScaleSetup; servers: ChildHandle[]; runs: Merged[] }[] = [
      { setup: { label: 'PostgreSQL, 1 gateway', url: await balance([gw1.port]), counter: gw1.server }, servers: [gw1.server], runs: [] },
      { setup: { label: 'PostgreSQL, 2 gateways', url: await balance([gw1.port, gw2.port]), counter: gw1.server }, servers: [gw1.server, gw2.server], runs: [] },
      { setup: { label: 'SQLite, 1 gateway', url: await balance([lite.port]), counter: lite.server }, servers: [lite.server], runs: [] },
    ];
    clients = startClients(dir, terminals, RELAY_CLIENT_PROCESSES);
    let offset = 0;
    for (let round = 0; round < rounds; round++) {
      // Alternated, so that a drift in the machine's load hits each configuration.
      const order = round % 2 === 0 ? setups : [...setups].reverse();
      for (const s of order) s.runs.push(await relayRound(s.setup, clients, join(dir, `scale-${round}-${offset}`), perKiosk, (offset += 17), s.servers));
    }
    return scaleResult(kiosks, perKiosk, setups);
  } finally {
    await Promise.all(clients.map((c) => c.stop()));
    for (const b of balancers) await b.close();
    await Promise.all(started.map((s) => s.stop()));
    pg.stop();
  }
}

function scaleResult(kiosks: number, perKiosk: number, setups: { setup: ScaleSetup; runs: Merged[] }[]): BenchResult {
  const rate = (m: Merged) => m.events / m.seconds;
  const best = (runs: Merged[]) => runs.reduce((a, b) => (rate(b) > rate(a) ? b : a));
  const [one, two, lite] = setups.map((s) => best(s.runs)) as [Merged, Merged, Merged];
  return {
    name: 'gateway-scale',
    baselines: [{ name: 'money events relayed, 1 gateway on PostgreSQL (behind the balancer)', value: rate(one), unit: 'events/s' }],
    measurements: [
      { name: 'money events relayed, 2 gateways on the same PostgreSQL (behind the balancer)', value: rate(two), unit: 'events/s' },
      { name: '2 gateways / 1 gateway, events per second', value: (100 * rate(two)) / rate(one), unit: '%' },
      { name: 'reference: 1 gateway on SQLite (behind the balancer)', value: rate(lite), unit: 'events/s' },
      { name: 'PostgreSQL 1 gateway / SQLite 1 gateway', value: (100 * rate(one)) / rate(lite), unit: '%' },
      { name: 'p99 request round trip, 1 gateway on PostgreSQL', value: one.p99Ms, unit: 'ms' },
      { name: 'p99 request round trip, 2 gateways on PostgreSQL', value: two.p99Ms, unit: 'ms' },
      { name: 'gateway CPU per event, 1 gateway on PostgreSQL (best round)', value: one.serverCpuUsPerEvent ?? Number.NaN, unit: 'us' },
      { name: 'gateways CPU per event, 2 gateways on PostgreSQL (best round, both)', value: two.serverCpuUsPerEvent ?? Number.NaN, unit: 'us' },
      { name: 'gateway CPU per event, SQLite (best round)', value: lite.serverCpuUsPerEvent ?? Number.NaN, unit: 'us' },
    ],
    targets: [],
    notes: [
      `${kiosks} kiosks x ${perKiosk} events per round, ${RELAY_CLIENT_PROCESSES} kiosk processes, one request in flight per kiosk; best of ${setups[0]!.runs.length} round(s) each; ${cpus().length} CPUs shared by the kiosks, the gateways and PostgreSQL (fsync on).`,
      ...setups.map((s) => `${s.setup.label}: ${s.runs.map((r) => `${Math.round(rate(r))}/s p99 ${r.p99Ms.toFixed(0)} ms`).join('; ')}`),
    ],
  };
}

export default async function gatewayBench(ctx: { quick: boolean }): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'nongbao-gateway-bench-'));
  const only = process.env.NONGBAO_BENCH_GATEWAY_ONLY;
  try {
    const results: BenchResult[] = [];
    if (!only || only === 'memory') results.push(await benchMemory(dir, ctx.quick));
    if (!only || only === 'relay') results.push(await benchRelay(dir, ctx.quick));
    if (!only || only === 'backlog') results.push(await benchBacklog(dir, ctx.quick));
    if (!only || only === 'scale') results.push(await benchScale(dir, ctx.quick));
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
