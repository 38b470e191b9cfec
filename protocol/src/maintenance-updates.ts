// The staff's local API for software updates (issue 13 section 3), under
// /api/staff/updates on the kiosk's 127.0.0.1 API: what the kiosk runs and
// what it is doing about an update, and an update from a USB stick for a
// village without network. Staff only (a staff card with its PIN in the
// reader); the staff screens that use it are drawn with the staff shell.
import { z } from 'zod';
import { isoDateTimeSchema } from './fields.js';
import { releaseVersionSchema } from './release/version.js';
import { UPDATE_FAILURES } from './updates.js';

export const STAFF_UPDATE_ROUTES = {
  status: { method: 'GET', path: '/api/staff/updates' },
  usb: { method: 'POST', path: '/api/staff/updates/usb' },
} as const;

/** Why a staff update request is refused (HTTP 409, or 403 for `staff-only`). */
export const STAFF_UPDATE_REFUSALS = ['staff-only', 'unsupervised', 'update-in-progress', 'not-a-folder', 'no-bundles'] as const;
export type StaffUpdateRefusal = (typeof STAFF_UPDATE_REFUSALS)[number];

export const UPDATE_JOB_PHASES = ['downloading', 'staging', 'waiting-for-session-end', 'switching'] as const;

export const updateStatusSchema = z.object({
  /** False when the terminal runs without a supervisor: it cannot switch versions. */
  supervised: z.boolean(),
  runningVersion: releaseVersionSchema,
  previousVersion: releaseVersionSchema.nullable(),
  /** No bundle at or below this version is installed again. */
  highestTrusted: releaseVersionSchema.nullable(),
  job: z
    .object({
      rolloutId: z.string().nullable(),
      version: releaseVersionSchema,
      phase: z.enum(UPDATE_JOB_PHASES),
      downloadedBytes: z.number().int().nonnegative(),
      totalBytes: z.number().int().nonnegative(),
    })
    .nullable(),
  lastSwitch: z
    .object({ from: releaseVersionSchema, to: releaseVersionSchema, outcome: z.enum(['healthy', 'rolled-back', 'failed']), reason: z.enum(UPDATE_FAILURES).nullable(), detail: z.string(), at: isoDateTimeSchema })
    .nullable(),
});
export type UpdateStatus = z.infer<typeof updateStatusSchema>;

/** `POST /api/staff/updates/usb`: the folder of the mounted stick; every `*.nbundle` in it is examined. */
export const usbUpdateBodySchema = z.strictObject({ folder: z.string().min(1).max(500).startsWith('/') });

export const usbUpdateResultSchema = z.object({
  /** The version staged (the highest that passed every check); it starts when the staff card comes out. */
  staged: releaseVersionSchema.nullable(),
  bundles: z.array(
    z.object({
      file: z.string(),
      version: releaseVersionSchema.nullable(),
      result: z.union([z.literal('staged'), z.literal('not-tried'), z.enum(UPDATE_FAILURES)]),
      detail: z.string(),
    }),
  ),
});
export type UsbUpdateResult = z.infer<typeof usbUpdateResultSchema>;
