// The terminal's link to the gateway: socket.io over the county network,
// authenticated by this kiosk's ed25519 key. Requests carry a deadline and are
// answered by a schema-checked reply; while the link is down, requests fail
// fast with `unavailable` so the session can fall back to the offline cache.
import { randomBytes, sign, type KeyObject } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type { Logger } from 'pino';
import type { z } from 'zod';
import {
  PROTOCOL_VERSION,
  REQUEST_TIMEOUT_MS,
  TERMINAL_NAMESPACE,
  accountSummaryReplySchema,
  cardAuthenticateReplySchema,
  moneyReplySchema,
  publicityReplySchema,
  authMessage,
  describeZodError,
  type AccountSummary,
  type CardAuthenticateRequest,
  type CardAuthenticateResult,
  type CashCreditSubmit,
  type CertificationSubmit,
  type MoneyResult,
  type PaymentSubmit,
  type PublicityList,
  type ClientToServerEvents,
  type Reply,
  type ServerToClientEvents,
} from '@nongbao/server/protocol';

const RECONNECT_DELAY_MAX_MS = 30_000;

export interface UplinkOptions {
  serverUrl: string;
  terminalId: string;
  privateKey: KeyObject;
  logger: Logger;
  requestTimeoutMs?: number;
}

export class Uplink {
  private readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  private readonly requestTimeoutMs: number;
  private lastConnectError: string | null = null;

  constructor(private readonly options: UplinkOptions) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
    this.socket = io(`${options.serverUrl}${TERMINAL_NAMESPACE}`, {
      autoConnect: false,
      reconnectionDelayMax: RECONNECT_DELAY_MAX_MS,
      transports: ['websocket'],
      // A fresh signature for every (re)connection: the server refuses replays.
      auth: (cb) => {
        const timestampMs = Date.now();
        const nonce = randomBytes(16).toString('hex');
        const base = { terminalId: options.terminalId, timestampMs, nonce };
        const signature = sign(null, authMessage(base), options.privateKey).toString('base64');
        cb({ v: PROTOCOL_VERSION, ...base, signature });
      },
    });
    this.socket.on('connect', () => {
      this.lastConnectError = null;
      options.logger.info({ event: 'uplink.connected', serverUrl: options.serverUrl });
    });
    this.socket.on('disconnect', (reason) => options.logger.warn({ event: 'uplink.disconnected', reason }));
    this.socket.on('connect_error', (error) => {
      if (this.lastConnectError !== error.message) {
        options.logger.warn({ event: 'uplink.connect_failed', reason: error.message });
      }
      this.lastConnectError = error.message;
    });
  }

  start(): void {
    this.socket.connect();
  }

  stop(): void {
    this.socket.disconnect();
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  accountSummary(citizenNumber: string): Promise<Reply<AccountSummary>> {
    return this.request('account.summary', { v: PROTOCOL_VERSION, citizenNumber }, accountSummaryReplySchema);
  }

  publicity(villageCode: string, year: number): Promise<Reply<PublicityList>> {
    return this.request('publicity.list', { v: PROTOCOL_VERSION, villageCode, year }, publicityReplySchema);
  }

  submitPayment(payment: PaymentSubmit): Promise<Reply<MoneyResult>> {
    return this.request('payment.submit', payment, moneyReplySchema);
  }

  submitCashCredit(credit: CashCreditSubmit): Promise<Reply<MoneyResult>> {
    return this.request('cash-credit.submit', credit, moneyReplySchema);
  }

  submitCertification(certification: CertificationSubmit): Promise<Reply<MoneyResult>> {
    return this.request('certification.submit', certification, moneyReplySchema);
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

  cardAuthenticate(evidence: Omit<CardAuthenticateRequest, 'v'>): Promise<Reply<CardAuthenticateResult>> {
    return this.request('card.authenticate', { v: PROTOCOL_VERSION, ...evidence }, cardAuthenticateReplySchema);
  }

  private async request<T>(
    event: keyof ClientToServerEvents,
    payload: unknown,
    schema: z.ZodType<Reply<T>>,
  ): Promise<Reply<T>> {
    if (!this.socket.connected) {
      return { ok: false, error: { code: 'unavailable', message: 'not connected to the server' } };
    }
    let raw: unknown;
    try {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      raw = await (this.socket.timeout(this.requestTimeoutMs) as any).emitWithAck(event, payload);
    } catch {
      return { ok: false, error: { code: 'unavailable', message: `no reply within ${this.requestTimeoutMs} ms` } };
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      this.options.logger.error({ event: 'uplink.bad_reply', name: event, detail: describeZodError(parsed.error) });
      return { ok: false, error: { code: 'internal', message: 'the server sent a reply this terminal does not understand' } };
    }
    return parsed.data;
  }
}
