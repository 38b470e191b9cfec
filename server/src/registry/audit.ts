// The office's audit log: who changed what, and when (issue 10 section 2:
// "a counter payment dated earlier than today ... is written to an audit
// log"; issue 14: "audit log of every write with who and when, visible to
// auditors"). Rows are only ever appended. Details are JSON, with secrets
// (any key named like a password or token) removed before they are stored.
import type { RegistryContext } from './context.js';

/** Longest details document stored per entry; longer ones are cut (and say so). */
export const AUDIT_DETAILS_MAX_CHARS = 8_000;
/** Entries per page of the audit log. */
export const AUDIT_PAGE_LIMIT = 500;

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string | null;
  details: unknown;
}

const SECRET_KEY = /pass(word)?|token|secret|pin/i;

function withoutSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => withoutSecrets(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = SECRET_KEY.test(key) ? '[removed]' : withoutSecrets(v, depth + 1);
  return out;
}

export class AuditLog {
  constructor(private readonly ctx: RegistryContext) {}

  /** Appends one entry, in the caller's transaction when there is one. */
  record(entry: { actor: string; action: string; subject?: string | null; details?: unknown }): void {
    let details = JSON.stringify(withoutSecrets(entry.details ?? null));
    if (details.length > AUDIT_DETAILS_MAX_CHARS) details = JSON.stringify({ truncated: true, head: details.slice(0, AUDIT_DETAILS_MAX_CHARS) });
    this.ctx.db
      .prepare('INSERT INTO reg_audit_log (at, actor, action, subject, details_json) VALUES (?, ?, ?, ?, ?)')
      .run(new Date(this.ctx.now()).toISOString(), entry.actor, entry.action, entry.subject ?? null, details);
  }

  /** Newest first; page with the last `seq` of the previous page. */
  list(options: { beforeSeq?: number; limit?: number; actor?: string } = {}): AuditEntry[] {
    const limit = Math.min(Math.max(1, options.limit ?? 100), AUDIT_PAGE_LIMIT);
    const rows = this.ctx.db
      .prepare(
        `SELECT seq, at, actor, action, subject, details_json FROM reg_audit_log
         WHERE seq < @before AND (@actor IS NULL OR actor = @actor) ORDER BY seq DESC LIMIT @limit`,
      )
      .all({ before: options.beforeSeq ?? Number.MAX_SAFE_INTEGER, actor: options.actor ?? null, limit }) as {
      seq: number;
      at: string;
      actor: string;
      action: string;
      subject: string | null;
      details_json: string;
    }[];
    return rows.map((r) => ({ seq: r.seq, at: r.at, actor: r.actor, action: r.action, subject: r.subject, details: JSON.parse(r.details_json) }));
  }
}
