import { describe, expect, it } from 'vitest';
import type { VisitRecord } from './faults.js';
import { causesOf, formatReport, type ChaosReport } from './report.js';
import type { Fault } from './schedule.js';

function visit(index: number, terminalId: string, fault: Fault, paymentId: string | null): VisitRecord {
  return {
    index,
    terminalId,
    citizenNumber: 'c',
    fault,
    outcome: { label: fault.kind, fired: true, detail: 'killed at somewhere' },
    result: { outcome: 'paid', reason: null, paymentId, offline: false, dueFen: 10_000, notes: [] },
    durationMs: 1,
  };
}

const visits = [
  visit(0, 'k1', { kind: 'kill-server', step: 'received' }, 'p0'),
  visit(1, 'k2', { kind: 'kill-server', step: 'committed' }, 'p1'),
  visit(2, 'k1', { kind: 'duplicate' }, 'p2'),
  visit(3, 'k1', { kind: 'kill-terminal', step: 'stacked', note: 1 }, 'p3'),
  visit(4, 'k2', { kind: 'kill-terminal', step: 'sent', note: 1 }, 'p4'),
  visit(5, 'k1', { kind: 'none' }, 'p5'),
];

describe('the chaos report', () => {
  it("names the visits of a violation's payments", () => {
    expect(causesOf({ check: 'no-payment-twice', message: '', paymentIds: ['p4'] }, visits).map((v) => v.index)).toEqual([4]);
  });

  it("names a kiosk's own kills first, then its other faults, then the server's kills elsewhere", () => {
    expect(causesOf({ check: 'cash-box-equals-journal', message: '', terminalId: 'k1', paymentIds: [] }, visits).map((v) => v.index)).toEqual([3, 0, 2, 1]);
  });

  it('prints each violation with the faults behind it, and fails', () => {
    const report: ChaosReport = {
      seed: 1,
      terminals: 2,
      payments: 6,
      digest: 'abc',
      uncovered: [],
      runDir: '/tmp/x',
      kept: true,
      visits,
      incidents: [],
      figures: { durationMs: 1_000, terminalRestarts: 2, failedTerminalStarts: 0, serverRestarts: 2, engine: 'sqlite', gateways: 1, gatewayConnections: [], proxy: { cuts: 0, answersDropped: 0, submitsDuplicated: 1, submitsHeld: 0, submitsReplayed: 1 }, notesStacked: 3, yuanStacked: 300 },
      checks: [{ name: 'no-payment-twice', title: 'no payment counted twice', passed: false, summary: '', violations: [{ check: 'no-payment-twice', message: 'money event p4 is booked 2 times', paymentIds: ['p4'] }] }],
      passed: false,
    };
    const text = formatReport(report);
    expect(text).toContain('VIOLATION no-payment-twice: money event p4 is booked 2 times');
    expect(text).toContain('after visit #4 at k2 (paid p4), kill-terminal: killed at somewhere');
    expect(text.trimEnd().split('\n').at(-1)).toMatch(/^result: FAIL/);
  });
});
