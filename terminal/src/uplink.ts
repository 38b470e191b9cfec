// The terminal's link to the gateway: socket.io over the county network,
// authenticated by this kiosk's ed25519 key. Requests are typed by the
// protocol's event map, carry the event's deadline and are answered by a
// schema-checked reply; while the link is down, requests fail fast with
// `unavailable` so the session can fall back to the offline cache. Server
// pushes are checked against their schema before anyone sees them.
import { randomBytes, sign, type KeyObject } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type { Logger } from 'pino';
import {
  CLIENT_EVENTS,
  PROTOCOL_VERSION,
  TERMINAL_NAMESPACE,
  authMessage,
  describeZodError,
  parseServerEvent,
  replySchemaOf,
  type CardAuthenticateRequest,
  type CardAuthenticateResult,
  type ClientEventName,
  type ClientToServerEvents,
  type DataOf,
  type AccountSummary,
  type PublicityList,
  type ProtocolError,
  type Reply,
  type RequestOf,
  type ServerEventName,
  type ServerPayloadOf,
  type ServerToClientEvents,
} from '@nongbao/protocol';

/**
 * The longest pause between two attempts to reach a lost gateway, before
 * socket.io's jitter of +-RECONNECT_RANDOMIZATION. The pause doubles from 1 s
 * up to this. It bounds how long a kiosk stays offline after the gateway is
 * back (a restart, a deploy): its backlog is to be drained within 10 s of a
 * restart (issue 11 section 8). It was 30 s, which left kiosks waiting up to
 * 45 s (tests/bench/gateway.bench.ts, gateway-backlog: 18 s from the restart
 * to the last of 50 kiosks). A failed attempt costs a connection refused; the
 * handshakes of a returning fleet share one commit at the gateway.
 */
export const RECONNECT_DELAY_MAX_MS = 5_000;
export const RECONNECT_RANDOMIZATION = 0.5;
/**
 * How long to wait before connecting again after the gateway dropped this
 * kiosk (another connection with its identity, a revocation, a burst it took
 * for hostile): long, so that two kiosks with one key do not fight.
 */
export const SERVER_DROP_RETRY_MS = 30_000;

export interface UplinkOptions {
  serverUrl: string;
  terminalId: string;
  privateKey: KeyObject;
  logger: Logger;
  /** This kiosk's software version, reported in the handshake. */
  softwareVersion?: string;
  /** Overrides every event's deadline (tests). */
  requestTimeoutMs?: number;
  /** Longest wait between reconnection attempts (RECONNECT_DELAY_MAX_MS by default; shorter in tests). */
  reconnectDelayMaxMs?: number;
}

/** What the outbox and the session need of the link (tests give a fake). */
export interface GatewayLink {
  readonly connected: boolean;
  request<E extends ClientEventName>(event: E, payload: RequestOf<E>): Promise<Reply<DataOf<E>>>;
}

type Emit = (event: ClientEventName, payload: unknown) => Promise<unknown>;

export class Uplink implements GatewayLink {
  private readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  private lastConnectError: string | null = null;
  private readonly failedReplyListeners: Array<(event: ClientEventName, error: ProtocolError) => void> = [];
  private stopped = false;

  constructor(private readonly options: UplinkOptions) {
    this.socket = io(`${options.serverUrl}${TERMINAL_NAMESPACE}`, {
      autoConnect: false,
      reconnectionDelayMax: options.reconnectDelayMaxMs ?? RECONNECT_DELAY_MAX_MS,
      randomizationFactor: RECONNECT_RANDOMIZATION,
      transports: ['websocket'],
      // A fresh signature for every (re)connection: the server refuses replays.
      auth: (cb) => {
        const timestampMs = Date.now();
        const nonce = randomBytes(16).toString('hex');
        const base = { terminalId: options.terminalId, timestampMs, nonce };
        const signature = sign(null, authMessage(base), options.privateKey).toString('base64');
        cb({ v: PROTOCOL_VERSION, ...base, signature, ...(options.softwareVersion ? { softwareVersion: options.softwareVersion } : {}) });
      },
    });
    this.socket.on('connect', () => {
      this.lastConnectError = null;
      options.logger.info({ event: 'uplink.connected', serverUrl: options.serverUrl });
    });
    this.socket.on('disconnect', (reason) => {
      options.logger.warn({ event: 'uplink.disconnected', reason });
      // The gateway dropped us (another connection with our identity, a revocation
      // check, a hostile-looking burst): socket.io does not come back by itself.
      if (reason === 'io server disconnect' && !this.stopped) setTimeout(() => this.stopped || this.socket.connect(), options.reconnectDelayMaxMs ?? SERVER_DROP_RETRY_MS).unref();
    });
    this.socket.on('connect_error', (error) => {
      if (this.lastConnectError !== error.message) options.logger.warn({ event: 'uplink.connect_failed', reason: error.message });
      this.lastConnectError = error.message;
    });
  }

  start(): void {
    this.stopped = false;
    this.socket.connect();
  }

  stop(): void {
    this.stopped = true;
    this.socket.disconnect();
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  /** The longest pause between two attempts to reach a lost gateway, jitter included (ms). */
  get longestReconnectPauseMs(): number {
    const manager = this.socket.io;
    return manager.reconnectionDelayMax() * (1 + manager.randomizationFactor());
  }

  /** Why the last connection attempt failed (the gateway's refusal reason), or null. */
  get connectError(): string | null {
    return this.lastConnectError;
  }

  /** Runs `listener` on every (re)connection. */
  onConnect(listener: () => void): void {
    this.socket.on('connect', listener);
  }

  /** Runs `listener` when the link goes up or down. */
  onLinkChange(listener: (connected: boolean) => void): void {
    this.socket.on('connect', () => listener(true));
    this.socket.on('disconnect', () => listener(false));
  }

  /** Runs `listener` for each push of `event` that fits its schema; others are logged and dropped. */
  onPush<E extends ServerEventName>(event: E, listener: (payload: ServerPayloadOf<E>) => void): void {
    const handler = (payload: unknown): void => {
      const parsed = parseServerEvent(event, payload);
      if (parsed.ok) listener(parsed.data);
      else this.options.logger.error({ event: 'uplink.bad_push', name: event, detail: parsed.message });
    };
    (this.socket as unknown as { on(event: string, listener: (payload: unknown) => void): void }).on(event, handler);
  }

  accountSummary(citizenNumber: string): Promise<Reply<AccountSummary>> {
    return this.request('account.summary', { v: PROTOCOL_VERSION, citizenNumber });
  }

  publicity(villageCode: string, year: number): Promise<Reply<PublicityList>> {
    return this.request('publicity.list', { v: PROTOCOL_VERSION, villageCode, year });
  }

  cardAuthenticate(evidence: Omit<CardAuthenticateRequest, 'v'>): Promise<Reply<CardAuthenticateResult>> {
    return this.request('card.authenticate', { v: PROTOCOL_VERSION, ...evidence });
  }

  /**
   * Runs `listener` for every request the gateway answered with an error or
   * did not answer in time (the recent errors staff see, issue 13 section 1);
   * not for requests refused at once because the link is down (that is a
   * resource problem, `serverUnreachable`).
   */
  onFailedReply(listener: (event: ClientEventName, error: ProtocolError) => void): void {
    this.failedReplyListeners.push(listener);
  }

  async request<E extends ClientEventName>(event: E, payload: RequestOf<E>): Promise<Reply<DataOf<E>>> {
    if (!this.socket.connected) return { ok: false, error: { code: 'unavailable', message: 'not connected to the server' } };
    const reply = await this.exchange(event, payload);
    if (!reply.ok) for (const listener of this.failedReplyListeners) listener(event, reply.error);
    return reply;
  }

  private async exchange<E extends ClientEventName>(event: E, payload: RequestOf<E>): Promise<Reply<DataOf<E>>> {
    const timeoutMs = this.options.requestTimeoutMs ?? CLIENT_EVENTS[event].timeoutMs;
    // socket.io's typed emit cannot follow a generic event name; the map above types both ends.
    const emit: Emit = (name, body) => (this.socket.timeout(timeoutMs) as unknown as { emitWithAck: Emit }).emitWithAck(name, body);
    let raw: unknown;
    try {
      const answered = emit(event, payload);
      // The request is on the wire (socket.io writes it synchronously when the link is up): a step the chaos run kills at.
      this.options.logger.debug({ event: 'uplink.request_sent', name: event });
      raw = await answered;
    } catch {
      return { ok: false, error: { code: 'unavailable', message: `no reply within ${timeoutMs} ms` } };
    }
    const parsed = replySchemaOf(event).safeParse(raw);
    if (!parsed.success) {
      this.options.logger.error({ event: 'uplink.bad_reply', name: event, detail: describeZodError(parsed.error) });
      return { ok: false, error: { code: 'internal', message: 'the server sent a reply this terminal does not understand' } };
    }
    return parsed.data as Reply<DataOf<E>>;
  }
}
