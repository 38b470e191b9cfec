// The terminal gateway: socket.io namespace /terminal, the only namespace.
// Each connection is one authenticated kiosk; each request is checked against
// the protocol's schema (`parseClientRequest`) and answered exactly once, from
// the handler table (handlers.ts). Refused handshakes and hostile clients are
// disconnected at once; addresses and terminals are limited (limits.ts).
import type { Server, Socket } from 'socket.io';
import type { Logger } from 'pino';
import {
  PROTOCOL_VERSION,
  SUPPORTED_VERSIONS,
  TERMINAL_NAMESPACE,
  describeZodError,
  isClientEventName,
  parseClientRequest,
  terminalAuthSchema,
  type ClientEventName,
  type ClientToServerEvents,
  type HandshakeRefusal,
  type Reply,
  type ServerToClientEvents,
} from '@nongbao/protocol';
import type { KioskCaller, KioskService } from '../kiosk/index.js';
import type { ServerChanges } from '../shared/changes.js';
import type { UpdateService } from '../updates/index.js';
import type { GroupCommit } from '../shared/group-commit.js';
import { TerminalConnections } from './connections.js';
import type { Fleet } from './fleet.js';
import { HANDLERS, type HandlerContext } from './handlers.js';
import {
  AddressCounter,
  CONNECTIONS_PER_ADDRESS_LIMIT,
  RATE_REFUSALS_BEFORE_DROP,
  REVOCATION_CHECK_INTERVAL_MS,
  TERMINAL_REQUEST_BURST,
  TERMINAL_REQUESTS_PER_SECOND,
  TokenBucket,
} from './limits.js';
import type { GatewayMetrics } from './metrics.js';
import type { TerminalRegistry } from './terminals.js';

export { TerminalRegistry } from './terminals.js';
export { Fleet, type FleetTerminal, type OutboxHalt, type ReconciliationAlarm } from './fleet.js';
export { createGatewayMetrics, type GatewayMetrics } from './metrics.js';

interface SocketData {
  terminalId: string;
  /** The terminal's last contact before this connection (kiosk/window.ts). */
  contactFloorMs: number;
  connectedSinceMs: number;
  softwareVersion: string | null;
}

type TerminalSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface GatewayDeps {
  terminals: TerminalRegistry;
  fleet: Fleet;
  kiosk: KioskService;
  changes: ServerChanges;
  updates: UpdateService;
  logger: Logger;
  metrics: GatewayMetrics;
  /** Commits the money of the terminals' outbox requests, a turn's requests together. */
  commits: GroupCommit;
  limits?: GatewayLimits;
}

/** The edge's limits (limits.ts has the defaults and why). */
export interface GatewayLimits {
  connectionsPerAddress?: number;
  requestsPerSecond?: number;
  requestBurst?: number;
  /** How often connected terminals are checked against revocations in the database (REVOCATION_CHECK_INTERVAL_MS). */
  revocationCheckIntervalMs?: number;
}

export interface Gateway {
  /** Connected terminal ids in this process. */
  connectedTerminals(): string[];
  close(): void;
}

function refuseHandshake(deps: GatewayDeps, socket: Socket, reason: HandshakeRefusal, detail: Record<string, unknown>, next: (err?: Error) => void): void {
  deps.logger.warn({ event: 'terminal.auth.refused', reason, ...detail });
  deps.metrics.handshakeFailures.inc({ reason });
  deps.metrics.droppedConnections.inc({ reason: 'handshake-refused' });
  next(new Error(reason));
  // socket.io writes the connect error on the next tick; engine.io closes once its buffer drains.
  setImmediate(() => socket.conn.close());
}

export function attachGateway(io: Server, deps: GatewayDeps): Gateway {
  const nsp = io.of(TERMINAL_NAMESPACE);
  const connections = new TerminalConnections();
  const sockets = new Map<string, TerminalSocket>();
  const addresses = new AddressCounter(deps.limits?.connectionsPerAddress ?? CONNECTIONS_PER_ADDRESS_LIMIT);

  // Only the terminal namespace exists: the default one refuses everyone.
  io.use((socket, next) => {
    deps.metrics.droppedConnections.inc({ reason: 'default-namespace' });
    next(new Error('no-such-namespace'));
    setImmediate(() => socket.conn.close());
  });
  io.engine.on('connection', (conn: { remoteAddress: string; close(): void; once(event: 'close', listener: () => void): void }) => {
    const address = conn.remoteAddress;
    if (!addresses.open(address)) {
      deps.logger.warn({ event: 'gateway.too_many_connections', address });
      deps.metrics.droppedConnections.inc({ reason: 'too-many-connections' });
      conn.close();
      return;
    }
    conn.once('close', () => addresses.close(address));
  });

  nsp.use((socket, next) => authenticate(deps, socket, next));
  nsp.on('connection', (raw) => onConnection(deps, raw as unknown as TerminalSocket, connections, sockets));

  const dropRevoked = (terminalId: string): void => {
    const socket = sockets.get(terminalId);
    if (!socket) return;
    deps.logger.warn({ event: 'terminal.revoked_dropped', terminalId });
    deps.metrics.droppedConnections.inc({ reason: 'revoked' });
    socket.disconnect(true);
  };
  const revocationTimer = setInterval(() => {
    for (const id of deps.terminals.revokedAmong([...sockets.keys()])) dropRevoked(id);
  }, deps.limits?.revocationCheckIntervalMs ?? REVOCATION_CHECK_INTERVAL_MS);
  revocationTimer.unref();
  // A newer connection of the terminal, accepted by another gateway process (gateway/cluster.ts) or this one.
  const dropReplaced = (terminalId: string, connectionId: string): void => {
    const socket = sockets.get(terminalId);
    if (!socket || socket.id === connectionId) return;
    deps.logger.warn({ event: 'terminal.connection_replaced_elsewhere', terminalId, olderSocketId: socket.id, newerSocketId: connectionId });
    deps.metrics.droppedConnections.inc({ reason: 'replaced' });
    socket.disconnect(true);
  };
  const push = pushers(deps, sockets);
  deps.changes.on('terminal-connected', dropReplaced);
  deps.changes.on('terminal-revoked', dropRevoked);
  deps.changes.on('terminal-config', push.config);
  deps.changes.on('village', push.village);
  deps.changes.on('halt-settled', push.settled);
  deps.changes.on('update-offer', push.offers);
  deps.changes.on('update-withdraw', push.withdraw);

  return {
    connectedTerminals: () => [...sockets.keys()],
    close: () => {
      clearInterval(revocationTimer);
      deps.changes.off('terminal-connected', dropReplaced);
      deps.changes.off('terminal-revoked', dropRevoked);
      deps.changes.off('terminal-config', push.config);
      deps.changes.off('village', push.village);
      deps.changes.off('halt-settled', push.settled);
      deps.changes.off('update-offer', push.offers);
      deps.changes.off('update-withdraw', push.withdraw);
    },
  };
}

/** The handshake: the signed `auth` of protocol handshake.ts, checked against the terminal registry. */
function authenticate(deps: GatewayDeps, socket: Socket, next: (err?: Error) => void): void {
  const auth = socket.handshake.auth as { v?: unknown } | undefined;
  if (typeof auth?.v === 'number' && !SUPPORTED_VERSIONS.includes(auth.v)) {
    refuseHandshake(deps, socket, 'unsupported-version', { version: auth.v }, next);
    return;
  }
  const parsed = terminalAuthSchema.safeParse(auth);
  if (!parsed.success) {
    refuseHandshake(deps, socket, 'bad-handshake', { detail: describeZodError(parsed.error), address: socket.handshake.address }, next);
    return;
  }
  const signed = parsed.data;
  // The nonce is committed before the connection is accepted (no replay, also
  // across a restart), with the other handshakes of this turn: one disk sync
  // for a fleet reconnecting after a gateway restart, not one each.
  // The floor is read in the same unit, after what earlier units (an older connection's end) wrote.
  const check = () => ({ result: deps.terminals.authenticate(signed), contactFloorMs: deps.terminals.lastContactMs(signed.terminalId) });
  deps.commits.submit(check).then(
    ({ result, contactFloorMs }) => {
      if (!result.ok) {
        refuseHandshake(deps, socket, result.reason, { terminalId: signed.terminalId, address: socket.handshake.address }, next);
        return;
      }
      const data = socket.data as SocketData;
      data.terminalId = signed.terminalId;
      // Read before this connection counts as contact: payments taken while the
      // link was down are dated after it (issue 10 section 2).
      data.contactFloorMs = contactFloorMs;
      data.connectedSinceMs = Date.now();
      data.softwareVersion = signed.softwareVersion ?? null;
      next();
    },
    (error: unknown) => {
      deps.logger.error({ event: 'terminal.auth.failed', terminalId: signed.terminalId, err: error });
      next(new Error('internal'));
      setImmediate(() => socket.conn.close());
    },
  );
}

/** Writes what a connection changes in the fleet with the turn's group commit; a failure is logged, not thrown into socket.io. */
function recordInFleet(deps: GatewayDeps, log: Logger, work: () => void): void {
  deps.commits.submit(work).catch((error: unknown) => log.error({ event: 'terminal.fleet_write_failed', err: error }));
}

function onConnection(deps: GatewayDeps, socket: TerminalSocket, connections: TerminalConnections, sockets: Map<string, TerminalSocket>): void {
  const { terminalId, contactFloorMs, connectedSinceMs, softwareVersion } = socket.data;
  const caller: KioskCaller = { terminalId, contactFloorMs };
  const log = deps.logger.child({ terminalId });
  log.info({ event: 'terminal.connected', softwareVersion });
  connections.adopt(terminalId, socket, log);
  sockets.set(terminalId, socket);
  deps.changes.emit('terminal-connected', terminalId, socket.id);
  recordInFleet(deps, log, () => deps.fleet.connected(terminalId, softwareVersion, connectedSinceMs));
  deps.metrics.terminalsOnline.set(sockets.size);
  socket.on('disconnect', (reason) => {
    if (sockets.get(terminalId) === socket) sockets.delete(terminalId);
    deps.metrics.terminalsOnline.set(sockets.size);
    recordInFleet(deps, log, () => {
      deps.terminals.touch(terminalId);
      deps.fleet.disconnected(terminalId, connectedSinceMs);
    });
    log.info({ event: 'terminal.disconnected', reason });
  });
  const drop = (reason: string): void => {
    deps.metrics.droppedConnections.inc({ reason });
    log.warn({ event: 'terminal.dropped', reason });
    // After the reply is written.
    setImmediate(() => socket.disconnect(true));
  };
  const ctx: HandlerContext = { caller, log, deps, drop };
  const bucket = new TokenBucket(deps.limits?.requestsPerSecond ?? TERMINAL_REQUESTS_PER_SECOND, deps.limits?.requestBurst ?? TERMINAL_REQUEST_BURST, Date.now());
  socket.onAny((event: unknown, ...args: unknown[]) => dispatch(ctx, bucket, event, args));
  // What the kiosk keeps for offline use, outbox halts settled while it was away, and a release offered to it.
  pushers(deps, sockets).config(terminalId);
  pushers(deps, sockets).offers([terminalId]);
  for (const halt of deps.fleet.settledHalts(terminalId)) {
    socket.emit('outbox.settled', { v: PROTOCOL_VERSION, eventId: halt.eventId, settledBy: halt.settledBy ?? '', note: halt.note ?? '' });
  }
}

/** Answers one message exactly once; never lets an exception escape into socket.io. */
function dispatch(ctx: HandlerContext, bucket: TokenBucket, event: unknown, args: unknown[]): void {
  const { deps, log } = ctx;
  const last = args[args.length - 1];
  const ack = typeof last === 'function' ? (last as (reply: Reply<unknown>) => void) : undefined;
  const name = isClientEventName(event) ? event : 'unknown';
  if (!bucket.take(Date.now())) {
    deps.metrics.refusals.inc({ event: name, reason: 'rate-limited' });
    if (bucket.refusedInARow >= RATE_REFUSALS_BEFORE_DROP) ctx.drop('rate-limited');
    ack?.({ ok: false, error: { code: 'rate-limited', message: 'too many requests from this terminal; slow down' } });
    return;
  }
  if (!isClientEventName(event)) {
    log.warn({ event: 'terminal.message.refused', name: String(event).slice(0, 64), reason: 'unknown-event' });
    deps.metrics.refusals.inc({ event: 'unknown', reason: 'unknown-event' });
    ack?.({ ok: false, error: { code: 'unknown-event', message: `no event ${JSON.stringify(String(event).slice(0, 64))}` } });
    return;
  }
  if (!ack) {
    log.warn({ event: 'terminal.message.refused', name: event, reason: 'no-ack' });
    deps.metrics.requests.inc({ event, outcome: 'no-ack' });
    return;
  }
  const failed = (error: unknown): Reply<unknown> => {
    log.error({ event: 'terminal.message.failed', name: event, err: error });
    return { ok: false, error: { code: 'internal', message: 'internal error' } };
  };
  const send = (reply: Reply<unknown>): void => {
    deps.metrics.requests.inc({ event, outcome: reply.ok ? 'ok' : reply.error.code });
    if (!reply.ok && reply.error.code !== 'internal') deps.metrics.refusals.inc({ event, reason: reply.error.reason ?? reply.error.code });
    ack(reply);
    // The answer is written to the socket: the last step the chaos run kills the server at.
    log.debug({ event: 'gateway.answered', name: event, ok: reply.ok });
  };
  let reply: Reply<unknown> | Promise<Reply<unknown>>;
  try {
    reply = answer(ctx, event, args[0]);
  } catch (error) {
    reply = failed(error);
  }
  if (reply instanceof Promise) reply.then(send, (error: unknown) => send(failed(error)));
  else send(reply);
}

function answer<E extends ClientEventName>(ctx: HandlerContext, event: E, payload: unknown): Reply<unknown> | Promise<Reply<unknown>> {
  const parsed = parseClientRequest(event, payload);
  if (!parsed.ok) return parsed;
  return (HANDLERS[event] as (ctx: HandlerContext, request: unknown) => Reply<unknown> | Promise<Reply<unknown>>)(ctx, parsed.data);
}

/** Pushes to connected terminals what the county changed (issue 11 section 6). */
function pushers(deps: GatewayDeps, sockets: Map<string, TerminalSocket>) {
  const config = (terminalId: string): void => {
    const socket = sockets.get(terminalId);
    if (!socket) return;
    try {
      socket.emit('kiosk.config', deps.kiosk.config(deps.fleet.site(terminalId)));
    } catch (error) {
      deps.logger.error({ event: 'kiosk.config_failed', terminalId, err: error });
    }
  };
  return {
    config,
    village: (villageCode: string): void => {
      for (const terminalId of sockets.keys()) if (deps.fleet.site(terminalId).villageCode === villageCode) config(terminalId);
    },
    offers: (terminalIds: string[]): void => {
      for (const terminalId of terminalIds) {
        const socket = sockets.get(terminalId);
        const offer = socket && deps.updates.rollouts.offerFor(terminalId);
        if (socket && offer) socket.emit('update.offer', offer);
      }
    },
    withdraw: (rolloutId: string, terminalIds: string[]): void => {
      for (const terminalId of terminalIds) sockets.get(terminalId)?.emit('update.withdraw', { v: PROTOCOL_VERSION, rolloutId, reason: 'halted' });
    },
    settled: (terminalId: string, eventId: string): void => {
      const halt = deps.fleet.halt(terminalId, eventId);
      if (halt?.settledAt) sockets.get(terminalId)?.emit('outbox.settled', { v: PROTOCOL_VERSION, eventId, settledBy: halt.settledBy ?? '', note: halt.note ?? '' });
    },
  };
}
