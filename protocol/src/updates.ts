// Signed updates over the gateway (issue 13 section 3): the gateway offers a
// release to a terminal (`update.offer`), may withdraw the offer when the
// rollout is halted (`update.withdraw`), and the terminal reports each step
// of it (`update.report`). The offer is only a pointer: what is installed is
// decided by the bundle's signatures on the kiosk (`@nongbao/protocol/release`),
// never by anything the server says.
import { z } from 'zod';
import { isoDateTimeSchema, uuidV7Schema, versionSchema } from './fields.js';
import { RELEASE_REFUSALS } from './release/errors.js';
import { releaseVersionSchema } from './release/version.js';
import { kioskModelSchema, PAYLOAD_BYTES_LIMIT, sha256HexSchema } from './release/manifest.js';

/** A terminal's place in a rollout, as it reports it (the server adds `waiting` and `offered`). */
export const UPDATE_REPORT_STATES = ['downloading', 'staged', 'switched', 'healthy', 'rolled-back', 'failed'] as const;
export type UpdateReportState = (typeof UPDATE_REPORT_STATES)[number];

/**
 * Why an update did not happen: a refusal of the bundle (RELEASE_REFUSALS),
 * or a step of the kiosk's: the download gave up, the offer was withdrawn,
 * the new version failed its health gate, a switch was cut short (power,
 * kill -9) and the old version came back, an installed release no longer
 * matched its bundle, the kiosk runs without a supervisor, or its disk failed.
 */
export const UPDATE_FAILURES = [
  ...RELEASE_REFUSALS,
  'download-failed',
  'withdrawn',
  'health-gate',
  'interrupted',
  'release-damaged',
  'unsupervised',
  'disk',
] as const;
export type UpdateFailure = (typeof UPDATE_FAILURES)[number];

/** The largest bundle: the payload limit plus its head. */
export const BUNDLE_BYTES_LIMIT = PAYLOAD_BYTES_LIMIT + 64 * 1024 + 12;

/** `update.offer` (gateway -> terminal): on connect and when a rollout reaches the terminal. */
export const updateOfferSchema = z.object({
  v: versionSchema,
  rolloutId: uuidV7Schema,
  version: releaseVersionSchema,
  model: kioskModelSchema,
  /** The bundle file's sha256 and size: the download is checked against them before the bundle is. */
  bundleSha256: sha256HexSchema,
  bundleSize: z.number().int().positive().max(BUNDLE_BYTES_LIMIT),
  /** Path on the gateway's HTTP port; GET with `Authorization: Bearer <token>`, `Range` honoured. */
  downloadPath: z.string().regex(/^\/updates\/v1\/bundles\/[0-9.]+$/),
  token: z.string().regex(/^[0-9a-f]{64}$/),
});
export type UpdateOffer = z.infer<typeof updateOfferSchema>;

/** `update.withdraw` (gateway -> terminal): the rollout was halted; do not switch to it. */
export const updateWithdrawSchema = z.object({
  v: versionSchema,
  rolloutId: uuidV7Schema,
  reason: z.enum(['halted']),
});
export type UpdateWithdraw = z.infer<typeof updateWithdrawSchema>;

/** `update.report` (terminal -> gateway): one step of an update; `rolloutId` null for a USB update. */
export const updateReportSchema = z
  .object({
    v: versionSchema,
    rolloutId: uuidV7Schema.nullable(),
    version: releaseVersionSchema,
    state: z.enum(UPDATE_REPORT_STATES),
    reason: z.enum(UPDATE_FAILURES).optional(),
    detail: z.string().max(300).optional(),
    downloadedBytes: z.number().int().nonnegative().optional(),
    /** The version the kiosk runs as it reports. */
    runningVersion: releaseVersionSchema,
    at: isoDateTimeSchema,
  })
  .refine((r) => (r.state === 'rolled-back' || r.state === 'failed') === (r.reason !== undefined), {
    message: 'a reason is given exactly for rolled-back and failed',
    path: ['reason'],
  });
export type UpdateReport = z.infer<typeof updateReportSchema>;
export const updateReportAckSchema = z.object({ recorded: z.boolean() });
export type UpdateReportAck = z.infer<typeof updateReportAckSchema>;
