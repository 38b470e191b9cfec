// Each planned visit with its fault (issue 11 section 7): the crash point is
// armed or the proxy set before the step it concerns, the visit runs, the
// killed process is started again, the network healed, and the visit's money
// is followed until the kiosk's journal holds the gateway's answer for it.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DemoResident } from '@nongbao/server';
import type { CountyServer } from './county-server.js';
import type { Gateways } from './gateways.js';
import type { CrashPoint } from './crash-point.js';
import type { Kiosk } from './kiosk.js';
import { unsettledPayments } from './journal-reader.js';
import { waitForLine, type ChaosProcess, type LogLine } from './processes.js';
import type { Prng } from './prng.js';
import { NOTE_STEPS, faultLabel, type Fault, type PlannedVisit, type ServerStep, type TerminalStep } from './schedule.js';
import { runVisit, type VisitPlan, type VisitResult } from './visit.js';

/** A process confirms an armed crash point within this. */
export const ARM_TIMEOUT_MS = 10_000;
/** After the visit, a planned kill that has not happened yet (a step of the delivery) has this long to happen. */
export const FAULT_FIRE_TIMEOUT_MS = 20_000;
/** A visit's money reaches the ledger and its answer the journal within this, faults healed. */
export const SETTLE_TIMEOUT_MS = 90_000;
/** A step of a fault that waits on the other side (a batch committed, a retry, a disconnection). */
export const FAULT_STEP_TIMEOUT_MS = 30_000;
const SETTLE_POLL_MS = 200;

/** The chaos terminals' deadlines (entries.ts defaults), which the faults time themselves by. */
export interface TerminalTimings {
  requestTimeoutMs: number;
  outboxRetryIntervalMs: number;
}

export interface RunContext {
  gateways: Gateways;
  residents: readonly DemoResident[];
  rng: Prng;
  timings: TerminalTimings;
}

export interface FaultOutcome {
  label: string;
  /** The fault happened as planned (the process died at the step, the proxy acted). */
  fired: boolean;
  detail: string;
}

export interface VisitRecord {
  index: number;
  terminalId: string;
  citizenNumber: string;
  fault: Fault;
  outcome: FaultOutcome;
  result: VisitResult;
  durationMs: number;
}

/** Terminal steps of the delivery, which the outbox reaches after the resident has left. */
const DELIVERY_STEPS: readonly TerminalStep[] = ['sent', 'acknowledged'];

/** The log line each terminal step is, and what else it must say. */
export const TERMINAL_CRASH_POINTS: Record<TerminalStep, Omit<CrashPoint, 'nth'>> = {
  escrowed: { event: 'payment.note_escrowed', match: {} },
  journalled: { event: 'payment.note_journaled', match: {} },
  stacked: { event: 'bill.routed', match: { decision: 'stack' } },
  credited: { event: 'payment.note_stacked', match: {} },
  committed: { event: 'payment.completed', match: {} },
  printed: { event: 'payment.receipt_printed', match: {} },
  sent: { event: 'uplink.request_sent', match: { name: 'outbox.submit' } },
  acknowledged: { event: 'outbox.reply_received', match: {} },
};

/** The gateway's log line for each server step: the nth batch of `terminalId` (of any terminal without one). */
export function serverCrashPoint(step: ServerStep, terminalId?: string, nth = 1): CrashPoint {
  const from: Record<string, string> = terminalId ? { terminalId } : {};
  if (step === 'received') return { event: 'gateway.batch_received', match: from, nth };
  if (step === 'committed') return { event: 'gateway.batch_committed', match: from, nth };
  return { event: 'gateway.answered', match: { ...from, name: 'outbox.submit' }, nth };
}

/** A waiter that may never be awaited: its rejection (a timeout) must not go unhandled. */
function quiet<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

async function arm(process: ChaosProcess, point: CrashPoint): Promise<void> {
  const armed = process.waitFor('chaos.armed', (l) => l.event === 'chaos.armed', ARM_TIMEOUT_MS);
  process.send({ op: 'arm', point });
  await armed;
}

/** What the process died at, from its last words (the `chaos.crash` line). */
function crashDetail(crash: LogLine | undefined): string {
  if (!crash) return 'killed';
  try {
    const at = JSON.parse(String(crash['at'])) as LogLine;
    const about = at['paymentId'] ?? (Array.isArray(at['ids']) ? (at['ids'] as string[]).join(',') : undefined);
    return `killed at ${at.event}${about ? ` (${String(about)})` : ''}`;
  } catch {
    return 'killed (its last line was cut)';
  }
}

/** Waits until the journal of `kiosk` holds the gateway's answer for each of `paymentIds` (or they moved no money). */
export async function waitSettled(kiosk: Kiosk, paymentIds: readonly string[]): Promise<void> {
  const journal = join(kiosk.setup.dataDir, 'journal.sqlite');
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  for (;;) {
    const left = unsettledPayments(journal, paymentIds);
    if (left.length === 0) return;
    if (Date.now() > deadline) throw new Error(`${kiosk.setup.terminalId}: payment(s) ${left.join(', ')} not settled within ${SETTLE_TIMEOUT_MS} ms`);
    await sleep(SETTLE_POLL_MS);
  }
}

export async function runPlannedVisit(ctx: RunContext, kiosk: Kiosk, visit: PlannedVisit): Promise<VisitRecord> {
  const started = Date.now();
  const resident = ctx.residents[visit.resident]!;
  const plan: VisitPlan = { resident, tierIndex: visit.tierIndex, ending: visit.ending, partialNotes: visit.partialNotes, splitSeed: visit.splitSeed };
  const fault = visit.fault;
  let run: { result: VisitResult; fired: boolean; detail: string };
  switch (fault.kind) {
    case 'none': {
      const result = await runVisit(kiosk, plan);
      run = { result, fired: false, detail: '' };
      break;
    }
    case 'kill-terminal':
      run = await killTerminal(kiosk, plan, fault.step, fault.note);
      break;
    case 'kill-server':
      run = await killServer(ctx, kiosk, plan, fault.step);
      break;
    case 'cut-payment':
      run = await cutPayment(kiosk, plan);
      break;
    case 'cut-answer':
      run = await cutAnswer(ctx, kiosk, plan);
      break;
    case 'duplicate':
      run = await duplicate(ctx, kiosk, plan);
      break;
    case 'reorder':
      run = await reorder(ctx, kiosk, plan);
      break;
  }
  if (run.result.paymentId) await waitSettled(kiosk, [run.result.paymentId]);
  return {
    index: visit.index,
    terminalId: kiosk.setup.terminalId,
    citizenNumber: resident.citizenNumber,
    fault,
    outcome: { label: faultLabel(fault), fired: run.fired, detail: run.detail },
    result: run.result,
    durationMs: Date.now() - started,
  };
}

async function killTerminal(kiosk: Kiosk, plan: VisitPlan, step: TerminalStep, note: number): Promise<{ result: VisitResult; fired: boolean; detail: string }> {
  const life = kiosk.process!;
  let crash: LogLine | undefined;
  life.on('line', (line) => {
    if (line.event === 'chaos.crash') crash = line;
  });
  const point = TERMINAL_CRASH_POINTS[step];
  let reachable = true;
  if (NOTE_STEPS.includes(step)) {
    plan.beforeNotes = async (notes) => {
      reachable = notes.length > 0;
      if (reachable) await arm(life, { ...point, nth: Math.min(note, notes.length) });
    };
  } else await arm(life, { ...point, nth: 1 });
  const result = await runVisit(kiosk, plan);
  // The delivery steps (sent, acknowledged) may come after the visit; the others happen during it or not at all.
  if (life.running && DELIVERY_STEPS.includes(step) && result.paymentId) await Promise.race([life.exited, sleep(FAULT_FIRE_TIMEOUT_MS, undefined, { ref: false })]);
  if (life.running) {
    life.send({ op: 'disarm' });
    return { result, fired: false, detail: reachable ? `the payment never reached ${step}` : 'no note was inserted' };
  }
  const exit = await life.exited;
  await kiosk.restart();
  return { result, fired: exit.signal === 'SIGKILL', detail: crashDetail(crash) };
}

/**
 * Kills the gateway that handles the kiosk's batch at `step`. With several
 * gateways the kiosk's connection may be on any of them (the balancer chose):
 * each live one is armed, the one that reaches the step dies, the others are
 * disarmed, and the kiosk reconnects through the balancer while the dead one
 * is started again.
 */
async function killServer(ctx: RunContext, kiosk: Kiosk, plan: VisitPlan, step: ServerStep): Promise<{ result: VisitResult; fired: boolean; detail: string }> {
  const armed = ctx.gateways.servers.filter((s) => s.alive);
  const crashes = new Map<CountyServer, LogLine>();
  for (const server of armed) {
    server.process!.on('line', (line) => {
      if (line.event === 'chaos.crash') crashes.set(server, line);
    });
    await arm(server.process!, serverCrashPoint(step, kiosk.setup.terminalId));
  }
  // Started again as soon as it dies, whatever the visit is doing then.
  const victim = quiet(Promise.race(armed.map((server) => server.process!.exited.then(() => server))));
  const restarted = quiet(
    victim.then(async (server) => {
      for (const other of armed) if (other !== server) other.process?.send({ op: 'disarm' });
      await server.restart();
      return server;
    }),
  );
  const result = await runVisit(kiosk, plan);
  const killed = await Promise.race([restarted, sleep(FAULT_FIRE_TIMEOUT_MS, undefined, { ref: false }).then(() => undefined)]);
  if (!killed) {
    ctx.gateways.disarm();
    return { result, fired: false, detail: `no batch from ${kiosk.setup.terminalId} reached ${step}` };
  }
  const which = ctx.gateways.servers.length > 1 ? `${killed.name}: ` : '';
  return { result, fired: true, detail: `${which}${crashDetail(crashes.get(killed))}` };
}

async function cutPayment(kiosk: Kiosk, plan: VisitPlan): Promise<{ result: VisitResult; fired: boolean; detail: string }> {
  // The kiosk must have seen the resident online once to show the account offline.
  await runVisit(kiosk, { ...plan, ending: 'look-up' });
  const proxy = kiosk.proxy!;
  const down = quiet(waitForLine(kiosk, 'uplink.disconnected', (l) => l.event === 'uplink.disconnected', FAULT_STEP_TIMEOUT_MS));
  proxy.setMode({ kind: 'down' });
  await down;
  try {
    const result = await runVisit(kiosk, { ...plan, offline: true });
    const fired = result.offline && result.outcome !== 'no-payment';
    return { result, fired, detail: fired ? `taken offline (${result.outcome})` : `not taken offline: ${result.reason ?? result.outcome}` };
  } finally {
    proxy.setMode({ kind: 'pass' });
  }
}

async function cutAnswer(ctx: RunContext, kiosk: Kiosk, plan: VisitPlan): Promise<{ result: VisitResult; fired: boolean; detail: string }> {
  const proxy = kiosk.proxy!;
  const terminalId = kiosk.setup.terminalId;
  const droppedBefore = proxy.stats.answersDropped;
  proxy.setMode({ kind: 'drop-answers' });
  try {
    const timedOut = quiet(waitForLine(kiosk, 'outbox.retry_later', (l) => l.event === 'outbox.retry_later', SETTLE_TIMEOUT_MS));
    const committed = quiet(waitForLine(ctx.gateways, 'a committed batch', (l) => l.event === 'gateway.batch_committed' && l['terminalId'] === terminalId, SETTLE_TIMEOUT_MS));
    const result = await runVisit(kiosk, plan);
    if (!result.paymentId) return { result, fired: false, detail: 'no payment was made' };
    await committed;
    await timedOut;
    const dropped = proxy.stats.answersDropped - droppedBefore;
    return { result, fired: dropped > 0, detail: `${dropped} answer(s) lost after the gateway committed; the kiosk timed out and sent again` };
  } finally {
    proxy.setMode({ kind: 'pass' });
  }
}

async function duplicate(ctx: RunContext, kiosk: Kiosk, plan: VisitPlan): Promise<{ result: VisitResult; fired: boolean; detail: string }> {
  const proxy = kiosk.proxy!;
  const terminalId = kiosk.setup.terminalId;
  const before = proxy.stats.submitsDuplicated;
  proxy.setMode({ kind: 'duplicate' });
  let result: VisitResult;
  try {
    result = await runVisit(kiosk, plan);
    if (result.paymentId) await waitSettled(kiosk, [result.paymentId]);
  } finally {
    proxy.setMode({ kind: 'pass' });
  }
  const duplicated = proxy.stats.submitsDuplicated - before;
  // And a batch of the kiosk's from earlier in the run, again, late.
  const replayed = quiet(waitForLine(ctx.gateways, 'the replayed batch', (l) => l.event === 'gateway.batch_committed' && l['terminalId'] === terminalId, FAULT_STEP_TIMEOUT_MS));
  const ids = proxy.replayOld(ctx.rng);
  if (ids) await replayed;
  return { result, fired: duplicated > 0, detail: `${duplicated} batch(es) delivered twice${ids ? `; an older batch (${ids.length} event(s)) delivered again late` : ''}` };
}

async function reorder(ctx: RunContext, kiosk: Kiosk, plan: VisitPlan): Promise<{ result: VisitResult; fired: boolean; detail: string }> {
  const proxy = kiosk.proxy!;
  const terminalId = kiosk.setup.terminalId;
  // Held past the kiosk's deadline and its next retry: the retry reaches the gateway first.
  const holdMs = ctx.timings.requestTimeoutMs + ctx.timings.outboxRetryIntervalMs + 1_500;
  let lateCommit: Promise<LogLine> | undefined;
  const released = new Promise<{ ids: string[]; delivered: boolean }>((resolve) =>
    proxy.once('released', (r) => {
      if (r.delivered) lateCommit = quiet(waitForLine(ctx.gateways, 'the late batch', (l) => l.event === 'gateway.batch_committed' && l['terminalId'] === terminalId, FAULT_STEP_TIMEOUT_MS));
      resolve(r);
    }),
  );
  proxy.setMode({ kind: 'hold-first-submit', holdMs });
  try {
    const result = await runVisit(kiosk, plan);
    if (!result.paymentId) return { result, fired: false, detail: 'no payment was made' };
    await waitSettled(kiosk, [result.paymentId]);
    const held = await Promise.race([released, sleep(holdMs + FAULT_STEP_TIMEOUT_MS, undefined, { ref: false }).then(() => undefined)]);
    if (!held) return { result, fired: false, detail: 'no batch was held' };
    if (lateCommit) await lateCommit;
    return { result, fired: held.delivered, detail: held.delivered ? `a batch held ${holdMs} ms reached the gateway after the kiosk's retry` : 'the held batch was lost with its connection' };
  } finally {
    proxy.removeAllListeners('released');
    proxy.setMode({ kind: 'pass' });
  }
}
