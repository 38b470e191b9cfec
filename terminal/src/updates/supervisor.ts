// The supervisor (`nongbao kiosk run`): a small process that starts the
// current release, switches to a staged one when the running release asks at
// a session boundary, runs the new one's health gate and switches back by
// itself when the gate fails in time (issue 13 section 3). It never starts a
// release it has not just checked against its signed bundle (check.ts).
//
// A switch has two commit points, each one atomic write of supervisor.json:
//   A  the trial is recorded (and the highest version started raised),
//      then the new version starts;
//   B  the gate passed: the new version becomes current.
// A kill -9 before A changes nothing; between A and B the next start finds
// the trial unconcluded and rolls back (`interrupted`); after B the new
// version is current. The history of outcomes is in the same file, for the
// running release to report.
import { EventEmitter } from 'node:events';
import { rmSync, readdirSync } from 'node:fs';
import type { Logger } from 'pino';
import { compareVersions, maxVersion } from '@nongbao/protocol/release';
import type { UpdateFailure } from '@nongbao/protocol';
import { checkInstalled } from './check.js';
import type { HealthMessage, SwitchMessage } from './ipc.js';
import type { KioskRoot } from './layout.js';
import { ReleaseProcess, reapOrphan } from './release-process.js';
import { readSupervisorState, versionFloor, withSwitch, writeSupervisorState, type SupervisorState, type SwitchRecord } from './supervisor-state.js';

/** How long a new version has to pass its health gate before the supervisor switches back. */
export const HEALTH_GATE_TIMEOUT_MS = 60_000;
/** Restart back-off after a release exits by itself: doubles from the first to the last. */
export const RESTART_DELAY_FIRST_MS = 1_000;
export const RESTART_DELAY_LAST_MS = 30_000;
/** A release that ran this long before exiting restarts without back-off. */
const STABLE_RUN_MS = 60_000;
/** Exit code of the supervisor when no release passes its check: nothing signed to run. */
export const EXIT_NOTHING_TO_RUN = 3;

export interface SupervisorOptions {
  root: KioskRoot;
  /** The kiosk's own arguments for the release's entry (e.g. `terminal --server-url ...`). */
  args: string[];
  logger: Logger;
  healthGateTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export interface SupervisorEvents {
  /** A release process started (`trial`: in its health gate). */
  started: [version: string, trial: boolean, pid: number | null];
  /** A release reported passing health checks (any release, trial or not). */
  healthy: [version: string];
  switched: [record: SwitchRecord];
  exit: [code: number];
}

type GateVerdict = { ok: true } | { ok: false; detail: string };

export class Supervisor extends EventEmitter<SupervisorEvents> {
  private state!: SupervisorState;
  private current: ReleaseProcess | null = null;
  private switching = false;
  private stopping = false;
  private restartDelayMs = RESTART_DELAY_FIRST_MS;
  private restartTimer: NodeJS.Timeout | undefined;
  private finished: ((code: number) => void) | undefined;
  /** Resolves with the supervisor's exit code. */
  readonly done: Promise<number>;

  constructor(private readonly options: SupervisorOptions) {
    super();
    this.done = new Promise((resolve) => (this.finished = resolve));
  }

  private get log(): Logger {
    return this.options.logger;
  }

  private save(state: SupervisorState): void {
    writeSupervisorState(this.options.root, state);
    this.state = state;
  }

  private record(record: Omit<SwitchRecord, 'seq' | 'at'>, changes: Partial<SupervisorState> = {}): void {
    this.save(withSwitch({ ...this.state, ...changes }, record));
    const saved = this.state.switches.at(-1)!;
    this.log.info({ event: 'supervisor.switch_outcome', ...saved });
    this.emit('switched', saved);
  }

  async start(): Promise<void> {
    const state = readSupervisorState(this.options.root);
    if (!state) throw new Error(`${this.options.root.supervisorStatePath} is missing: install the kiosk first (nongbao kiosk install)`);
    this.state = state;
    await reapOrphan(state.childPid, this.options.root, this.log);
    const trial = state.trial;
    if (trial) {
      this.record(
        { from: trial.from, to: trial.version, rolloutId: trial.rolloutId, outcome: 'rolled-back', reason: 'interrupted', detail: `the switch to ${trial.version} was cut short; ${trial.from} came back` },
        { trial: null, childPid: null },
      );
    }
    void this.runCurrent();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    await this.current?.stop();
    this.finish(0);
  }

  private finish(code: number): void {
    this.emit('exit', code);
    this.finished?.(code);
  }

  private launch(version: string, entry: string, trial: boolean, gatewayRequired: boolean): ReleaseProcess {
    const child = new ReleaseProcess({ version, entry, trial, gatewayRequired }, this.options.root, this.options.args, this.log, this.options.env);
    this.save({ ...this.state, childPid: child.pid });
    this.log.info({ event: 'supervisor.release_started', version, trial, pid: child.pid });
    this.emit('started', version, trial, child.pid);
    return child;
  }

  /** Starts the current release after checking it; falls back to the previous one if it fails the check. */
  private async runCurrent(): Promise<void> {
    if (this.stopping) return;
    const version = this.state.current;
    const check = await checkInstalled(this.options.root, version);
    if (!check.ok) {
      this.log.error({ event: 'supervisor.release_damaged', version, detail: check.detail });
      const previous = this.state.previous;
      if (previous && (await checkInstalled(this.options.root, previous)).ok) {
        this.record({ from: version, to: previous, rolloutId: null, outcome: 'rolled-back', reason: 'release-damaged', detail: check.detail }, { current: previous, previous: null });
        return this.runCurrent();
      }
      this.log.fatal({ event: 'supervisor.nothing_to_run', detail: 'no installed release passes its check; nothing unsigned is started' });
      return this.finish(EXIT_NOTHING_TO_RUN);
    }
    const child = this.launch(version, check.entry, false, false);
    this.adopt(child);
  }

  /** Makes `child` the running release: its messages, and a restart when it exits by itself. */
  private adopt(child: ReleaseProcess): void {
    this.current = child;
    const startedMs = Date.now();
    child.onMessage = (message) => {
      if (message.type === 'switch') void this.onSwitchRequest(message);
      else if (message.ok) this.emit('healthy', message.version);
    };
    void child.exited.then(({ code, signal }) => {
      if (this.current !== child || this.switching || this.stopping) return;
      this.current = null;
      if (Date.now() - startedMs > STABLE_RUN_MS) this.restartDelayMs = RESTART_DELAY_FIRST_MS;
      this.log.error({ event: 'supervisor.release_exited', version: child.launch.version, code, signal, restartInMs: this.restartDelayMs });
      this.restartTimer = setTimeout(() => void this.runCurrent(), this.restartDelayMs);
      this.restartDelayMs = Math.min(this.restartDelayMs * 2, RESTART_DELAY_LAST_MS);
    });
  }

  private refuseSwitch(request: SwitchMessage, reason: UpdateFailure, detail: string): void {
    this.log.warn({ event: 'supervisor.switch_refused', version: request.version, reason, detail });
    this.record({ from: this.state.current, to: request.version, rolloutId: request.rolloutId, outcome: 'failed', reason, detail });
    this.current?.send({ type: 'switch-refused', version: request.version, reason, detail: detail.slice(0, 300) });
  }

  private async onSwitchRequest(request: SwitchMessage): Promise<void> {
    if (this.switching || this.stopping) return;
    const floor = versionFloor(this.state);
    if (compareVersions(request.version, floor) <= 0) return this.refuseSwitch(request, 'downgrade', `version ${request.version} is not above ${floor}`);
    this.switching = true;
    try {
      const check = await checkInstalled(this.options.root, request.version);
      if (!check.ok) return this.refuseSwitch(request, 'release-damaged', check.detail);
      await this.current?.stop();
      this.current = null;
      await this.trial(request, check.entry);
    } finally {
      this.switching = false;
    }
  }

  private async trial(request: SwitchMessage, entry: string): Promise<void> {
    const from = this.state.current;
    const { version, rolloutId } = request;
    // Commit point A: from here, a restart rolls back.
    this.save({ ...this.state, trial: { version, from, rolloutId, startedAt: new Date().toISOString() }, highestTrusted: maxVersion(this.state.highestTrusted, version)! });
    const child = this.launch(version, entry, true, request.gatewayRequired);
    this.current = child;
    const verdict = await this.healthGate(child);
    if (verdict.ok) {
      // Commit point B.
      this.record({ from, to: version, rolloutId, outcome: 'healthy', reason: null, detail: 'passed its health gate' }, { current: version, previous: from, trial: null });
      child.send({ type: 'committed', version });
      this.adopt(child);
      this.prune();
      return;
    }
    await child.stop();
    this.current = null;
    this.record({ from, to: version, rolloutId, outcome: 'rolled-back', reason: 'health-gate', detail: verdict.detail }, { trial: null });
    this.prune();
    await this.runCurrent();
  }

  private healthGate(child: ReleaseProcess): Promise<GateVerdict> {
    const timeoutMs = this.options.healthGateTimeoutMs ?? HEALTH_GATE_TIMEOUT_MS;
    return new Promise((resolve) => {
      let last = 'it sent no health report';
      const timer = setTimeout(() => resolve({ ok: false, detail: `no passing health report within ${timeoutMs} ms: ${last}` }), timeoutMs);
      const conclude = (verdict: GateVerdict): void => {
        clearTimeout(timer);
        resolve(verdict);
      };
      child.onMessage = (message) => {
        if (message.type !== 'health' || message.version !== child.launch.version) return;
        if (message.ok) {
          this.emit('healthy', message.version);
          return conclude({ ok: true });
        }
        last = describeChecks(message);
        if (message.final) conclude({ ok: false, detail: last });
      };
      void child.exited.then(({ code, signal }) => conclude({ ok: false, detail: `the new version exited (${signal ?? `code ${code}`}) during its health gate; ${last}` }));
    });
  }

  /** Removes releases no one will run again: at or below the floor, neither current nor previous. */
  private prune(): void {
    const root = this.options.root;
    const floor = versionFloor(this.state);
    const keep = new Set([this.state.current, this.state.previous].filter((v): v is string => v !== null));
    for (const name of readdirSync(root.releasesDir)) {
      if (keep.has(name) || !/^\d+\.\d+\.\d+$/.test(name) || compareVersions(name, floor) > 0) continue;
      rmSync(root.releaseDir(name), { recursive: true, force: true });
      rmSync(root.bundlePath(name), { force: true });
      this.log.info({ event: 'supervisor.release_removed', version: name });
    }
  }
}

function describeChecks(message: HealthMessage): string {
  const failing = message.checks.filter((c) => !c.ok);
  return failing.length ? failing.map((c) => `${c.name}: ${c.detail}`).join('; ') : 'reported unhealthy';
}
