// What the agent tells the gateway about updates (`update.report`). Steps
// in flight (downloading, staged, switched) are sent once, best effort; the
// outcome of each switch is kept in the supervisor's history until the
// gateway has acknowledged it (agent.json holds the last acknowledged one),
// so an outcome reached while offline, or by a version that no longer runs,
// is reported at the next connection.
import type { Logger } from 'pino';
import { z } from 'zod';
import { PROTOCOL_VERSION, type UpdateFailure, type UpdateReport, type UpdateReportState } from '@nongbao/protocol';
import type { GatewayLink } from '../uplink.js';
import { readJsonFile, writeJsonAtomic } from './json-file.js';
import type { KioskRoot } from './layout.js';
import { readSupervisorState } from './supervisor-state.js';

const agentStateSchema = z.strictObject({ reportedSeq: z.number().int().nonnegative() });

export interface StepReport {
  rolloutId: string | null;
  version: string;
  state: UpdateReportState;
  reason?: UpdateFailure;
  detail?: string;
  downloadedBytes?: number;
}

export class UpdateReporter {
  private sending = false;

  constructor(
    private readonly root: KioskRoot,
    private readonly link: GatewayLink,
    private readonly runningVersion: string,
    private readonly logger: Logger,
  ) {}

  private body(step: StepReport): UpdateReport {
    return {
      v: PROTOCOL_VERSION,
      rolloutId: step.rolloutId,
      version: step.version,
      state: step.state,
      ...(step.reason ? { reason: step.reason } : {}),
      ...(step.detail ? { detail: step.detail.slice(0, 300) } : {}),
      ...(step.downloadedBytes !== undefined ? { downloadedBytes: step.downloadedBytes } : {}),
      runningVersion: this.runningVersion,
      at: new Date().toISOString(),
    };
  }

  /** Sends one step; true when the gateway answered. */
  async step(step: StepReport): Promise<boolean> {
    this.logger.info({ event: 'update.step', ...step });
    const reply = await this.link.request('update.report', this.body(step));
    if (!reply.ok) this.logger.warn({ event: 'update.report_failed', code: reply.error.code, state: step.state });
    return reply.ok;
  }

  /** Sends every switch outcome the gateway has not acknowledged yet, oldest first. */
  async outcomes(): Promise<void> {
    if (this.sending || !this.link.connected) return;
    this.sending = true;
    try {
      const state = readSupervisorState(this.root);
      let reported = readJsonFile(this.root.agentStatePath, agentStateSchema)?.reportedSeq ?? 0;
      for (const s of state?.switches ?? []) {
        if (s.seq <= reported) continue;
        const sent = await this.step({ rolloutId: s.rolloutId, version: s.to, state: s.outcome, ...(s.reason ? { reason: s.reason } : {}), detail: s.detail });
        if (!sent) return;
        reported = s.seq;
        writeJsonAtomic(this.root.agentStatePath, { reportedSeq: reported });
      }
    } finally {
      this.sending = false;
    }
  }
}
