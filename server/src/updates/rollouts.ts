// Rollouts (issue 13 section 3): a published release offered to chosen
// terminals, a canary share first, then everyone, each terminal's state
// kept as it reports it (states.ts). A canary that rolls back or fails halts
// the rollout at once: the rest never get it. An operator promotes the
// rollout to everyone once every canary is healthy, or halts it; a halt
// withdraws the offer from every terminal that has not switched yet.
import { createHash, randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { PROTOCOL_VERSION, type UpdateOffer, type UpdateReport } from '@nongbao/protocol';
import type { SqlDatabase } from '../sql/types.js';
import { RolloutError } from './errors.js';
import { ReleaseStore } from './releases.js';
import { isFinal, mayMove, pickCanaries, type RolloutTerminalState } from './states.js';

/** The canary share when the operator names none: one kiosk in ten. */
export const DEFAULT_CANARY_PERCENT = 10;

export type RolloutPhase = 'canary' | 'everyone' | 'halted';

export interface RolloutTerminal {
  terminalId: string;
  wave: 'canary' | 'everyone';
  state: RolloutTerminalState;
  reason: string | null;
  detail: string | null;
  downloadedBytes: number | null;
  updatedAt: string;
}

export interface Rollout {
  rolloutId: string;
  version: string;
  canaryPercent: number;
  phase: RolloutPhase;
  createdAt: string;
  createdBy: string;
  promotedAt: string | null;
  haltedAt: string | null;
  haltReason: string | null;
  /** Every terminal reached an end (healthy, rolled back or failed). */
  complete: boolean;
  counts: Record<RolloutTerminalState, number>;
  terminals: RolloutTerminal[];
}

interface RolloutRow {
  id: string;
  version: string;
  canary_percent: number;
  phase: RolloutPhase;
  created_at: string;
  created_by: string;
  promoted_at: string | null;
  halted_at: string | null;
  halt_reason: string | null;
}

interface TerminalRow {
  terminal_id: string;
  wave: 'canary' | 'everyone';
  state: RolloutTerminalState;
  reason: string | null;
  detail: string | null;
  downloaded_bytes: number | null;
  updated_at: string;
}

const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** What a report changed, for the gateway: whether it was recorded, and a halt it caused. */
export interface ReportOutcome {
  recorded: boolean;
  halted: { rolloutId: string; terminalIds: string[] } | null;
}

export class Rollouts {
  constructor(
    private readonly db: SqlDatabase,
    private readonly releases: ReleaseStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private rows(rolloutId: string): TerminalRow[] {
    return this.db.prepare('SELECT * FROM rollout_terminal WHERE rollout_id = ? ORDER BY terminal_id').all(rolloutId) as TerminalRow[];
  }

  private view(r: RolloutRow): Rollout {
    const terminals = this.rows(r.id).map((t) => ({
      terminalId: t.terminal_id,
      wave: t.wave,
      state: t.state,
      reason: t.reason,
      detail: t.detail,
      downloadedBytes: t.downloaded_bytes,
      updatedAt: t.updated_at,
    }));
    const counts = { waiting: 0, offered: 0, downloading: 0, staged: 0, switched: 0, healthy: 0, 'rolled-back': 0, failed: 0 };
    for (const t of terminals) counts[t.state] += 1;
    return {
      rolloutId: r.id,
      version: r.version,
      canaryPercent: r.canary_percent,
      phase: r.phase,
      createdAt: r.created_at,
      createdBy: r.created_by,
      promotedAt: r.promoted_at,
      haltedAt: r.halted_at,
      haltReason: r.halt_reason,
      complete: terminals.every((t) => isFinal(t.state)),
      counts,
      terminals,
    };
  }

  get(rolloutId: string): Rollout {
    const row = this.db.prepare('SELECT * FROM rollout WHERE id = ?').get(rolloutId) as RolloutRow | undefined;
    if (!row) throw new RolloutError('rollout-unknown', `no rollout ${rolloutId}`, 'rolloutId');
    return this.view(row);
  }

  list(limit = 50): Rollout[] {
    return (this.db.prepare('SELECT * FROM rollout ORDER BY id DESC LIMIT ?').all(limit) as RolloutRow[]).map((r) => this.view(r));
  }

  /** Creates a rollout; returns it and the terminals to offer it to now (the canaries). */
  create(input: { version: string; terminalIds: string[]; canaryPercent: number; createdBy: string }): { rollout: Rollout; offerTo: string[] } {
    if (!this.releases.get(input.version)) throw new RolloutError('release-unknown', `version ${input.version} was not published (nongbao release publish)`, 'version');
    const terminalIds = [...new Set(input.terminalIds)];
    if (terminalIds.length === 0) throw new RolloutError('no-terminals', 'no enrolled terminal to roll out to', 'terminalIds');
    const busy = this.db
      .prepare(
        `SELECT rt.terminal_id FROM rollout_terminal rt JOIN rollout r ON r.id = rt.rollout_id
         WHERE r.phase != 'halted' AND rt.state NOT IN ('healthy', 'rolled-back', 'failed') AND rt.terminal_id IN (SELECT value FROM json_each(?))`,
      )
      .all(JSON.stringify(terminalIds)) as { terminal_id: string }[];
    if (busy.length > 0) {
      throw new RolloutError('terminal-in-rollout', `${busy.length} terminal(s) are in a rollout not finished: halt it first`, 'terminalIds', { terminalIds: busy.map((b) => b.terminal_id) });
    }
    const id = uuidv7();
    const at = this.now().toISOString();
    const canaries = pickCanaries(id, terminalIds, input.canaryPercent);
    this.db.transaction(() => {
      this.db
        .prepare("INSERT INTO rollout (id, version, canary_percent, phase, created_at, created_by) VALUES (?, ?, ?, 'canary', ?, ?)")
        .run(id, input.version, input.canaryPercent, at, input.createdBy);
      const insert = this.db.prepare('INSERT INTO rollout_terminal (rollout_id, terminal_id, wave, state, updated_at) VALUES (?, ?, ?, ?, ?)');
      for (const t of terminalIds) insert.run(id, t, canaries.has(t) ? 'canary' : 'everyone', canaries.has(t) ? 'offered' : 'waiting', at);
    })();
    return { rollout: this.get(id), offerTo: [...canaries] };
  }

  /** Offers the rollout to everyone once every canary is healthy; returns the terminals to offer it to. */
  promote(rolloutId: string): { rollout: Rollout; offerTo: string[] } {
    const rollout = this.get(rolloutId);
    if (rollout.phase === 'halted') throw new RolloutError('rollout-halted', `rollout ${rolloutId} was halted: ${rollout.haltReason ?? ''}`);
    if (rollout.phase !== 'canary') throw new RolloutError('rollout-not-canary', `rollout ${rolloutId} reaches everyone already`);
    const notHealthy = rollout.terminals.filter((t) => t.wave === 'canary' && t.state !== 'healthy');
    if (notHealthy.length > 0) {
      throw new RolloutError('canary-not-healthy', `${notHealthy.length} canary terminal(s) are not healthy yet`, undefined, {
        terminals: notHealthy.map((t) => ({ terminalId: t.terminalId, state: t.state })),
      });
    }
    const at = this.now().toISOString();
    const offerTo = rollout.terminals.filter((t) => t.state === 'waiting').map((t) => t.terminalId);
    this.db.transaction(() => {
      this.db.prepare("UPDATE rollout SET phase = 'everyone', promoted_at = ? WHERE id = ?").run(at, rolloutId);
      this.db.prepare("UPDATE rollout_terminal SET state = 'offered', updated_at = ? WHERE rollout_id = ? AND state = 'waiting'").run(at, rolloutId);
    })();
    return { rollout: this.get(rolloutId), offerTo };
  }

  /** Halts the rollout; returns the terminals whose offer is withdrawn (those that have not switched). */
  halt(rolloutId: string, reason: string): { rollout: Rollout; withdrawFrom: string[] } {
    const rollout = this.get(rolloutId);
    if (rollout.phase === 'halted') return { rollout, withdrawFrom: [] };
    const withdrawFrom = rollout.terminals.filter((t) => ['offered', 'downloading', 'staged'].includes(t.state)).map((t) => t.terminalId);
    this.db.prepare("UPDATE rollout SET phase = 'halted', halted_at = ?, halt_reason = ? WHERE id = ?").run(this.now().toISOString(), reason.slice(0, 300), rolloutId);
    return { rollout: this.get(rolloutId), withdrawFrom };
  }

  /** The offer a terminal should hold now, with a fresh download token (only its hash is kept). */
  offerFor(terminalId: string): UpdateOffer | undefined {
    const row = this.db
      .prepare(
        `SELECT r.id, r.version FROM rollout_terminal rt JOIN rollout r ON r.id = rt.rollout_id
         WHERE rt.terminal_id = ? AND r.phase != 'halted' AND rt.state IN ('offered', 'downloading', 'staged') ORDER BY r.id DESC LIMIT 1`,
      )
      .get(terminalId) as { id: string; version: string } | undefined;
    const release = row && this.releases.get(row.version);
    if (!row || !release) return undefined;
    const token = randomBytes(32).toString('hex');
    this.db.prepare('UPDATE rollout_terminal SET token_hash = ? WHERE rollout_id = ? AND terminal_id = ?').run(hashToken(token), row.id, terminalId);
    return {
      v: PROTOCOL_VERSION,
      rolloutId: row.id,
      version: release.version,
      model: release.model,
      bundleSha256: release.bundleSha256,
      bundleSize: release.bundleSize,
      downloadPath: `/updates/v1/bundles/${release.version}`,
      token,
    };
  }

  /** The bundle a download token opens: one offered in a rollout that is not halted, to a terminal that has not finished. */
  bundleForToken(version: string, token: string): string | undefined {
    const row = this.db
      .prepare(
        `SELECT rt.terminal_id FROM rollout_terminal rt JOIN rollout r ON r.id = rt.rollout_id
         WHERE rt.token_hash = ? AND r.version = ? AND r.phase != 'halted' AND rt.state IN ('offered', 'downloading', 'staged')`,
      )
      .get(hashToken(token), version) as { terminal_id: string } | undefined;
    return row ? this.releases.bundlePath(version) : undefined;
  }

  /** Records a terminal's report; a canary that rolls back or fails halts the rollout. */
  report(terminalId: string, report: UpdateReport): ReportOutcome {
    if (report.rolloutId === null) return { recorded: false, halted: null };
    const row = this.db.prepare('SELECT * FROM rollout_terminal WHERE rollout_id = ? AND terminal_id = ?').get(report.rolloutId, terminalId) as TerminalRow | undefined;
    if (!row || !mayMove(row.state, report.state)) return { recorded: false, halted: null };
    this.db
      .prepare('UPDATE rollout_terminal SET state = ?, reason = ?, detail = ?, downloaded_bytes = COALESCE(?, downloaded_bytes), updated_at = ? WHERE rollout_id = ? AND terminal_id = ?')
      .run(report.state, report.reason ?? null, report.detail ?? null, report.downloadedBytes ?? null, this.now().toISOString(), report.rolloutId, terminalId);
    if (row.wave === 'canary' && (report.state === 'rolled-back' || report.state === 'failed')) {
      const { withdrawFrom } = this.halt(report.rolloutId, `canary ${terminalId} ${report.state}: ${report.reason ?? ''} ${report.detail ?? ''}`.trim());
      return { recorded: true, halted: { rolloutId: report.rolloutId, terminalIds: withdrawFrom } };
    }
    return { recorded: true, halted: null };
  }
}
