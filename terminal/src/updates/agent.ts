// The update agent inside the running terminal (issue 13 section 3): takes
// the gateway's offer, downloads the bundle with resume, has it verified and
// staged beside the running release, and asks the supervisor to switch only
// at a session boundary (no card in, no money step in flight). It never
// switches anything itself: the supervisor checks the release again, starts
// it, runs its health gate and switches back when it fails.
import { join } from 'node:path';
import { existsSync, rmSync } from 'node:fs';
import type { Logger } from 'pino';
import { compareVersions } from '@nongbao/protocol/release';
import type { UpdateOffer, UpdateStatus, UpdateWithdraw } from '@nongbao/protocol';
import type { GatewayLink } from '../uplink.js';
import { downloadBundle, fileSha256 } from './download.js';
import type { ChildMessage, SupervisorMessage } from './ipc.js';
import type { KioskRoot } from './layout.js';
import { UpdateReporter } from './reports.js';
import { stageBundle, type StageResult } from './stage.js';
import { readSupervisorState, versionFloor } from './supervisor-state.js';

/** Progress reports while downloading, at most one per this long. */
export const DOWNLOAD_REPORT_INTERVAL_MS = 5_000;

export interface SupervisorChannel {
  send(message: ChildMessage): void;
  onMessage(listener: (message: SupervisorMessage) => void): void;
}

/** Where a session ends: the agent switches only when `atBoundary()` holds. */
export interface SessionBoundary {
  atBoundary(): boolean;
  onChange(listener: () => void): void;
}

export interface UpdateAgentDeps {
  root: KioskRoot;
  runningVersion: string;
  serverUrl: string;
  link: GatewayLink;
  /** Null when the terminal runs without a supervisor: it reports offers as `unsupervised`. */
  supervisor: SupervisorChannel | null;
  boundary: SessionBoundary;
  gatewayConnected: () => boolean;
  logger: Logger;
  downloadRetryFirstMs?: number;
}

interface Job {
  rolloutId: string | null;
  version: string;
  phase: NonNullable<UpdateStatus['job']>['phase'];
  downloadedBytes: number;
  totalBytes: number;
  token: string;
  abort: AbortController;
}

export class UpdateAgent {
  private job: Job | null = null;
  readonly reporter: UpdateReporter;

  constructor(private readonly deps: UpdateAgentDeps) {
    this.reporter = new UpdateReporter(deps.root, deps.link, deps.runningVersion, deps.logger);
    deps.boundary.onChange(() => this.switchIfAtBoundary());
    deps.supervisor?.onMessage((message) => this.onSupervisorMessage(message));
  }

  get busy(): boolean {
    return this.job !== null;
  }

  /** The kiosk's floor: the running version and every version ever started. */
  floor(): string {
    const state = readSupervisorState(this.deps.root);
    return state ? versionFloor(state) : this.deps.runningVersion;
  }

  status(): UpdateStatus {
    const state = readSupervisorState(this.deps.root);
    const last = state?.switches.at(-1);
    const job = this.job;
    return {
      supervised: this.deps.supervisor !== null,
      runningVersion: this.deps.runningVersion,
      previousVersion: state?.previous ?? null,
      highestTrusted: state?.highestTrusted ?? null,
      job: job && { rolloutId: job.rolloutId, version: job.version, phase: job.phase, downloadedBytes: job.downloadedBytes, totalBytes: job.totalBytes },
      lastSwitch: last ? { from: last.from, to: last.to, outcome: last.outcome, reason: last.reason, detail: last.detail, at: last.at } : null,
    };
  }

  onOffer(offer: UpdateOffer): void {
    const log = this.deps.logger;
    if (this.job?.rolloutId === offer.rolloutId) {
      // A reconnection: the same offer with a fresh token, which the download uses from its next attempt.
      this.job.token = offer.token;
      return;
    }
    if (!this.deps.supervisor) {
      void this.reporter.step({ rolloutId: offer.rolloutId, version: offer.version, state: 'failed', reason: 'unsupervised', detail: 'this terminal runs without a supervisor (nongbao kiosk run)' });
      return;
    }
    if (this.job?.phase === 'switching') return;
    if (this.isKnownSwitch(offer)) return;
    if (this.job) this.drop(this.job, 'a newer offer replaced it');
    const floor = this.floor();
    if (compareVersions(offer.version, floor) <= 0) {
      // Not worth a download: the signed manifest would be refused the same way.
      void this.reporter.step({ rolloutId: offer.rolloutId, version: offer.version, state: 'failed', reason: 'downgrade', detail: `version ${offer.version} is not above ${floor}` });
      return;
    }
    log.info({ event: 'update.offered', rolloutId: offer.rolloutId, version: offer.version, bundleSize: offer.bundleSize });
    const job: Job = { rolloutId: offer.rolloutId, version: offer.version, phase: 'downloading', downloadedBytes: 0, totalBytes: offer.bundleSize, token: offer.token, abort: new AbortController() };
    this.job = job;
    void this.run(job, offer);
  }

  /**
   * An offer of the version this kiosk switched to, or is switching to: the
   * gateway offers until it hears the outcome, and a reconnection (the new
   * version's first, or the old one's after a rollback) can come before it.
   * The outcome is the supervisor's to tell (reporter.outcomes); answering
   * `downgrade` here would end the terminal's place in the rollout as failed
   * and halt a canary's rollout. A kiosk that runs the offered version already
   * (a USB stick got there first) reports it healthy: it passed its gate.
   */
  private isKnownSwitch(offer: UpdateOffer): boolean {
    const state = readSupervisorState(this.deps.root);
    if (!state) return false;
    if (state.trial?.version === offer.version) return true;
    if (state.switches.some((s) => s.rolloutId === offer.rolloutId && s.to === offer.version)) {
      void this.reporter.outcomes();
      return true;
    }
    if (state.current !== offer.version) return false;
    void this.reporter.step({ rolloutId: offer.rolloutId, version: offer.version, state: 'healthy', detail: `this kiosk runs ${offer.version} already` });
    return true;
  }

  onWithdraw(withdraw: UpdateWithdraw): void {
    const job = this.job;
    if (!job || job.rolloutId !== withdraw.rolloutId || job.phase === 'switching') return;
    this.drop(job, 'the rollout was halted');
    void this.reporter.step({ rolloutId: job.rolloutId, version: job.version, state: 'failed', reason: 'withdrawn', detail: 'the rollout was halted before the switch' });
  }

  /** On every connection: unreported outcomes, and `switched` while this version is on trial. */
  async onConnect(trialRolloutId: string | null | undefined): Promise<void> {
    if (trialRolloutId !== undefined) await this.reporter.step({ rolloutId: trialRolloutId, version: this.deps.runningVersion, state: 'switched' });
    await this.reporter.outcomes();
  }

  private onSupervisorMessage(message: SupervisorMessage): void {
    // Either way the switch this process asked for is over: refused, or done (a new process runs it).
    if (this.job?.version === message.version) this.job = null;
    void this.reporter.outcomes();
  }

  private drop(job: Job, why: string): void {
    job.abort.abort();
    this.deps.logger.info({ event: 'update.dropped', version: job.version, why });
    if (job.phase === 'waiting-for-session-end') this.removeStaged(job.version);
    if (this.job === job) this.job = null;
  }

  private removeStaged(version: string): void {
    const state = readSupervisorState(this.deps.root);
    if (!state || version === state.current || version === state.previous) return;
    rmSync(this.deps.root.releaseDir(version), { recursive: true, force: true });
    rmSync(this.deps.root.bundlePath(version), { force: true });
  }

  /** The offered bundle is staged already (an offer repeated after a restart): no download. */
  private async alreadyStaged(offer: UpdateOffer): Promise<boolean> {
    const root = this.deps.root;
    if (!existsSync(root.releaseDir(offer.version)) || !existsSync(root.bundlePath(offer.version))) return false;
    return (await fileSha256(root.bundlePath(offer.version))) === offer.bundleSha256;
  }

  private async run(job: Job, offer: UpdateOffer): Promise<void> {
    if (await this.alreadyStaged(offer)) {
      if (this.job === job) await this.staged(job);
      return;
    }
    const part = join(this.deps.root.stagingDir, `${offer.bundleSha256}.part`);
    let reportedAtMs = 0;
    void this.reporter.step({ rolloutId: job.rolloutId, version: job.version, state: 'downloading', downloadedBytes: 0 });
    const download = await downloadBundle({
      url: `${this.deps.serverUrl}${offer.downloadPath}`,
      token: () => job.token,
      partPath: part,
      expectedSize: offer.bundleSize,
      expectedSha256: offer.bundleSha256,
      logger: this.deps.logger,
      signal: job.abort.signal,
      ...(this.deps.downloadRetryFirstMs !== undefined ? { retryFirstMs: this.deps.downloadRetryFirstMs } : {}),
      onProgress: (bytes) => {
        job.downloadedBytes = bytes;
        if (Date.now() - reportedAtMs < DOWNLOAD_REPORT_INTERVAL_MS) return;
        reportedAtMs = Date.now();
        void this.reporter.step({ rolloutId: job.rolloutId, version: job.version, state: 'downloading', downloadedBytes: bytes });
      },
    });
    if (this.job !== job) return;
    if (!download.ok) return this.fail(job, { ok: false, reason: 'download-failed', detail: download.detail });
    job.phase = 'staging';
    const staged = await this.stage(part);
    for (const leftover of [part, `${part}.json`]) if (existsSync(leftover)) rmSync(leftover, { force: true });
    if (this.job !== job) return;
    if (!staged.ok) return this.fail(job, staged);
    await this.staged(job);
  }

  private stage(bundle: string): Promise<StageResult> {
    const state = readSupervisorState(this.deps.root);
    return stageBundle(this.deps.root, bundle, { floor: this.floor(), keep: [state?.current, state?.previous].filter((v): v is string => !!v) });
  }

  private fail(job: Job, result: Extract<StageResult, { ok: false }>): void {
    this.deps.logger.warn({ event: 'update.failed', version: job.version, reason: result.reason, detail: result.detail });
    this.job = null;
    void this.reporter.step({ rolloutId: job.rolloutId, version: job.version, state: 'failed', reason: result.reason, detail: result.detail });
  }

  private async staged(job: Job): Promise<void> {
    job.phase = 'waiting-for-session-end';
    await this.reporter.step({ rolloutId: job.rolloutId, version: job.version, state: 'staged' });
    this.switchIfAtBoundary();
  }

  /** Asks the supervisor to switch when a staged release waits and no session is open. */
  private switchIfAtBoundary(): void {
    const job = this.job;
    if (!job || job.phase !== 'waiting-for-session-end' || !this.deps.supervisor || !this.deps.boundary.atBoundary()) return;
    job.phase = 'switching';
    this.deps.logger.info({ event: 'update.switch_requested', version: job.version, rolloutId: job.rolloutId });
    this.deps.supervisor.send({ type: 'switch', version: job.version, rolloutId: job.rolloutId, gatewayRequired: this.deps.gatewayConnected() });
  }

  /**
   * The terminal stops: a download in progress is given up, reporting
   * nothing (a failure would end the terminal's place in the rollout). Its
   * part file and a staged release stay: the offer comes again at the next
   * connection and goes on from them.
   */
  stop(): void {
    const job = this.job;
    this.job = null;
    job?.abort.abort();
  }

  /** A release staged from a USB stick (usb.ts) switches like an offered one. */
  adoptStaged(version: string): void {
    this.job = { rolloutId: null, version, phase: 'waiting-for-session-end', downloadedBytes: 0, totalBytes: 0, token: '', abort: new AbortController() };
    this.switchIfAtBoundary();
  }
}
