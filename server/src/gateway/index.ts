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
  paymentSubmitSchema,
  publicityRequestSchema,
  describeZodError,
  terminalAuthSchema,
  type ClientToServerEvents,
  type Reply,
  type ServerToClientEvents,
} from '../protocol/index.js';
import type { TerminalRegistry } from './terminals.js';
import type { KioskCaller, KioskService } from '../kiosk/index.js';

export { TerminalRegistry } from './terminals.js';

interface SocketData {
  terminalId: string;
  /** The terminal's last contact before this connection (kiosk/window.ts). */
  contactFloorMs: number;
}

type TerminalSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface GatewayDeps {
  terminals: TerminalRegistry;
  kiosk: KioskService;
  logger: Logger;
  metrics?: { requests: Counter<'event' | 'outcome'> };
}

export function attachGateway(io: Server, deps: GatewayDeps): void {
  const nsp = io.of(TERMINAL_NAMESPACE);

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
    const data = socket.data as SocketData;
    data.terminalId = parsed.data.terminalId;
    // Read before this connection counts as contact: payments taken while the
    // link was down are dated after it (issue 10 section 2).
    data.contactFloorMs = deps.terminals.lastContactMs(parsed.data.terminalId);
    deps.terminals.touch(parsed.data.terminalId);
    next();
  });

  nsp.on('connection', (rawSocket) => {
    const socket = rawSocket as unknown as TerminalSocket;
    const terminalId = socket.data.terminalId;
    const caller: KioskCaller = { terminalId, contactFloorMs: socket.data.contactFloorMs };
    const log = deps.logger.child({ terminalId });
    log.info({ event: 'terminal.connected' });
    socket.on('disconnect', (reason) => {
      deps.terminals.touch(terminalId);
      log.info({ event: 'terminal.disconnected', reason });
    });

    socket.on('account.summary', (request, ack) => {
      const reply = handle(log, deps, 'account.summary', ack, () => {
        const parsed = accountSummaryRequestSchema.safeParse(request);
        if (!parsed.success) return badRequest(parsed.error);
        const summary = deps.kiosk.summary(parsed.data.citizenNumber);
        if (!summary) return { ok: false, error: { code: 'not-found', message: 'no insured person with this citizen number' } };
        return { ok: true, data: summary };
      });
      void reply;
    });

    socket.on('publicity.list', (request, ack) => {
      handle(log, deps, 'publicity.list', ack, () => {
        const parsed = publicityRequestSchema.safeParse(request);
        if (!parsed.success) return badRequest(parsed.error);
        const list = deps.kiosk.publicity(parsed.data.villageCode, parsed.data.year);
        if (!list) return { ok: false, error: { code: 'not-found', message: 'no such village' } };
        return { ok: true, data: list };
      });
    });

    socket.on('payment.submit', (request, ack) => {
      handle(log, deps, 'payment.submit', ack, () => {
        const parsed = paymentSubmitSchema.safeParse(request);
        if (!parsed.success) return badRequest(parsed.error);
        const reply = deps.kiosk.submitPayment(caller, parsed.data);
        deps.terminals.touch(terminalId);
        log.info({ event: 'payment.booked', paymentId: parsed.data.id, outcome: reply.ok ? reply.data.result : reply.error.code });
        return reply;
      });
    });

    socket.on('cash-credit.submit', (request, ack) => {
      handle(log, deps, 'cash-credit.submit', ack, () => {
        const parsed = cashCreditSubmitSchema.safeParse(request);
        if (!parsed.success) return badRequest(parsed.error);
        const reply = deps.kiosk.submitCashCredit(caller, parsed.data);
        deps.terminals.touch(terminalId);
        log.info({ event: 'cash_credit.booked', creditId: parsed.data.id, outcome: reply.ok ? reply.data.result : reply.error.code });
        return reply;
      });
    });

    socket.on('certification.submit', (request, ack) => {
      handle(log, deps, 'certification.submit', ack, () => {
        const parsed = certificationSubmitSchema.safeParse(request);
        if (!parsed.success) return badRequest(parsed.error);
        const reply = deps.kiosk.submitCertification(caller, parsed.data);
        deps.terminals.touch(terminalId);
        log.info({ event: 'certification.recorded', certificationId: parsed.data.id, outcome: reply.ok ? reply.data.result : reply.error.code });
        return reply;
      });
    });

    socket.on('card.authenticate', (request, ack) => {
      handle(log, deps, 'card.authenticate', ack, () => {
        const parsed = cardAuthenticateRequestSchema.safeParse(request);
        if (!parsed.success) return badRequest(parsed.error);
        return deps.kiosk.authenticateCard(caller, parsed.data);
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
