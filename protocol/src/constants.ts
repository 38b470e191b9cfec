// Versions, namespaces, deadlines and limits of the terminal <-> gateway
// protocol (STYLE.md: "put a limit on everything"; every wait has a deadline).

/** The protocol version this code speaks; every message carries it as `v`. */
export const PROTOCOL_VERSION = 1;
/** Versions a gateway answers; anything else gets `unsupported-version`. */
export const SUPPORTED_VERSIONS: readonly number[] = [PROTOCOL_VERSION];
/** socket.io namespace the terminals connect to; it is the gateway's only namespace. */
export const TERMINAL_NAMESPACE = '/terminal';

/** How far a terminal's clock may be from the server's when it authenticates. */
export const AUTH_CLOCK_SKEW_LIMIT_MS = 5 * 60_000;
/** Default deadline for a request from the terminal (account, card, publicity). */
export const REQUEST_TIMEOUT_MS = 10_000;
/** Deadline for one outbox batch: the gateway commits it before answering. */
export const OUTBOX_REQUEST_TIMEOUT_MS = 20_000;
/** socket.io's per-message size limit on the gateway. */
export const MAX_MESSAGE_BYTES = 64 * 1024;
/** Money events one outbox request carries at most, in journal order. */
export const OUTBOX_BATCH_LIMIT = 100;
/**
 * Bytes of events one outbox request carries at most (JSON), well inside
 * MAX_MESSAGE_BYTES: a proof-of-life photo makes one event tens of KiB, so a
 * batch is cut by size as well as by count.
 */
export const OUTBOX_BATCH_BYTES_LIMIT = 48 * 1024;
/** How often a connected terminal reports its status (devices, outbox, alarms). */
export const STATUS_REPORT_INTERVAL_MS = 30_000;
/** Alarms one status report carries at most. */
export const STATUS_ALARMS_LIMIT = 50;
