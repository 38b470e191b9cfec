// The event maps in both directions: each client event with its request
// schema, its reply's data schema and its deadline; each server event with
// its payload schema. Both ends use these tables: the gateway to check what
// arrives, the terminal to type its requests and check the replies, and a
// test to check that docs/protocol.md documents every event.
import type { z } from 'zod';
import { OUTBOX_REQUEST_TIMEOUT_MS, REQUEST_TIMEOUT_MS, SUPPORTED_VERSIONS } from './constants.js';
import { accountSummaryRequestSchema, accountSummarySchema, publicityListSchema, publicityRequestSchema } from './account.js';
import { cardAuthenticateRequestSchema, cardAuthenticateResultSchema } from './card.js';
import { kioskConfigSchema, outboxSettledSchema, statusAckSchema, terminalStatusSchema } from './fleet.js';
import { outboxResultSchema, outboxSubmitSchema } from './money.js';
import { updateOfferSchema, updateReportAckSchema, updateReportSchema, updateWithdrawSchema } from './updates.js';
import { describeZodError, replySchema, type ProtocolError, type Reply } from './replies.js';

interface ClientEventSpec {
  request: z.ZodType;
  data: z.ZodType;
  /** The terminal's deadline for the reply. */
  timeoutMs: number;
}

/** Terminal -> gateway requests; each gets exactly one reply. */
export const CLIENT_EVENTS = {
  'account.summary': { request: accountSummaryRequestSchema, data: accountSummarySchema, timeoutMs: REQUEST_TIMEOUT_MS },
  'publicity.list': { request: publicityRequestSchema, data: publicityListSchema, timeoutMs: REQUEST_TIMEOUT_MS },
  'card.authenticate': { request: cardAuthenticateRequestSchema, data: cardAuthenticateResultSchema, timeoutMs: REQUEST_TIMEOUT_MS },
  'outbox.submit': { request: outboxSubmitSchema, data: outboxResultSchema, timeoutMs: OUTBOX_REQUEST_TIMEOUT_MS },
  'terminal.status': { request: terminalStatusSchema, data: statusAckSchema, timeoutMs: REQUEST_TIMEOUT_MS },
  'update.report': { request: updateReportSchema, data: updateReportAckSchema, timeoutMs: REQUEST_TIMEOUT_MS },
} as const satisfies Record<string, ClientEventSpec>;

export type ClientEventName = keyof typeof CLIENT_EVENTS;
/** What a terminal sends for an event. */
export type RequestOf<E extends ClientEventName> = z.input<(typeof CLIENT_EVENTS)[E]['request']>;
/** What the gateway has after checking it. */
export type ParsedRequestOf<E extends ClientEventName> = z.output<(typeof CLIENT_EVENTS)[E]['request']>;
/** The reply's data. */
export type DataOf<E extends ClientEventName> = z.output<(typeof CLIENT_EVENTS)[E]['data']>;

export type ClientToServerEvents = {
  [E in ClientEventName]: (request: RequestOf<E>, ack: (reply: Reply<DataOf<E>>) => void) => void;
};

/** Gateway -> terminal pushes; no reply. */
export const SERVER_EVENTS = {
  'kiosk.config': kioskConfigSchema,
  'outbox.settled': outboxSettledSchema,
  'update.offer': updateOfferSchema,
  'update.withdraw': updateWithdrawSchema,
} as const satisfies Record<string, z.ZodType>;

export type ServerEventName = keyof typeof SERVER_EVENTS;
export type ServerPayloadOf<E extends ServerEventName> = z.output<(typeof SERVER_EVENTS)[E]>;
export type ServerToClientEvents = {
  [E in ServerEventName]: (payload: ServerPayloadOf<E>) => void;
};

export function isClientEventName(name: unknown): name is ClientEventName {
  return typeof name === 'string' && Object.hasOwn(CLIENT_EVENTS, name);
}

export function isServerEventName(name: unknown): name is ServerEventName {
  return typeof name === 'string' && Object.hasOwn(SERVER_EVENTS, name);
}

/**
 * Checks a request at the gateway's edge: a message of another version gets
 * `unsupported-version` (never a generic `bad-request`), one that fails its
 * schema `bad-request` naming the field.
 */
export function parseClientRequest<E extends ClientEventName>(event: E, payload: unknown): { ok: true; data: ParsedRequestOf<E> } | { ok: false; error: ProtocolError } {
  const version = typeof payload === 'object' && payload !== null ? (payload as { v?: unknown }).v : undefined;
  if (typeof version === 'number' && !SUPPORTED_VERSIONS.includes(version)) {
    return { ok: false, error: { code: 'unsupported-version', message: `protocol version ${version} is not supported (supported: ${SUPPORTED_VERSIONS.join(', ')})` } };
  }
  const parsed = CLIENT_EVENTS[event].request.safeParse(payload);
  if (!parsed.success) return { ok: false, error: { code: 'bad-request', message: describeZodError(parsed.error) } };
  return { ok: true, data: parsed.data as ParsedRequestOf<E> };
}

/** The schema a terminal checks a reply with. */
export function replySchemaOf<E extends ClientEventName>(event: E) {
  return replySchema(CLIENT_EVENTS[event].data);
}

/** Checks a server push at the terminal's edge. */
export function parseServerEvent<E extends ServerEventName>(event: E, payload: unknown): { ok: true; data: ServerPayloadOf<E> } | { ok: false; message: string } {
  const parsed = SERVER_EVENTS[event].safeParse(payload);
  return parsed.success ? { ok: true, data: parsed.data as ServerPayloadOf<E> } : { ok: false, message: describeZodError(parsed.error) };
}
