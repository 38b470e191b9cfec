// Simulated terminals for the gateway benchmarks, many to a process, in
// processes apart from the server so that their memory and CPU are not the
// server's. Two kinds:
// - bare connections (socket.io-client with the terminal's signed handshake,
//   as terminal/src/uplink.ts makes it), each from a 127.0.x.y address of its
//   own group, for the memory bench;
// - real kiosks' money paths: a journal file each (terminal Journal), the
//   real Uplink and OutboxRelay, for the relay and backlog benches; and the
//   same outbox requests sent bare to the echo server, for the baseline.
import { createPrivateKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { io, type Socket } from 'socket.io-client';
import {
  OUTBOX_BATCH_LIMIT,
  OUTBOX_REQUEST_TIMEOUT_MS,
  PROTOCOL_VERSION,
  TERMINAL_NAMESPACE,
  authMessage,
  type ClientEventName,
  type DataOf,
  type MoneyEvent,
  type OutboxSubmit,
  type Reply,
  type RequestOf,
} from '@nongbao/protocol';
import { Journal, OutboxRelay, Uplink, buildMoneyEvent } from '@nongbao/terminal';
import { fillJournal } from './journals.js';
import { childConfig, serveParent } from './ipc.js';

export interface BenchTerminal {
  terminalId: string;
  /** The ed25519 private key, PKCS#8 DER, base64. */
  privateKeyPkcs8: string;
  /** Where its bare connection comes from (127/8 is all loopback on Linux). */
  localAddress?: string;
}

export interface RunReport {
  events: number;
  requests: number;
  startMs: number;
  endMs: number;
  /** Round trip of each outbox request, ms. */
  latenciesMs: number[];
  /** Outbox rows by state and result, `state/result/booking/reason`. */
  outcomes?: Record<string, number>;
}

export interface BacklogReport extends RunReport {
  firstConnectMs: number[];
  doneMs: number[];
}

/** What a connection of the memory bench may take to be accepted. */
const CONNECT_TIMEOUT_MS = 60_000;
const SOFTWARE_VERSION = 'bench';

interface Kiosk {
  terminalId: string;
  key: KeyObject;
  localAddress: string | undefined;
  socket?: Socket;
  journal?: Journal;
  /** The outbox requests the journal's pending rows make, as the relay will send them. */
  batches?: OutboxSubmit[];
}

const config = childConfig<{ terminals: BenchTerminal[]; logPath: string }>();
const kiosks: Kiosk[] = config.terminals.map((t) => ({
  terminalId: t.terminalId,
  key: createPrivateKey({ key: Buffer.from(t.privateKeyPkcs8, 'base64'), format: 'der', type: 'pkcs8' }),
  localAddress: t.localAddress,
}));
const logger: Logger = pino({ level: 'info' }, pino.destination({ dest: config.logPath, sync: false }));

function handshake(k: Kiosk) {
  const base = { terminalId: k.terminalId, timestampMs: Date.now(), nonce: randomBytes(16).toString('hex') };
  return { v: PROTOCOL_VERSION, ...base, signature: sign(null, authMessage(base), k.key).toString('base64'), softwareVersion: SOFTWARE_VERSION };
}

function openSocket(url: string, k: Kiosk, signed: boolean): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const options = {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: CONNECT_TIMEOUT_MS,
      ...(signed ? { auth: handshake(k) } : {}),
      // engine.io-client hands it to ws (not in its typings).
      ...(k.localAddress ? { localAddress: k.localAddress } : {}),
    };
    const socket = io(`${url}${TERMINAL_NAMESPACE}`, options);
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

async function connectAll(request: Record<string, unknown>): Promise<{ connected: number; failures: Record<string, number>; ms: number }> {
  const url = request['url'] as string;
  const from = (request['from'] as number | undefined) ?? 0;
  const count = (request['count'] as number | undefined) ?? kiosks.length - from;
  const failures: Record<string, number> = {};
  const started = performance.now();
  const range = kiosks.slice(from, from + count);
  await pool(range, request['concurrency'] as number, async (k) => {
    try {
      k.socket = await openSocket(url, k, true);
    } catch (error) {
      const reason = (error as Error).message;
      failures[reason] = (failures[reason] ?? 0) + 1;
    }
  });
  return { connected: range.filter((k) => k.socket?.connected).length, failures, ms: performance.now() - started };
}

/** Each connected terminal reports its status once, as it does on connect (terminal/src/status.ts). */
async function reportStatus(request: Record<string, unknown>): Promise<{ acked: number }> {
  let acked = 0;
  await pool(kiosks.filter((k) => k.socket?.connected), request['concurrency'] as number, async (k) => {
    const status = {
      v: PROTOCOL_VERSION,
      softwareVersion: SOFTWARE_VERSION,
      devices: [{ name: 'billAcceptor', state: 'online', detail: '' }, { name: 'printer', state: 'online', detail: '' }, { name: 'cardReader', state: 'online', detail: '' }],
      outbox: { pending: 0, halted: false },
      alarms: [],
      lastError: null,
      sentAt: new Date().toISOString(),
    };
    const reply = (await k.socket!.timeout(OUTBOX_REQUEST_TIMEOUT_MS).emitWithAck('terminal.status', status)) as Reply<unknown>;
    if (reply.ok) acked++;
  });
  return { acked };
}

function disconnectAll(): { closed: number } {
  let closed = 0;
  for (const k of kiosks) {
    if (!k.socket) continue;
    k.socket.close();
    k.socket = undefined;
    closed++;
  }
  return { closed };
}

function fill(request: Record<string, unknown>): { events: number; ms: number } {
  const dir = request['dir'] as string;
  mkdirSync(dir, { recursive: true });
  const started = performance.now();
  let events = 0;
  kiosks.forEach((k, i) => {
    k.journal?.close();
    k.journal = new Journal(join(dir, `${k.terminalId}.sqlite`));
    fillJournal(k.journal, {
      terminalId: k.terminalId,
      events: request['events'] as number,
      citizenNumbers: request['citizenNumbers'] as string[],
      year: request['year'] as number,
      offset: (request['offset'] as number) + i * 7,
      ...(request['offline'] ? { offlineKey: k.key } : {}),
    });
    k.batches = pendingBatches(k);
    events += k.batches.reduce((n, b) => n + b.events.length, 0);
  });
  return { events, ms: performance.now() - started };
}

/** The requests the relay will send for the pending rows: journal order, OUTBOX_BATCH_LIMIT at a time. */
function pendingBatches(k: Kiosk): OutboxSubmit[] {
  const events: MoneyEvent[] = [];
  for (const row of k.journal!.outbox.pending(Number.MAX_SAFE_INTEGER)) {
    const built = buildMoneyEvent(k.journal!, row);
    if (!built.ok) throw new Error(built.why);
    events.push(built.event);
  }
  const batches: OutboxSubmit[] = [];
  for (let i = 0; i < events.length; i += OUTBOX_BATCH_LIMIT) batches.push({ v: PROTOCOL_VERSION, terminalId: k.terminalId, events: events.slice(i, i + OUTBOX_BATCH_LIMIT) });
  return batches;
}

/** The baseline: the same requests to the echo server, one in flight per terminal, as the outbox sends them. */
async function echo(request: Record<string, unknown>): Promise<RunReport> {
  const url = request['url'] as string;
  const sockets = await Promise.all(kiosks.map((k) => openSocket(url, { ...k, localAddress: undefined }, false)));
  const latenciesMs: number[] = [];
  let events = 0;
  const startMs = Date.now();
  await Promise.all(
    kiosks.map(async (k, i) => {
      for (const batch of k.batches!) {
        const sent = performance.now();
        const answer = (await sockets[i]!.timeout(OUTBOX_REQUEST_TIMEOUT_MS).emitWithAck('outbox.submit', batch)) as OutboxSubmit;
        latenciesMs.push(performance.now() - sent);
        if (answer.events.length !== batch.events.length) throw new Error('the echo server answered another payload');
        events += answer.events.length;
      }
    }),
  );
  const endMs = Date.now();
  for (const s of sockets) s.close();
  return { events, requests: latenciesMs.length, startMs, endMs, latenciesMs };
}

/** Times each outbox request of the real relay; tells `onAnswered` once the relay has handled the answer. */
class TimedLink {
  constructor(
    private readonly inner: Uplink,
    private readonly latenciesMs: number[],
    private readonly onAnswered: () => void,
  ) {}

  get connected(): boolean {
    return this.inner.connected;
  }

  async request<E extends ClientEventName>(event: E, payload: RequestOf<E>): Promise<Reply<DataOf<E>>> {
    const sent = performance.now();
    const reply = await this.inner.request(event, payload);
    if (event === 'outbox.submit') {
      this.latenciesMs.push(performance.now() - sent);
      // The relay marks the batch done synchronously after this resolves: look after it has.
      setImmediate(this.onAnswered);
    }
    return reply;
  }
}

interface Relaying {
  uplinks: Uplink[];
  relays: OutboxRelay[];
  latenciesMs: number[];
  firstConnectMs: number[];
  doneMs: number[];
  done: Promise<void>;
}

/** Starts each kiosk's real uplink and outbox relay (terminal/src/terminal.ts wires them the same way). */
function startRelaying(url: string, startRelays: boolean): Relaying {
  const latenciesMs: number[] = [];
  const firstConnectMs: number[] = [];
  const doneMs: number[] = [];
  const uplinks: Uplink[] = [];
  const relays: OutboxRelay[] = [];
  const finished = kiosks.map((k) => {
    const journal = k.journal!;
    const log = logger.child({ terminalId: k.terminalId });
    const uplink = new Uplink({ serverUrl: url, terminalId: k.terminalId, privateKey: k.key, logger: log.child({ component: 'uplink' }), softwareVersion: SOFTWARE_VERSION });
    return new Promise<void>((resolve, reject) => {
      let finished = false;
      const link = new TimedLink(uplink, latenciesMs, () => {
        if (finished) return;
        const halted = journal.outbox.halted();
        if (halted) reject(new Error(`${k.terminalId}: the outbox stopped at ${halted.kind} ${halted.id}: ${halted.reason}`));
        if (journal.outbox.depth() !== 0) return;
        finished = true;
        doneMs.push(Date.now());
        resolve();
      });
      const relay = new OutboxRelay({ journal, link, terminalId: k.terminalId, logger: log.child({ component: 'outbox' }) });
      let seen = false;
      uplink.onConnect(() => {
        if (!seen) firstConnectMs.push(Date.now());
        seen = true;
        relay.kick();
      });
      uplinks.push(uplink);
      relays.push(relay);
      uplink.start();
      if (startRelays) relay.start();
    });
  });
  return { uplinks, relays, latenciesMs, firstConnectMs, doneMs, done: Promise.all(finished).then(() => undefined) };
}

function stopRelaying(r: Relaying): void {
  for (const relay of r.relays) relay.stop();
  for (const uplink of r.uplinks) uplink.stop();
}

function outcomes(): Record<string, number> {
  const tally: Record<string, number> = {};
  for (const k of kiosks) {
    const rows = k.journal!.db.prepare('SELECT state, result, booking, reason, COUNT(*) AS n FROM outbox GROUP BY 1, 2, 3, 4').all() as { state: string; result: string | null; booking: string | null; reason: string | null; n: number }[];
    for (const r of rows) {
      const key = `${r.state}/${r.result}/${r.booking}/${r.reason}`;
      tally[key] = (tally[key] ?? 0) + r.n;
    }
  }
  return tally;
}

function eventsQueued(): number {
  return kiosks.reduce((n, k) => n + k.batches!.reduce((m, b) => m + b.events.length, 0), 0);
}

/** The real relay against the gateway: all uplinks connected first, then every outbox starts at once. */
async function relay(request: Record<string, unknown>): Promise<RunReport> {
  const r = startRelaying(request['url'] as string, false);
  while (r.firstConnectMs.length < kiosks.length) await new Promise((ok) => setTimeout(ok, 5));
  const startMs = Date.now();
  for (const relay of r.relays) relay.start();
  await r.done;
  const endMs = Math.max(...r.doneMs);
  stopRelaying(r);
  return { events: eventsQueued(), requests: r.latenciesMs.length, startMs, endMs, latenciesMs: r.latenciesMs, outcomes: outcomes() };
}

let backlog: Relaying | undefined;

serveParent(
  {
    connect: connectAll,
    status: reportStatus,
    disconnect: disconnectAll,
    fill,
    echo,
    relay,
    cpuMicros: () => process.cpuUsage().user + process.cpuUsage().system,
    /** Kiosks with a backlog come up while the server is down: their uplinks retry as they do in the field. */
    backlogStart: (request) => {
      backlog = startRelaying(request['url'] as string, true);
      return { started: kiosks.length };
    },
    backlogWait: async (): Promise<BacklogReport> => {
      const r = backlog!;
      await r.done;
      stopRelaying(r);
      return {
        events: eventsQueued(),
        requests: r.latenciesMs.length,
        startMs: Math.min(...r.firstConnectMs),
        endMs: Math.max(...r.doneMs),
        latenciesMs: r.latenciesMs,
        outcomes: outcomes(),
        firstConnectMs: r.firstConnectMs,
        doneMs: r.doneMs,
      };
    },
  },
  () => {
    disconnectAll();
    for (const k of kiosks) k.journal?.close();
  },
);
