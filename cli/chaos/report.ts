// What a chaos run prints (issue 11 section 7): the seed and the schedule's
// digest, the faults injected and where each landed, the figures, each check,
// and for a violation the visits and faults behind it ("naming it and the
// step that caused it"). Text for people, JSON (--json) for scripts.
import type { CheckResult, Violation } from './checks.js';
import type { VisitRecord } from './faults.js';
import type { Schedule } from './schedule.js';

export interface RunFigures {
  durationMs: number;
  terminalRestarts: number;
  /** Terminal starts that failed (the process exited before it served, e.g. its acceptor timed out under load) and were tried again. */
  failedTerminalStarts: number;
  serverRestarts: number;
  /** The database engine the gateways shared, how many there were, and the connections the balancer handed each (several gateways only). */
  engine: 'sqlite' | 'postgres';
  gateways: number;
  gatewayConnections: number[];
  proxy: { cuts: number; answersDropped: number; submitsDuplicated: number; submitsHeld: number; submitsReplayed: number };
  notesStacked: number;
  yuanStacked: number;
}

export interface Incident {
  visit: number;
  terminalId: string;
  fault: string;
  error: string;
}

export interface ChaosReport {
  seed: number;
  terminals: number;
  payments: number;
  digest: string;
  uncovered: string[];
  runDir: string;
  /** The run folder is kept (a failed run, --keep or --data-dir); a passing run's is removed. */
  kept: boolean;
  visits: VisitRecord[];
  incidents: Incident[];
  figures: RunFigures;
  checks: CheckResult[];
  passed: boolean;
}

/**
 * The visits (and their faults) behind a violation: those of its payments;
 * else, for a kiosk, its own kills first, then its other faults, then the
 * server's kills; else every fault.
 */
export function causesOf(violation: Violation, visits: readonly VisitRecord[]): VisitRecord[] {
  const byPayment = visits.filter((v) => v.result.paymentId !== null && violation.paymentIds.includes(v.result.paymentId));
  if (byPayment.length > 0) return byPayment;
  const faulted = visits.filter((v) => v.fault.kind !== 'none');
  if (!violation.terminalId) return faulted;
  const here = faulted.filter((v) => v.terminalId === violation.terminalId);
  return [
    ...here.filter((v) => v.fault.kind === 'kill-terminal'),
    ...here.filter((v) => v.fault.kind !== 'kill-terminal'),
    ...faulted.filter((v) => v.terminalId !== violation.terminalId && v.fault.kind === 'kill-server'),
  ];
}

function describeVisit(v: VisitRecord): string {
  const fault = v.fault.kind === 'none' ? 'no fault' : `${v.outcome.label}${v.outcome.detail ? `: ${v.outcome.detail}` : ''}`;
  return `visit #${v.index} at ${v.terminalId} (${v.result.outcome}${v.result.paymentId ? ` ${v.result.paymentId}` : ''}), ${fault}`;
}

function outcomes(visits: readonly VisitRecord[]): string {
  const count = (pred: (v: VisitRecord) => boolean) => visits.filter(pred).length;
  return [
    `paid ${count((v) => v.result.outcome === 'paid')} (offline ${count((v) => v.result.outcome === 'paid' && v.result.offline)})`,
    `short ${count((v) => v.result.outcome === 'short')}`,
    `interrupted by a kill ${count((v) => v.result.outcome === 'interrupted')}`,
    `no payment ${count((v) => v.result.outcome === 'no-payment')}`,
  ].join(', ');
}

export function formatReport(r: ChaosReport): string {
  const lines: string[] = [];
  const f = r.figures;
  lines.push(`nongbao chaos: seed ${r.seed}, ${r.terminals} terminal(s), ${r.payments} payment(s); schedule ${r.digest}`);
  lines.push(`run folder: ${r.runDir}${r.kept ? '' : ' (removed: the run passed; --keep keeps it)'}`);
  const faulted = r.visits.filter((v) => v.fault.kind !== 'none');
  lines.push(`faults: ${faulted.length} planned, ${faulted.filter((v) => v.outcome.fired).length} happened`);
  for (const v of faulted) {
    lines.push(`  #${String(v.index).padStart(3, '0')} ${v.terminalId}  ${v.outcome.label.padEnd(44)} ${v.outcome.fired ? 'happened' : 'did not happen'}${v.outcome.detail ? `: ${v.outcome.detail}` : ''}`);
  }
  if (r.uncovered.length > 0) lines.push(`  not planned (too few payments): ${r.uncovered.join('; ')}`);
  lines.push(`visits: ${r.visits.length}: ${outcomes(r.visits)}`);
  if (f.gateways > 1) lines.push(`gateways: ${f.gateways} on ${f.engine} behind a balancer; connections handed to each: ${f.gatewayConnections.join(', ')}`);
  lines.push(`cash: ${f.notesStacked} notes, ${f.yuanStacked} yuan stacked by ${r.terminals} acceptor(s)`);
  lines.push(
    `restarts after kill -9: terminals ${f.terminalRestarts}, ${f.gateways > 1 ? 'gateways' : 'server'} ${f.serverRestarts}${f.failedTerminalStarts ? ` (and ${f.failedTerminalStarts} terminal start(s) that failed and were tried again)` : ''}; network: ${f.proxy.cuts} connection(s) cut, ` +
      `${f.proxy.answersDropped} answer(s) lost, ${f.proxy.submitsDuplicated} batch(es) duplicated, ${f.proxy.submitsHeld} held, ${f.proxy.submitsReplayed} replayed late`,
  );
  for (const i of r.incidents) lines.push(`INCIDENT visit #${i.visit} at ${i.terminalId} (${i.fault}): ${i.error}`);
  lines.push('checks:');
  for (const c of r.checks) {
    lines.push(`  ${c.passed ? 'ok  ' : 'FAIL'} ${c.title} (${c.summary})`);
    for (const v of c.violations) {
      lines.push(`       VIOLATION ${c.name}: ${v.message}`);
      for (const cause of causesOf(v, r.visits).slice(0, 5)) lines.push(`         after ${describeVisit(cause)}`);
    }
  }
  lines.push(`result: ${r.passed ? 'PASS' : 'FAIL'} in ${(f.durationMs / 1000).toFixed(0)} s`);
  return `${lines.join('\n')}\n`;
}

export function reportJson(r: ChaosReport): string {
  const checks = r.checks.map((c) => ({ ...c, violations: c.violations.map((v) => ({ ...v, causes: causesOf(v, r.visits).map(describeVisit) })) }));
  return `${JSON.stringify({ ...r, checks }, null, 2)}\n`;
}
