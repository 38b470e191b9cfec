// The fleet (issue 11 section 6): what a connected terminal reports, and
// what the gateway pushes to it when the county changes it.
import { z } from 'zod';
import { STATUS_ALARMS_LIMIT } from './constants.js';
import { fenSchema, isoDateTimeSchema, uuidV7Schema, versionSchema } from './fields.js';

/** XFS4IoT's common device states (drivers/device/types.ts), plus `unknown` and `absent`. */
export const DEVICE_STATES = ['online', 'offline', 'hardwareError', 'userError', 'busy', 'fraudAttempt', 'starting', 'unknown', 'absent'] as const;

export const deviceStatusSchema = z.object({
  name: z.string().max(40),
  state: z.enum(DEVICE_STATES),
  detail: z.string().max(200),
  /** The printer's paper (issue 13: "printer incl. paper"); absent for other devices. */
  paper: z.enum(['ok', 'nearEnd', 'out', 'unknown']).optional(),
});
export type DeviceStatus = z.infer<typeof deviceStatusSchema>;

/** Alarm codes a kiosk raises; `outbox-halted` names the entry the outbox stopped at. */
export const ALARM_CODES = ['outbox-halted', 'certification-refused', 'request-refused', 'device-fault', 'unattributed-cash', 'offline-limit-reached', 'clock-drift'] as const;
export type AlarmCode = (typeof ALARM_CODES)[number];

export const alarmSchema = z.object({
  code: z.enum(ALARM_CODES),
  message: z.string().max(300),
  since: isoDateTimeSchema,
  /** The outbox entry concerned, for outbox alarms. */
  eventId: uuidV7Schema.optional(),
});
export type Alarm = z.infer<typeof alarmSchema>;

/**
 * The kiosk's resources (issue 13 section 1): what staff see on the devices
 * screen and the county office in its fleet view. `problems` are the error
 * register's codes (protocol errors.ts, terminal range) that hold now.
 */
export const resourcesSchema = z.object({
  network: z.object({ connected: z.boolean(), lastContactAt: isoDateTimeSchema.nullable() }),
  diskFreeBytes: z.number().int().nonnegative().nullable(),
  diskTotalBytes: z.number().int().nonnegative().nullable(),
  journalBytes: z.number().int().nonnegative(),
  outboxPending: z.number().int().nonnegative(),
  outboxHalted: z.boolean(),
  /** The kiosk's clock minus the server's at the last status report, ms; null before one. */
  clockDriftMs: z.number().int().nullable(),
  softwareVersion: z.string().max(40),
  problems: z.array(z.number().int().min(1000).max(9999)).max(20),
});
export type Resources = z.infer<typeof resourcesSchema>;

/** Errors kept in the kiosk's recent-errors list: a registered code, where it came from, when, how often in a row. */
export const RECENT_ERRORS_LIMIT = 20;
export const recentErrorSchema = z.object({
  code: z.number().int().min(1000).max(9999),
  /** A device name, `terminal`, `gateway` or `selfTest`. */
  source: z.string().max(40),
  at: isoDateTimeSchema,
  count: z.number().int().positive(),
  /** For logs and the office; staff read the register's words for `code`. */
  detail: z.string().max(200),
});
export type RecentError = z.infer<typeof recentErrorSchema>;

/** `terminal.status`: sent on connect and every STATUS_REPORT_INTERVAL_MS. */
export const terminalStatusSchema = z.object({
  v: versionSchema,
  softwareVersion: z.string().max(40),
  devices: z.array(deviceStatusSchema).max(20),
  outbox: z.object({ pending: z.number().int().nonnegative(), halted: z.boolean() }),
  alarms: z.array(alarmSchema).max(STATUS_ALARMS_LIMIT),
  lastError: z.string().max(300).nullable(),
  /** Since issue 13: resources and recent errors (absent from older terminals). */
  resources: resourcesSchema.optional(),
  recentErrors: z.array(recentErrorSchema).max(RECENT_ERRORS_LIMIT).optional(),
  /** The terminal's clock when it sent this (for clock drift). */
  sentAt: isoDateTimeSchema,
});
export type TerminalStatus = z.infer<typeof terminalStatusSchema>;
export const statusAckSchema = z.object({ serverTime: isoDateTimeSchema });
export type StatusAck = z.infer<typeof statusAckSchema>;

/**
 * Cash a kiosk may take while the gateway is unreachable, since its last
 * successful sync (issue 11 section 5). Set per kiosk by the county.
 */
export const offlineLimitsSchema = z.object({
  amountFen: fenSchema.nonnegative(),
  payments: z.number().int().nonnegative().max(10_000),
});
export type OfflineLimits = z.infer<typeof offlineLimitsSchema>;

/**
 * The limits of a kiosk the county set none for: a village service point
 * takes a few dozen payments a day in a campaign, so 100 payments or 30 000
 * yuan covers days without network, while bounding what one stolen or broken
 * kiosk could claim.
 */
export const DEFAULT_OFFLINE_LIMITS: OfflineLimits = Object.freeze({ amountFen: 3_000_000, payments: 100 });

/** `kiosk.config` (server -> terminal): pushed on connect and whenever the county changes it; cached for offline use. */
export const kioskConfigSchema = z.object({
  v: versionSchema,
  /** Increases with every change; a terminal keeps the highest it has seen. */
  revision: z.number().int().nonnegative(),
  village: z.object({
    code: z.string().max(32),
    name: z.string().max(64),
    /** The village agent residents can call for help. */
    agentName: z.string().max(64).nullable(),
    agentPhone: z.string().max(32).nullable(),
  }).nullable(),
  location: z.string().max(200).nullable(),
  offlineLimits: offlineLimitsSchema,
  /** The contribution tiers in force and what each is credited with (POLICY.md "Contributions"). */
  tiers: z.array(z.object({ tierYuan: z.number().int().positive(), subsidyFen: fenSchema })).max(50),
  /**
   * The server's X25519 public key (raw 32 bytes, base64url) that kiosks seal
   * proof-of-life photos with (money.ts `sealedPhotoSchema`): only the server
   * can read them. Null before the server has one.
   */
  photoKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'a raw X25519 public key, base64url').nullable().default(null),
});
export type KioskConfig = z.infer<typeof kioskConfigSchema>;

/** `outbox.settled` (server -> terminal): an operator settled the entry the outbox stopped at; it goes on. */
export const outboxSettledSchema = z.object({
  v: versionSchema,
  eventId: uuidV7Schema,
  settledBy: z.string().max(64),
  note: z.string().max(500),
});
export type OutboxSettled = z.infer<typeof outboxSettledSchema>;
