// The kiosk's resources for staff and the county office (issue 13 section
// 1): network link, disk space, journal size, outbox depth, clock drift
// against the server, software version, and which of them is a problem now,
// as the error register's terminal codes (protocol errors.ts).
import { statSync, statfsSync } from 'node:fs';
import { TERMINAL_ERROR_CODES, type Resources } from '@nongbao/protocol';
// Clock drift is a problem at the bound status.ts raises its alarm at (payments are dated by this clock).
import { CLOCK_DRIFT_ALARM_MS } from '../status.js';

/** Free disk below this is a problem: the journal must always be able to grow by a day's payments and the logs. */
export const DISK_LOW_BYTES = 200 * 1024 * 1024;
/** A journal beyond this is a problem: years of a village's payments fit in a few MB; this much means the outbox is not draining or rows are not pruned. */
export const JOURNAL_LARGE_BYTES = 512 * 1024 * 1024;
/** More entries than this waiting for the gateway is a problem: a day of a busy campaign is a few dozen. */
export const OUTBOX_BACKLOG_LIMIT = 500;

export interface ResourceSources {
  dataDir: string;
  journalPath: string;
  connected: () => boolean;
  lastContactAt: () => string | null;
  outbox: () => { pending: number; halted: boolean };
  clockDriftMs: () => number | null;
  softwareVersion: string;
}

function fileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function disk(dataDir: string): { freeBytes: number | null; totalBytes: number | null } {
  try {
    const fs = statfsSync(dataDir);
    return { freeBytes: fs.bavail * fs.bsize, totalBytes: fs.blocks * fs.bsize };
  } catch {
    return { freeBytes: null, totalBytes: null };
  }
}

/** The problems that hold now, as register codes, in order of what to fix first. */
export function resourceProblems(r: Omit<Resources, 'problems'>): number[] {
  const problems: number[] = [];
  if (r.outboxHalted) problems.push(TERMINAL_ERROR_CODES.outboxHalted);
  if (!r.network.connected) problems.push(TERMINAL_ERROR_CODES.serverUnreachable);
  if (r.diskFreeBytes !== null && r.diskFreeBytes < DISK_LOW_BYTES) problems.push(TERMINAL_ERROR_CODES.diskLow);
  if (r.journalBytes > JOURNAL_LARGE_BYTES) problems.push(TERMINAL_ERROR_CODES.journalLarge);
  if (r.outboxPending > OUTBOX_BACKLOG_LIMIT) problems.push(TERMINAL_ERROR_CODES.outboxBacklog);
  if (r.clockDriftMs !== null && Math.abs(r.clockDriftMs) > CLOCK_DRIFT_ALARM_MS) problems.push(TERMINAL_ERROR_CODES.clockDrift);
  return problems;
}

export function readResources(s: ResourceSources): Resources {
  const { freeBytes, totalBytes } = disk(s.dataDir);
  const outbox = s.outbox();
  const drift = s.clockDriftMs();
  const resources = {
    network: { connected: s.connected(), lastContactAt: s.lastContactAt() },
    diskFreeBytes: freeBytes,
    diskTotalBytes: totalBytes,
    journalBytes: fileBytes(s.journalPath) + fileBytes(`${s.journalPath}-wal`),
    outboxPending: outbox.pending,
    outboxHalted: outbox.halted,
    clockDriftMs: drift === null ? null : Math.round(drift),
    softwareVersion: s.softwareVersion,
  };
  return { ...resources, problems: resourceProblems(resources) };
}
