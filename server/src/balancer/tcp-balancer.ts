// Several gateways behind one address (issue 15 section 3): a small TCP
// balancer, for the tests, the chaos run and a single-machine province test
// bed. In production the same job is nginx's `stream` module or HAProxy in TCP
// mode in front of the gateway processes (README, "A province"); this one
// exists so that the suite needs nothing installed beyond the project's own
// scripts, and so that the chaos run can see what it does.
//
// Why TCP and round robin are enough: the gateways are stateless (every
// money event, nonce and fleet row is in the shared PostgreSQL database) and
// terminals speak socket.io over WebSocket only (no long-polling, so no
// sticky sessions: one TCP connection is one socket.io session). A terminal
// whose gateway dies reconnects, and the balancer hands the new connection
// to a gateway that answers.
//
// What it does:
// - each new client connection goes to the next backend in turn;
// - a backend that refuses or does not answer within
//   BALANCER_CONNECT_TIMEOUT_MS is marked down for BALANCER_BACKEND_DOWN_MS
//   and the next one is tried (a connection fails only when every backend
//   failed);
// - when either side of a pair closes or fails, the other is closed too (a
//   gateway killed mid-session drops its terminals, which reconnect);
// - at most BALANCER_CONNECTIONS_LIMIT client connections at once; more are
//   closed at once (the gateways have their own per-address limits).
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';

/** A backend that does not accept within this is taken as down for this connection. */
export const BALANCER_CONNECT_TIMEOUT_MS = 2_000;
/** A backend that failed is skipped this long (then tried again by the next connection). */
export const BALANCER_BACKEND_DOWN_MS = 1_000;
/** Client connections at once: a province's gateway fleet is 20 000+ kiosks behind several balancers. */
export const BALANCER_CONNECTIONS_LIMIT = 50_000;

export interface BalancerAddress {
  host: string;
  port: number;
}

export interface BalancerOptions {
  listen: BalancerAddress;
  backends: readonly BalancerAddress[];
  logger: Logger;
  connectTimeoutMs?: number;
  backendDownMs?: number;
  connectionsLimit?: number;
}

export interface BackendStats {
  address: string;
  /** Client connections handed to this backend since the start. */
  connections: number;
  /** Connections open through it now. */
  open: number;
  /** Connect attempts that failed. */
  failures: number;
}

interface Backend extends BalancerAddress {
  label: string;
  downUntilMs: number;
  stats: BackendStats;
}

export function formatAddress(a: BalancerAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/**
 * `host:port` (or `[v6]:port`, or a bare port for 127.0.0.1) as an address;
 * anything else throws naming the text.
 */
export function parseAddress(text: string): BalancerAddress {
  const bare = /^\d+$/.test(text) ? { host: '127.0.0.1', port: text } : undefined;
  const match = bare ? null : /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d+)$/.exec(text);
  const host = bare?.host ?? match?.[1] ?? match?.[2];
  const portText = bare?.port ?? match?.[3];
  const port = Number(portText);
  if (host === undefined || portText === undefined || !Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new RangeError(`not an address (host:port, port 1..65535): "${text}"`);
  }
  return { host, port };
}

export class TcpBalancer {
  readonly #options: Required<Omit<BalancerOptions, 'backends'>>;
  readonly #backends: Backend[];
  readonly #server: Server;
  /** Every socket through it (clients and upstreams), closed with it. */
  readonly #open = new Set<Socket>();
  #clients = 0;
  #next = 0;
  #port = 0;

  private constructor(options: BalancerOptions) {
    if (options.backends.length === 0) throw new RangeError('a balancer needs at least one backend');
    this.#options = {
      listen: options.listen,
      logger: options.logger,
      connectTimeoutMs: options.connectTimeoutMs ?? BALANCER_CONNECT_TIMEOUT_MS,
      backendDownMs: options.backendDownMs ?? BALANCER_BACKEND_DOWN_MS,
      connectionsLimit: options.connectionsLimit ?? BALANCER_CONNECTIONS_LIMIT,
    };
    this.#backends = options.backends.map((b) => {
      const label = formatAddress(b);
      return { ...b, label, downUntilMs: 0, stats: { address: label, connections: 0, open: 0, failures: 0 } };
    });
    this.#server = createServer({ allowHalfOpen: false }, (client) => this.#accept(client));
  }

  static async start(options: BalancerOptions): Promise<TcpBalancer> {
    const balancer = new TcpBalancer(options);
    await new Promise<void>((resolve, reject) => {
      balancer.#server.once('error', reject);
      balancer.#server.listen(options.listen.port, options.listen.host, () => resolve());
    });
    const address = balancer.#server.address();
    balancer.#port = typeof address === 'object' && address ? address.port : options.listen.port;
    options.logger.info({ event: 'balancer.listening', address: formatAddress({ host: options.listen.host, port: balancer.#port }), backends: balancer.#backends.map((b) => b.label) });
    return balancer;
  }

  get port(): number {
    return this.#port;
  }

  stats(): BackendStats[] {
    return this.#backends.map((b) => ({ ...b.stats }));
  }

  /** Stops listening and closes every connection through it. */
  async close(): Promise<void> {
    for (const socket of this.#open) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    if (this.#clients >= this.#options.connectionsLimit) {
      this.#options.logger.warn({ event: 'balancer.too_many_connections', limit: this.#options.connectionsLimit });
      client.destroy();
      return;
    }
    this.#track(client);
    this.#clients += 1;
    client.once('close', () => (this.#clients -= 1));
    client.pause();
    client.on('error', () => client.destroy());
    this.#tryBackends(client, this.#order());
  }

  /** The backends to try for one connection: the next in turn first, those marked down last. */
  #order(): Backend[] {
    const start = this.#next;
    this.#next = (this.#next + 1) % this.#backends.length;
    const turn = [...this.#backends.slice(start), ...this.#backends.slice(0, start)];
    const now = Date.now();
    return [...turn.filter((b) => b.downUntilMs <= now), ...turn.filter((b) => b.downUntilMs > now)];
  }

  #tryBackends(client: Socket, left: Backend[]): void {
    const backend = left.shift();
    if (!backend) {
      this.#options.logger.warn({ event: 'balancer.no_backend', client: client.remoteAddress });
      client.destroy();
      return;
    }
    if (client.destroyed) return;
    const upstream = connect({ host: backend.host, port: backend.port, allowHalfOpen: false });
    const timer = setTimeout(() => upstream.destroy(new Error(`no answer within ${this.#options.connectTimeoutMs} ms`)), this.#options.connectTimeoutMs);
    const failed = (error: Error) => {
      clearTimeout(timer);
      backend.stats.failures += 1;
      backend.downUntilMs = Date.now() + this.#options.backendDownMs;
      this.#options.logger.warn({ event: 'balancer.backend_failed', backend: backend.label, err: error.message });
      this.#tryBackends(client, left);
    };
    upstream.once('error', failed);
    upstream.once('connect', () => {
      clearTimeout(timer);
      upstream.off('error', failed);
      this.#pair(client, upstream, backend);
    });
  }

  #pair(client: Socket, upstream: Socket, backend: Backend): void {
    if (client.destroyed) {
      upstream.destroy();
      return;
    }
    backend.downUntilMs = 0;
    backend.stats.connections += 1;
    backend.stats.open += 1;
    this.#track(upstream);
    upstream.setNoDelay(true);
    client.setNoDelay(true);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', end);
    client.on('error', end);
    upstream.once('close', () => {
      backend.stats.open -= 1;
      end();
    });
    client.once('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  }

  #track(socket: Socket): void {
    this.#open.add(socket);
    socket.once('close', () => this.#open.delete(socket));
  }
}
