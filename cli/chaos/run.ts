// One chaos run over real processes (issue 11 section 7): the county set up,
// the server and K kiosks started, the schedule played (each kiosk takes its
// visits in turn, kiosks in parallel; a visit that kills the server has the
// county to itself), the network healed and every outbox drained, then the
// evidence gathered from each source and checked.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger } from '@nongbao/server/log';
import { shanghaiToday } from '@nongbao/terminal';
import { startPgCluster, type PgCluster } from '@nongbao/server/pg-cluster';
import { bootstrapCounty, chaosTerminalId, kioskDataDir } from './bootstrap.js';
import { runChecks } from './checks.js';
import { printedReceipts, readKiosk, readLedger, verifyLedger, verifyReceipts, type Evidence } from './collect.js';
import { buildChaosCounty } from './county.js';
import { Gateways } from './gateways.js';
import { runPlannedVisit, type RunContext, type VisitRecord } from './faults.js';
import { pendingCount } from './journal-reader.js';
import { inTurns } from './processes.js';
import { Devices } from './devices.js';
import { Kiosk } from './kiosk.js';
import { prng } from './prng.js';
import type { ChaosReport, Incident, RunFigures } from './report.js';
import { buildSchedule, faultLabel, type PlannedVisit, type Schedule } from './schedule.js';
import { SharedLock } from './shared-lock.js';

/** Terminal processes started at once (each takes a core for a second or two; their acceptors must answer within ccTalk's deadlines). */
const TERMINAL_START_CONCURRENCY = 2;
/** After the schedule, every kiosk's outbox is empty within this (network healed, server up). */
export const DRAIN_TIMEOUT_MS = 120_000;
const DRAIN_POLL_MS = 250;
/** Residents beyond one per payment (none are needed today; a margin for look-ups). */
const SPARE_RESIDENTS = 4;
/** The chaos terminals' deadlines (entries.ts defaults). */
export const CHAOS_TIMINGS = { requestTimeoutMs: 4_000, outboxRetryIntervalMs: 1_000 };

export interface ChaosOptions {
  seed: number;
  terminals: number;
  payments: number;
  /** Where the run's files go (a fresh temporary folder by default). */
  dataDir?: string;
  /** Keep the run folder after a passing run (a failing one is always kept). */
  keep: boolean;
  /** Gateway processes (several share PostgreSQL behind a balancer, issue 15 section 3). */
  gateways: number;
  /** The server's database engine: the run's SQLite file, or a throwaway PostgreSQL cluster of the run's. */
  engine: 'sqlite' | 'postgres';
  /** Progress lines (stderr). */
  progress: (line: string) => void;
}

/** What a run started; filled in as it starts, so that a failure half-way still stops all of it. */
interface Running {
  pg?: PgCluster;
  gateways?: Gateways;
  kiosks: Kiosk[];
  devices?: Devices;
}

async function stopAll(running: Running): Promise<void> {
  await Promise.all(running.kiosks.map((k) => k.dispose().catch(() => undefined)));
  await running.devices?.stop().catch(() => undefined);
  await running.gateways?.stop().catch(() => undefined);
  try {
    running.pg?.stop();
  } catch {
    // Already stopped, or its folder gone: nothing of the run's evidence is in it any more.
  }
}

/** The run's database: a SQLite file in the run folder, or a database in a throwaway PostgreSQL cluster (stopped and removed with the run). */
async function runDatabase(options: ChaosOptions, runDir: string, running: Running): Promise<string> {
  if (options.engine === 'sqlite') return join(runDir, 'server.sqlite');
  // A folder of its own under the system's temporary folder: the cluster runs as the postgres user, which cannot enter the run folder (0700).
  running.pg = await startPgCluster({ dataDir: mkdtempSync(join(tmpdir(), 'nongbao-chaos-pg-')), removeOnStop: true });
  return running.pg.createDatabase('chaos');
}

async function startCounty(options: ChaosOptions, schedule: Schedule, runDir: string, running: Running, progress: (line: string) => void): Promise<RunContext> {
  const county = buildChaosCounty(schedule.payments + SPARE_RESIDENTS, shanghaiToday());
  const dbPath = await runDatabase(options, runDir, running);
  const ids = Array.from({ length: schedule.terminals }, (_, i) => chaosTerminalId(i));
  progress(`setting up the county: ${county.residents.length} residents, ${ids.length} kiosk(s)`);
  await bootstrapCounty({ dbPath, county, kiosks: ids.map((terminalId) => ({ terminalId, dataDir: kioskDataDir(runDir, terminalId) })), logger: silentLogger });
  progress(options.gateways > 1 ? `starting ${options.gateways} gateways on ${options.engine} behind a balancer` : `starting the server on ${options.engine}`);
  const gateways = await Gateways.start({ db: dbPath, count: options.gateways, runDir });
  running.gateways = gateways;
  progress('starting the devices and the terminals');
  for (const [index, terminalId] of ids.entries()) {
    const setup = { index, terminalId, dataDir: kioskDataDir(runDir, terminalId), runDir, serverPort: gateways.port, countyResidents: county.residents.length, cash: true };
    running.kiosks.push(await Kiosk.create(setup));
  }
  const devices = await Devices.start(
    running.kiosks.map((k) => ({ acceptor: k.lines[0]!.device, printer: k.lines[1]!.device })),
    join(runDir, 'logs'),
  );
  running.devices = devices;
  for (const k of running.kiosks) k.attach(devices);
  await inTurns(running.kiosks, TERMINAL_START_CONCURRENCY, (k) => k.start());
  progress('playing the schedule');
  return { gateways, residents: county.residents, rng: prng(schedule.seed ^ 0x5eed), timings: CHAOS_TIMINGS };
}

async function recover(gateways: Gateways, kiosk: Kiosk): Promise<void> {
  // The failed visit's crash point may still be armed (it failed before its step): it must not kill a later visit.
  gateways.disarm();
  kiosk.process?.send({ op: 'disarm' });
  await gateways.restartDead();
  if (!kiosk.alive) await kiosk.restart();
  await kiosk.api.removeCard().catch(() => undefined);
}

/** Plays the schedule: each kiosk its own visits in order; a server fault waits for the others and holds them off. */
async function playSchedule(schedule: Schedule, kiosks: readonly Kiosk[], ctx: RunContext, progress: (line: string) => void): Promise<{ visits: VisitRecord[]; incidents: Incident[] }> {
  const lock = new SharedLock();
  const visits: VisitRecord[] = [];
  const incidents: Incident[] = [];
  const play = async (kiosk: Kiosk, mine: PlannedVisit[]) => {
    for (const visit of mine) {
      const exclusive = visit.fault.kind === 'kill-server';
      const release = exclusive ? await lock.exclusive() : await lock.shared();
      try {
        if (!kiosk.alive) await kiosk.restart();
        const record = await runPlannedVisit(ctx, kiosk, visit);
        visits.push(record);
        const fault = record.fault.kind === 'none' ? '' : `, ${record.outcome.label}: ${record.outcome.fired ? 'happened' : `did not happen (${record.outcome.detail})`}`;
        progress(`#${visit.index} ${kiosk.setup.terminalId} ${record.result.outcome}${record.result.reason ? ` (${record.result.reason})` : ''}${fault} [${(record.durationMs / 1000).toFixed(1)} s]`);
      } catch (error) {
        incidents.push({ visit: visit.index, terminalId: kiosk.setup.terminalId, fault: faultLabel(visit.fault), error: String(error) });
        progress(`#${visit.index} ${kiosk.setup.terminalId} INCIDENT: ${String(error)}`);
        // The next visit needs a live server and an idle kiosk; what cannot be mended now is tried again then.
        await recover(ctx.gateways, kiosk).catch((e: unknown) => progress(`${kiosk.setup.terminalId}: could not recover yet: ${String(e)}`));
      } finally {
        release();
      }
    }
  };
  await Promise.all(kiosks.map((k, i) => play(k, schedule.visits.filter((v) => v.terminal === i))));
  visits.sort((a, b) => a.index - b.index);
  return { visits, incidents };
}

/** Network healed, everything up, every outbox empty. */
async function drain(gateways: Gateways, kiosks: readonly Kiosk[]): Promise<void> {
  for (const k of kiosks) k.proxy?.setMode({ kind: 'pass' });
  await gateways.restartDead();
  for (const k of kiosks) if (!k.alive) await k.restart();
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  for (;;) {
    const pending = kiosks.map((k) => pendingCount(join(k.setup.dataDir, 'journal.sqlite')));
    if (pending.every((n) => n === 0)) return;
    if (Date.now() > deadline) throw new Error(`outboxes not drained within ${DRAIN_TIMEOUT_MS} ms: ${pending.join(', ')} pending`);
    await sleep(DRAIN_POLL_MS);
  }
}

/** The evidence, with the terminals and the server stopped (the devices asked first). */
async function gather(gateways: Gateways, kiosks: readonly Kiosk[], dbPath: string): Promise<Evidence> {
  const stacked = await Promise.all(kiosks.map((k) => k.stackedYuan()));
  // One printer at a time: the devices process renders each one's receipts in turn, and each wait covers its own.
  const printed: Awaited<ReturnType<typeof printedReceipts>>[] = [];
  for (const k of kiosks) printed.push(printedReceipts(await k.receiptTexts(), join(k.setup.runDir, 'receipts', k.setup.terminalId)));
  await Promise.all(kiosks.map((k) => k.stopTerminal()));
  await gateways.stop();
  const evidence = kiosks.map((k, i) => readKiosk(join(k.setup.dataDir, 'journal.sqlite'), k.setup.terminalId, stacked[i]!, printed[i]!));
  const [ledgerVerify, receiptVerdicts] = await Promise.all([
    verifyLedger(dbPath),
    verifyReceipts(
      dbPath,
      evidence.flatMap((k) => k.receipts),
    ),
  ]);
  return { kiosks: evidence, ledger: await readLedger(dbPath), ledgerVerify, receiptVerdicts };
}

function figures(gateways: Gateways, kiosks: readonly Kiosk[], evidence: Evidence, durationMs: number): RunFigures {
  const proxy = { cuts: 0, answersDropped: 0, submitsDuplicated: 0, submitsHeld: 0, submitsReplayed: 0 };
  for (const k of kiosks) for (const key of Object.keys(proxy) as (keyof typeof proxy)[]) proxy[key] += k.proxy?.stats[key] ?? 0;
  const notes = evidence.kiosks.flatMap((k) => k.stackedYuan);
  return {
    durationMs,
    terminalRestarts: kiosks.reduce((sum, k) => sum + k.lives, 0),
    failedTerminalStarts: kiosks.reduce((sum, k) => sum + k.failedStarts, 0),
    serverRestarts: gateways.lives,
    engine: gateways.engine,
    gateways: gateways.servers.length,
    gatewayConnections: gateways.connections,
    proxy,
    notesStacked: notes.length,
    yuanStacked: notes.reduce((sum, y) => sum + y, 0),
  };
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const schedule = buildSchedule(options);
  const runDir = options.dataDir ? resolve(options.dataDir) : mkdtempSync(join(tmpdir(), `nongbao-chaos-${options.seed}-`));
  mkdirSync(runDir, { recursive: true });
  options.progress(`seed ${schedule.seed}: schedule ${schedule.digest}, run folder ${runDir}`);
  const running: Running = { kiosks: [] };
  try {
    const ctx = await startCounty(options, schedule, runDir, running, options.progress);
    const { visits, incidents } = await playSchedule(schedule, running.kiosks, ctx, options.progress);
    options.progress('healing the network and draining every outbox');
    await drain(ctx.gateways, running.kiosks);
    options.progress('checking');
    const evidence = await gather(ctx.gateways, running.kiosks, ctx.gateways.servers[0]!.db);
    const checks = runChecks(evidence);
    const passed = checks.every((c) => c.passed) && incidents.length === 0;
    const kept = !passed || options.keep || options.dataDir !== undefined;
    const report: ChaosReport = {
      seed: schedule.seed,
      terminals: schedule.terminals,
      payments: schedule.payments,
      digest: schedule.digest,
      uncovered: schedule.uncovered,
      runDir,
      kept,
      visits,
      incidents,
      figures: figures(ctx.gateways, running.kiosks, evidence, Date.now() - started),
      checks,
      passed,
    };
    await stopAll(running);
    if (!kept) rmSync(runDir, { recursive: true, force: true });
    return report;
  } finally {
    await stopAll(running);
  }
}
