// What the gateway answers to each terminal event (protocol CLIENT_EVENTS):
// one handler per event, given a request already checked against its schema.
import type { Logger } from 'pino';
import {
  haltsOutbox,
  type ClientEventName,
  type DataOf,
  type EventOutcome,
  type MoneyEvent,
  type ParsedRequestOf,
  type Reply,
} from '@nongbao/protocol';
import type { KioskCaller, KioskService } from '../kiosk/index.js';
import type { Fleet } from './fleet.js';
import type { GatewayMetrics } from './metrics.js';
import type { TerminalRegistry } from './terminals.js';

export interface HandlerContext {
  caller: KioskCaller;
  log: Logger;
  deps: { kiosk: KioskService; terminals: TerminalRegistry; fleet: Fleet; metrics: GatewayMetrics };
  /** Drops the connection: the terminal sent something only a broken or hostile client sends. */
  drop(reason: string): void;
}

type Handler<E extends ClientEventName> = (ctx: HandlerContext, request: ParsedRequestOf<E>) => Reply<DataOf<E>>;

export const HANDLERS: { [E in ClientEventName]: Handler<E> } = {
  'account.summary': (ctx, request) => {
    const summary = ctx.deps.kiosk.summary(request.citizenNumber);
    return summary ? { ok: true, data: summary } : { ok: false, error: { code: 'not-found', message: 'no insured person with this citizen number' } };
  },

  'publicity.list': (ctx, request) => {
    const list = ctx.deps.kiosk.publicity(request.villageCode, request.year);
    return list ? { ok: true, data: list } : { ok: false, error: { code: 'not-found', message: 'no such village' } };
  },

  'card.authenticate': (ctx, request) => ctx.deps.kiosk.authenticateCard(ctx.caller, request),

  'outbox.submit': (ctx, request) => {
    if (request.terminalId !== ctx.caller.terminalId) {
      // A terminal acts only for its own cash box (issue 11 section 4).
      ctx.log.error({ event: 'outbox.other_cash_box', named: request.terminalId });
      ctx.deps.metrics.refusals.inc({ event: 'outbox.submit', reason: 'other-cash-box' });
      ctx.drop('other-cash-box');
      return { ok: false, error: { code: 'refused', message: `this connection is ${ctx.caller.terminalId}; it cannot act for ${request.terminalId}`, reason: 'other-cash-box' } };
    }
    // Step events (debug) around the one transaction: the chaos run (cli/chaos) kills the server at each.
    const ids = request.events.map((e) => e.id);
    ctx.log.debug({ event: 'gateway.batch_received', ids });
    const outcomes = ctx.deps.kiosk.applyBatch(ctx.caller, request.events);
    ctx.log.debug({ event: 'gateway.batch_committed', ids });
    ctx.deps.terminals.touch(ctx.caller.terminalId);
    recordOutcomes(ctx, request.events, outcomes);
    return { ok: true, data: { results: outcomes } };
  },

  'terminal.status': (ctx, request) => {
    ctx.deps.fleet.recordStatus(ctx.caller.terminalId, request);
    ctx.deps.metrics.outboxDepth.set({ terminal: ctx.caller.terminalId }, request.outbox.pending);
    return { ok: true, data: { serverTime: new Date().toISOString() } };
  },
};

/** Logs, counts and records each outcome; an outcome the outbox stops at becomes an open halt for the office. */
function recordOutcomes(ctx: HandlerContext, events: readonly MoneyEvent[], outcomes: readonly EventOutcome[]): void {
  outcomes.forEach((outcome, i) => {
    const event = events[i]!;
    const result = outcome.outcome === 'applied' ? outcome.money.result : outcome.outcome;
    ctx.deps.metrics.moneyEvents.inc({ kind: event.kind, result });
    if (outcome.outcome === 'refused') ctx.deps.metrics.refusals.inc({ event: event.kind, reason: outcome.error.reason ?? outcome.error.code });
    if (outcome.outcome === 'applied' && outcome.money.booking === 'credit' && outcome.money.reason) {
      ctx.deps.metrics.refusals.inc({ event: event.kind, reason: outcome.money.reason });
    }
    if (haltsOutbox(event.kind, outcome)) {
      ctx.log.error({ event: 'outbox.halted', id: event.id, kind: event.kind, outcome });
      ctx.deps.fleet.recordHalt(ctx.caller.terminalId, event.kind, outcome);
    } else if (outcome.outcome !== 'not-applied') {
      ctx.log.info({ event: 'money.answered', id: event.id, kind: event.kind, result });
    }
  });
}
