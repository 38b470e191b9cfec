// A terminal's place in a rollout (issue 13 section 3) and how it may move:
//   waiting -> offered -> downloading -> staged -> switched -> healthy | rolled-back
//   and failed from any step before the end.
// `waiting`: chosen, but in the second wave, not offered yet. The terminal
// reports the steps after `offered`; a report may be lost (the network), so
// a step may be skipped, but never taken back, and an end is final.
// The canary share is picked by hash, so it does not depend on the order
// terminals were listed in and cannot be steered by naming them.
import { createHash } from 'node:crypto';
import type { UpdateReportState } from '@nongbao/protocol';

export const ROLLOUT_TERMINAL_STATES = ['waiting', 'offered', 'downloading', 'staged', 'switched', 'healthy', 'rolled-back', 'failed'] as const;
export type RolloutTerminalState = (typeof ROLLOUT_TERMINAL_STATES)[number];

const RANK: Record<RolloutTerminalState, number> = {
  waiting: 0,
  offered: 1,
  downloading: 2,
  staged: 3,
  switched: 4,
  healthy: 5,
  'rolled-back': 5,
  failed: 5,
};

export function isFinal(state: RolloutTerminalState): boolean {
  return RANK[state] === 5;
}

/** Whether a terminal in `from` may report `to` (a repeated `downloading` updates its progress). */
export function mayMove(from: RolloutTerminalState, to: UpdateReportState): boolean {
  if (from === 'waiting' || isFinal(from)) return false;
  if (from === 'downloading' && to === 'downloading') return true;
  return RANK[to] > RANK[from];
}

/** The canary share of `terminalIds`: at least one, `percent` of them rounded up, chosen by hash. */
export function pickCanaries(rolloutId: string, terminalIds: readonly string[], percent: number): Set<string> {
  const count = Math.min(terminalIds.length, Math.max(1, Math.ceil((terminalIds.length * percent) / 100)));
  const ranked = [...terminalIds].sort((a, b) => {
    const ha = createHash('sha256').update(`${rolloutId}|${a}`).digest('hex');
    const hb = createHash('sha256').update(`${rolloutId}|${b}`).digest('hex');
    return ha < hb ? -1 : ha > hb ? 1 : 0;
  });
  return new Set(ranked.slice(0, count));
}
