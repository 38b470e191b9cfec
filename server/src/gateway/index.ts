// The terminal gateway: socket.io namespace /terminal. Each connection is one
// authenticated kiosk; each event is schema-checked and answered exactly once.
import type { Server, Socket } from 'socket.io';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import {
  TERMINAL_NAMESPACE,
  accountSummaryRequestSchema,
  cardAuthenticateRequestSchema,
  cashCreditSubmitSchema,
  certificationSubmitSchema,
  type CertificationSubmit,
  paymentSubmitSchema,
  publicityRequestSchema,
  type PublicityList,
  type CashCreditSubmit,
  type MoneyResult,
  type PaymentSubmit,
  describeZodError,
  terminalAuthSchema,
  type AccountSummary,
  type ClientToServerEvents,
  type Reply,
  type ServerToClientEvents,
} from '../protocol/index.js';
import { TerminalConnections } from './connections.js';
import type { TerminalRegistry } from './terminals.js';

export { TerminalRegistry } from './terminals.js';

/** Checks a card's authentication cryptogram with the issuer key (server-side only). */
export interface CardAuthenticator {
  verify(evidence: { cardIdentifier: string; challenge: string; cryptogram: string }): boolean;
}

/** What the gateway needs to answer a kiosk's account question and book its cash. */
export interface KioskAccountService {
  /** The account summary, or undefined when no insured person has that number. */
  summary(citizenNumber: string): AccountSummary | undefined;
  /** The village's publicity list for a year, or undefined for an unknown village. */
  publicity(villageCode: string, year: number): PublicityList | undefined;
  /** Books a kiosk cash contribution once; a replay returns the first result. */
  submitPayment(terminalId: string, payment: PaymentSubmit): Reply<MoneyResult>;
  /** Books cash stacked for a payment that did not complete, as the person's credit. */
  submitCashCredit(terminalId: string, credit: CashCreditSubmit): Reply<MoneyResult>;
  /** Records a proof-of-life certification made at a kiosk. */
  submitCertification(terminalId: string, certification: CertificationSubmit): Reply<MoneyResult>;
}

interface SocketData {
  terminalId: string;
}

type TerminalSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface GatewayDeps {
  terminals: TerminalRegistry;
  accounts: KioskAccountService;
  /** Absent when no issuer key is configured: kiosks then get `unavailable`. */
  cardAuthenticator?: CardAuthenticator;
  logger: Logger;
  metrics?: { requests: Counter<'event' | 'outcome'> };
}

export function attachGateway(io: Server, deps: GatewayDeps): void {
  const nsp = io.of(TERMINAL_NAMESPACE);
  const connections = new TerminalConnections();

  nsp.use((socket, next) => {
    const parsed = terminalAuthSchema.safeParse(socket.handshake.auth);
    if (!parsed.success) {
      deps.logger.warn({ event: 'terminal.auth.refused', reason: 'bad-handshake', detail: describeZodError(parsed.error) });
      next(new Error('bad-handshake'));
      return;
    }
    const result = deps.terminals.authenticate(parsed.data);
    if (!result.ok) {
      deps.logger.warn({ event: 'terminal.auth.refused', terminalId: parsed.data.terminalId, reason: result.reason });
      next(new Error(result.reason));
      return;
    }
    (socket.data as SocketData).terminalId = parsed.data.terminalId;
    next();
  });

  nsp.on('connection', (rawSocket) => {
    const socket = rawSocket as unknown as TerminalSocket;
    const terminalId = socket.data.terminalId;
    const log = deps.logger.child({ terminalId });
    log.info({ event: 'terminal.connected' });
    connections.adopt(terminalId, socket, log);
    socket.on('disconnect', (reason) => log.info({ event: 'terminal.disconnected', reason }));

    socket.on('account.summary', (request, ack) => {
      const reply = handle(log, deps, 'account.summary', ack, () => {
        const parsed = accountSummaryRequestSchema.safeParse(request);
        if (!parsed.success) return badRequest(parsed.error);
        const summary = deps.accounts.summary(parsed.data.citizenNumber);
        if (!summary) return { ok: false, error: { code: 'not-found', message: 'no insured person with this citizen number' } };
        return { ok: true, data: summary };
      });
      void reply;
    });

    socket.on('publicity.list', (request, ack) => {
      handle(log, deps, 'publicity.list', ack, () => {
        const parsed = publicityRequestSchema.safeParse(request);
        if (!parsed.success) return badRequest(parsed.error);
        const list = deps.accounts.publicity(parsed.data.villageCode, parsed.data.year);
        if (!list) return { ok: false, error: { code: 'not-found', message: 'no such village' } };
        return { ok: true, data: list };
      });
    });

    socket.on('payment.submit', (request, ack) => {
      handle(log, deps, 'payment.submit', ack, () => {
        const parsed = paymentSubmitSchema.safeParse(request);
        if (!parsed.success) return badRequest(parsed.error);
        const reply = deps.accounts.submitPayment(terminalId, parsed.data);
        log.info({ event: 'payment.booked', paymentId: parsed.data.id, outcome: reply.ok ? reply.data.result : reply.error.code });
        return reply;
      });
    });

    socket.on('cash-credit.submit', (request, ack) => {
      handle(log, deps, 'cash-credit.submit', ack, () => {
        const parsed = cashCreditSubmitSchema.safeParse(request);
        if (!parsed.success) return badRequest(parsed.error);
        const reply = deps.accounts.submitCashCredit(terminalId, parsed.data);
        log.info({ event: 'cash_credit.booked', creditId: parsed.data.id, outcome: reply.ok ? reply.data.result : reply.error.code });
        return reply;
      });
    });

    socket.on('certification.submit', (request, ack) => {
      handle(log, deps, 'certification.submit', ack, () => {
        const parsed = certificationSubmitSchema.safeParse(request);
        if (!parsed.success) return badRequest(parsed.error);
        const reply = deps.accounts.submitCertification(terminalId, parsed.data);
        log.info({ event: 'certification.recorded', certificationId: parsed.data.id, outcome: reply.ok ? reply.data.result : reply.error.code });
        return reply;
      });
    });

    socket.on('card.authenticate', (request, ack) => {
      handle(log, deps, 'card.authenticate', ack, () => {
        const parsed = cardAuthenticateRequestSchema.safeParse(request);
        if (!parsed.success) return badRequest(parsed.error);
        if (!deps.cardAuthenticator) {
          return { ok: false, error: { code: 'unavailable', message: 'no issuer key is configured on this server' } };
        }
        const authentic = deps.cardAuthenticator.verify(parsed.data);
        if (!authentic) log.warn({ event: 'card.authentication_failed', cardIdentifier: parsed.data.cardIdentifier });
        return { ok: true, data: { authentic } };
      });
    });
  });
}

function badRequest(error: import('zod').ZodError): Reply<never> {
  return { ok: false, error: { code: 'bad-request', message: describeZodError(error) } };
}

/** Runs a handler, always answers once, never lets an exception escape into socket.io. */
function handle<T>(
  log: Logger,
  deps: GatewayDeps,
  event: string,
  ack: unknown,
  work: () => Reply<T>,
): void {
  if (typeof ack !== 'function') {
    log.warn({ event: 'terminal.message.refused', name: event, reason: 'no-ack' });
    deps.metrics?.requests.inc({ event, outcome: 'no-ack' });
    return;
  }
  let reply: Reply<T>;
  try {
    reply = work();
  } catch (error) {
    log.error({ event: 'terminal.message.failed', name: event, err: error });
    reply = { ok: false, error: { code: 'internal', message: 'internal error' } };
  }
  deps.metrics?.requests.inc({ event, outcome: reply.ok ? 'ok' : reply.error.code });
  (ack as (r: Reply<T>) => void)(reply);
}
