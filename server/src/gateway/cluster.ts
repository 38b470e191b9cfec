// Several gateway processes as one (issue 15 section 3). Each process holds
// the socket.io connections of some terminals; what the office changes
// (ServerChanges: a village's data, a terminal's site, a revocation, an update
// offer, a settled outbox halt) is emitted in whichever process served the
// office's request, and must reach the process that holds the terminal.
//
// The transport is socket.io's own cluster adapter over PostgreSQL
// (`@socket.io/postgres-adapter`: LISTEN/NOTIFY on the database the gateways
// already share, so a province needs no message broker). Each change is sent
// to the other processes with `serverSideEmit` and emitted again on their
// ServerChanges, where the gateway's pushers (gateway/index.ts) find the
// terminal if it is theirs. A change received from another process is not
// sent on again (`#relaying`).
//
// What is not sent this way: money. Every money event is committed to the
// shared database before it is answered; the relay carries only "look
// again" notices, and a lost notice is repaired by the terminal's next
// connection (which is pushed its config, offers and settled halts) and by
// the revocation check each gateway runs over the database
// (REVOCATION_CHECK_INTERVAL_MS).
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { Server } from 'socket.io';
import type { Logger } from 'pino';
import { createAdapter } from '@socket.io/postgres-adapter';
import { CHANGE_NAMES, isChangeName, type ChangeName, type ServerChanges } from '../shared/changes.js';

/** The server-side event that carries a change between gateway processes. */
export const CLUSTER_CHANGE_EVENT = 'nongbao:change';
/** PostgreSQL NOTIFY channel prefix of the adapter. */
export const CLUSTER_CHANNEL_PREFIX = 'nongbao_gateway';
/** Payloads over NOTIFY's limit go through this table (the adapter's design); changes are a few ids, far below it. */
export const CLUSTER_ATTACHMENTS_TABLE = 'gateway_cluster_attachments';
/** Connections the adapter keeps to PostgreSQL per gateway process (one listens, the others publish). */
export const CLUSTER_POOL_SIZE = 4;
/** A process that has not been heard from within this is taken as gone (the adapter's heartbeat). */
export const CLUSTER_HEARTBEAT_TIMEOUT_MS = 10_000;
/** The process listens to the other gateways within this, or does not start. */
export const CLUSTER_JOIN_TIMEOUT_MS = 15_000;
const CLUSTER_JOIN_POLL_MS = 20;
/** Ids one change carries at most (an update offer to a rollout's terminals). */
export const CLUSTER_CHANGE_IDS_LIMIT = 50_000;

export interface GatewayCluster {
  /** Changes sent to and received from other gateway processes since the start. */
  readonly stats: { sent: number; received: number; refused: number };
  close(): Promise<void>;
}

/**
 * Waits until the adapter's listening connection has run its LISTEN: a change
 * another gateway sends after this returns is heard. The adapter starts
 * listening in the background and says nothing when it is done; the server's
 * own view of its sessions does.
 */
async function listening(pool: pg.Pool, applicationName: string): Promise<void> {
  const deadline = Date.now() + CLUSTER_JOIN_TIMEOUT_MS;
  for (;;) {
    const { rowCount } = await pool.query(
      `SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN "${CLUSTER_CHANNEL_PREFIX}#%'`,
      [applicationName],
    );
    if ((rowCount ?? 0) > 0) return;
    if (Date.now() > deadline) throw new Error(`the gateway cluster did not start listening on PostgreSQL within ${CLUSTER_JOIN_TIMEOUT_MS} ms`);
    await sleep(CLUSTER_JOIN_POLL_MS);
  }
}

/** The arguments of a received change, checked: strings, or one list of strings. */
function validArgs(args: unknown): args is (string | string[])[] {
  return (
    Array.isArray(args) &&
    args.length <= 3 &&
    args.every((a) => typeof a === 'string' || (Array.isArray(a) && a.length <= CLUSTER_CHANGE_IDS_LIMIT && a.every((x) => typeof x === 'string')))
  );
}

/**
 * Joins this process's socket.io server and change bus to the gateways
 * sharing the PostgreSQL database at `url`.
 */
export async function joinGatewayCluster(io: Server, changes: ServerChanges, options: { url: string; logger: Logger }): Promise<GatewayCluster> {
  const log = options.logger;
  // A name of its own, to see when its listening connection is in place
  // (below): its last statement is a LISTEN once every namespace's is done.
  const applicationName = `nongbao-gateway-${process.pid}-${randomBytes(4).toString('hex')}`;
  const pool = new pg.Pool({ connectionString: options.url, max: CLUSTER_POOL_SIZE, application_name: applicationName });
  pool.on('error', (error) => log.error({ event: 'cluster.pool_error', err: error }));
  await pool.query(`CREATE TABLE IF NOT EXISTS ${CLUSTER_ATTACHMENTS_TABLE} (id BIGSERIAL PRIMARY KEY, created_at TIMESTAMPTZ DEFAULT NOW(), payload BYTEA)`);
  io.adapter(
    createAdapter(pool, {
      channelPrefix: CLUSTER_CHANNEL_PREFIX,
      tableName: CLUSTER_ATTACHMENTS_TABLE,
      heartbeatTimeout: CLUSTER_HEARTBEAT_TIMEOUT_MS,
      errorHandler: (error) => log.error({ event: 'cluster.adapter_error', err: error }),
    }),
  );
  const stats = { sent: 0, received: 0, refused: 0 };
  let relaying = false;
  const forwarders = CHANGE_NAMES.map((name) => {
    const forward = (...args: unknown[]) => {
      if (relaying) return;
      stats.sent += 1;
      io.serverSideEmit(CLUSTER_CHANGE_EVENT, name, args);
    };
    changes.on(name, forward as never);
    return [name, forward] as const;
  });
  const onRelayed = (name: unknown, args: unknown) => {
    if (!isChangeName(name) || !validArgs(args)) {
      stats.refused += 1;
      log.warn({ event: 'cluster.change_refused', name: String(name).slice(0, 40) });
      return;
    }
    stats.received += 1;
    relaying = true;
    try {
      (changes.emit as (n: ChangeName, ...a: unknown[]) => boolean)(name, ...args);
    } finally {
      relaying = false;
    }
  };
  io.of('/').on(CLUSTER_CHANGE_EVENT, onRelayed);
  await listening(pool, applicationName);
  log.info({ event: 'cluster.joined', channelPrefix: CLUSTER_CHANNEL_PREFIX });
  return {
    stats,
    close: async () => {
      for (const [name, forward] of forwarders) changes.off(name, forward as never);
      io.of('/').off(CLUSTER_CHANGE_EVENT, onRelayed);
      // The adapter's listening client is released with the pool.
      await pool.end().catch((error: unknown) => log.warn({ event: 'cluster.close_failed', err: error }));
    },
  };
}
