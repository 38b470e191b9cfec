// The network between one kiosk and the gateway, as the chaos run controls it
// (issue 11 section 7): a TCP proxy (node:net) that reads the WebSocket frames
// going through it (ws-frames.ts), so that it can lose, duplicate and hold
// whole socket.io messages without corrupting the stream.
//
// Why at message level: socket.io runs over TCP, which neither duplicates nor
// reorders bytes; what reaches a gateway twice or late in real life is a
// message sent again (a retry after a timeout, a reconnection). The proxy
// does exactly that with the kiosk's own frames on its own authenticated
// connection: nothing is fabricated, and the gateway cannot tell a replay
// from a retry. Modes:
// - pass: bytes go through untouched;
// - down: every connection is cut and new ones are closed at once;
// - drop-answers: the kiosk's batches reach the gateway, its answers are lost;
// - duplicate: each batch is delivered twice;
// - hold-first-submit: the next batch is held `holdMs` (past the kiosk's
//   deadline) while later messages pass, so the kiosk's retry overtakes it.
// `replayOld` delivers an earlier batch of the kiosk's again, late.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { EventEmitter } from 'node:events';
import { WsStreamReader, ackId, submitAckId, submitEventIds, withAckId, type WsFrame } from './ws-frames.js';
import type { Prng } from './prng.js';

export type ProxyMode = { kind: 'pass' } | { kind: 'down' } | { kind: 'drop-answers' } | { kind: 'duplicate' } | { kind: 'hold-first-submit'; holdMs: number };

export interface ProxyStats {
  connections: number;
  cuts: number;
  answersDropped: number;
  submitsDuplicated: number;
  submitsHeld: number;
  submitsReplayed: number;
}

/** Batches remembered for late replays. */
export const PROXY_RECORDED_SUBMITS_LIMIT = 50;
/** Ack ids given to replayed batches start here, far above any id a kiosk uses in a run. */
const REPLAY_ACK_ID_BASE = 9_000_000;

interface Pipe {
  client: Socket;
  upstream: Socket;
  /** Ack ids of the batches the kiosk sent on this connection. */
  submitIds: Set<number>;
}

interface ProxyEvents {
  /** A held batch went on to the gateway (or was lost with its connection). */
  released: [{ ids: string[]; delivered: boolean }];
}

export class ChaosProxy extends EventEmitter<ProxyEvents> {
  private mode: ProxyMode = { kind: 'pass' };
  private readonly pipes = new Set<Pipe>();
  private readonly recorded: WsFrame[] = [];
  private holdNext = false;
  private replays = 0;
  readonly stats: ProxyStats = { connections: 0, cuts: 0, answersDropped: 0, submitsDuplicated: 0, submitsHeld: 0, submitsReplayed: 0 };

  private constructor(
    private readonly server: Server,
    private readonly target: { host: string; port: number },
  ) {
    super();
  }

  static async start(target: { host: string; port: number }): Promise<ChaosProxy> {
    const server = createServer();
    const proxy = new ChaosProxy(server, target);
    server.on('connection', (client) => proxy.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  get modeKind(): ProxyMode['kind'] {
    return this.mode.kind;
  }

  setMode(mode: ProxyMode): void {
    this.mode = mode;
    this.holdNext = mode.kind === 'hold-first-submit';
    if (mode.kind === 'down') {
      for (const pipe of this.pipes) this.cut(pipe);
    }
  }

  /** Delivers an earlier batch of the kiosk's again on its live connection; the ids it carries, or undefined when there is none. */
  replayOld(rng: Prng): string[] | undefined {
    const pipe = [...this.pipes].at(-1);
    if (!pipe || this.recorded.length === 0) return undefined;
    // An earlier batch than the last one, when there is one: late, not just again.
    const frame = rng.pick(this.recorded.length > 1 ? this.recorded.slice(0, -1) : this.recorded);
    this.replays += 1;
    pipe.upstream.write(withAckId(frame, REPLAY_ACK_ID_BASE + this.replays));
    this.stats.submitsReplayed += 1;
    return submitEventIds(frame);
  }

  async close(): Promise<void> {
    for (const pipe of this.pipes) this.cut(pipe);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.mode.kind === 'down') {
      client.destroy();
      return;
    }
    this.stats.connections += 1;
    const upstream = connect(this.target.port, this.target.host);
    const pipe: Pipe = { client, upstream, submitIds: new Set() };
    this.pipes.add(pipe);
    const toServer = new WsStreamReader();
    const toClient = new WsStreamReader();
    client.on('data', (chunk: Buffer) => {
      for (const piece of toServer.push(chunk)) {
        if (piece.kind === 'frame') this.fromClient(pipe, piece.frame);
        else upstream.write(piece.raw);
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      for (const piece of toClient.push(chunk)) {
        if (piece.kind === 'frame') this.fromServer(pipe, piece.frame);
        else client.write(piece.raw);
      }
    });
    const end = () => this.cut(pipe, false);
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  }

  private cut(pipe: Pipe, counted = true): void {
    if (!this.pipes.delete(pipe)) return;
    if (counted) this.stats.cuts += 1;
    pipe.client.destroy();
    pipe.upstream.destroy();
  }

  private fromClient(pipe: Pipe, frame: WsFrame): void {
    const id = submitAckId(frame);
    if (id === undefined) {
      pipe.upstream.write(frame.raw);
      return;
    }
    pipe.submitIds.add(id);
    this.recorded.push(frame);
    if (this.recorded.length > PROXY_RECORDED_SUBMITS_LIMIT) this.recorded.shift();
    if (this.holdNext && this.mode.kind === 'hold-first-submit') {
      this.holdNext = false;
      this.stats.submitsHeld += 1;
      const ids = submitEventIds(frame);
      setTimeout(() => {
        const delivered = this.pipes.has(pipe);
        if (delivered) pipe.upstream.write(frame.raw);
        this.emit('released', { ids, delivered });
      }, this.mode.holdMs);
      return;
    }
    pipe.upstream.write(frame.raw);
    if (this.mode.kind === 'duplicate') {
      pipe.upstream.write(frame.raw);
      this.stats.submitsDuplicated += 1;
    }
  }

  private fromServer(pipe: Pipe, frame: WsFrame): void {
    const id = ackId(frame);
    if (id !== undefined && pipe.submitIds.has(id) && this.mode.kind === 'drop-answers') {
      this.stats.answersDropped += 1;
      return;
    }
    pipe.client.write(frame.raw);
  }
}
