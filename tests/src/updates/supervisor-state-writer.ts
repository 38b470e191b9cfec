// Writes a switch outcome into supervisor.json as the supervisor does, for
// tests of what reads it (the agent's reports) without running a switch.
import { readSupervisorState } from '@nongbao/terminal/updates';
import type { KioskRoot, SupervisorState, SwitchRecord } from '@nongbao/terminal/updates';
import { writeFileSync } from 'node:fs';

export function withSwitchForTest(root: KioskRoot, state: SupervisorState, record: Omit<SwitchRecord, 'seq' | 'at'>): void {
  const entry: SwitchRecord = { ...record, seq: state.nextSeq, at: new Date().toISOString() };
  const next: SupervisorState = { ...state, current: record.outcome === 'healthy' ? record.to : state.current, previous: record.outcome === 'healthy' ? record.from : state.previous, switches: [...state.switches, entry], nextSeq: state.nextSeq + 1 };
  writeFileSync(root.supervisorStatePath, JSON.stringify(next));
  if (readSupervisorState(root)?.nextSeq !== next.nextSeq) throw new Error('supervisor state not written');
}
