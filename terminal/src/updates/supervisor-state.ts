// What the supervisor keeps in state/supervisor.json: the release that runs,
// the one before it, a switch in progress, the highest version ever started
// and the last switches' outcomes. Every change is one atomic write, so a
// kill -9 at any moment leaves one of two consistent states: a switch whose
// trial is recorded but not concluded is rolled back at the next start.
import { z } from 'zod';
import { UPDATE_FAILURES, isoDateTimeSchema, releaseVersionSchema, uuidV7Schema, compareVersions } from '@nongbao/protocol';
import { readJsonFile, writeJsonAtomic } from './json-file.js';
import type { KioskRoot } from './layout.js';

/** Switch outcomes kept for the agent to report (it reports each once). */
export const SWITCH_HISTORY_LIMIT = 20;

export const switchRecordSchema = z.strictObject({
  seq: z.number().int().positive(),
  from: releaseVersionSchema,
  to: releaseVersionSchema,
  rolloutId: uuidV7Schema.nullable(),
  outcome: z.enum(['healthy', 'rolled-back', 'failed']),
  reason: z.enum(UPDATE_FAILURES).nullable(),
  detail: z.string().max(300),
  at: isoDateTimeSchema,
});
export type SwitchRecord = z.infer<typeof switchRecordSchema>;

export const supervisorStateSchema = z.strictObject({
  current: releaseVersionSchema,
  previous: releaseVersionSchema.nullable(),
  /**
   * The highest version this kiosk ever started: no bundle at or below it is
   * installed again, however validly signed (issue 13 section 3). Raised when a
   * trial starts, before any of its code runs.
   */
  highestTrusted: releaseVersionSchema,
  trial: z
    .strictObject({
      version: releaseVersionSchema,
      from: releaseVersionSchema,
      rolloutId: uuidV7Schema.nullable(),
      startedAt: isoDateTimeSchema,
    })
    .nullable(),
  /** The release process last started, so one left behind by a killed supervisor can be stopped. */
  childPid: z.number().int().positive().nullable(),
  switches: z.array(switchRecordSchema).max(SWITCH_HISTORY_LIMIT),
  nextSeq: z.number().int().positive(),
});
export type SupervisorState = z.infer<typeof supervisorStateSchema>;

export function readSupervisorState(root: KioskRoot): SupervisorState | undefined {
  return readJsonFile(root.supervisorStatePath, supervisorStateSchema);
}

export function writeSupervisorState(root: KioskRoot, state: SupervisorState): void {
  writeJsonAtomic(root.supervisorStatePath, supervisorStateSchema.parse(state));
}

/** The state of a freshly installed kiosk running `version`. */
export function initialState(version: string): SupervisorState {
  return { current: version, previous: null, highestTrusted: version, trial: null, childPid: null, switches: [], nextSeq: 1 };
}

/** Adds a switch outcome to the history (the oldest drops out past the limit). */
export function withSwitch(state: SupervisorState, record: Omit<SwitchRecord, 'seq' | 'at'>, at = new Date()): SupervisorState {
  const entry: SwitchRecord = { ...record, detail: record.detail.slice(0, 300), seq: state.nextSeq, at: at.toISOString() };
  return { ...state, switches: [...state.switches, entry].slice(-SWITCH_HISTORY_LIMIT), nextSeq: state.nextSeq + 1 };
}

/** The version a new bundle must be above: the running one and every version ever started. */
export function versionFloor(state: SupervisorState): string {
  return compareVersions(state.current, state.highestTrusted) >= 0 ? state.current : state.highestTrusted;
}
