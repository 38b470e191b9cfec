// Terminal identities (ARCHITECTURE.md "Contracts"; issue 11 section 4): a
// county operator creates a terminal with its village and location and gets
// a one-time enrolment code; the kiosk enrols its own ed25519 key with it;
// every (re)connection is a fresh signed handshake whose nonce is remembered
// on disk for the clock-skew window; a revoked terminal is refused.
import { createHash, createPublicKey, randomInt, verify as verifySignature, type KeyObject } from 'node:crypto';
import { cachedStatement, runTransaction } from '../db.js';
import type { SqlDatabase } from '../sql/types.js';
import { AUTH_CLOCK_SKEW_LIMIT_MS, authMessage, type EnrolRefusal, type EnrolRequest, type HandshakeRefusal, type TerminalAuth } from '@nongbao/protocol';
import { migrateTerminalRegistry } from './schema.js';

/** A one-time enrolment code is valid this long after it is issued. */
export const ENROL_CODE_TTL_MS = 7 * 24 * 3600_000;
const ENROL_CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ'; // no 0/O, 1/I: read aloud over the phone
/** Nonces are remembered for twice the skew window: a handshake older than the window is refused anyway. */
const NONCE_MEMORY_MS = 2 * AUTH_CLOCK_SKEW_LIMIT_MS;
/** Public keys kept in memory (a county has hundreds of kiosks, a province tens of thousands). */
const KEY_CACHE_LIMIT = 50_000;

export type EnrolFailure = Exclude<EnrolRefusal, 'too-many-attempts'>;
export type AuthFailure = Extract<HandshakeRefusal, 'unknown-terminal' | 'revoked-terminal' | 'clock-skew' | 'replayed-nonce' | 'bad-signature'>;

export interface TerminalSiteInput {
  terminalId: string;
  villageCode: string | null;
  location: string | null;
}

export class TerminalRegistry {
  /** Parsed public keys by their base64 text. */
  private readonly keys = new Map<string, KeyObject>();

  constructor(readonly db: SqlDatabase) {
    migrateTerminalRegistry(db);
  }

  /** Issues a one-time code for `terminalId`; only its hash is stored. */
  issueEnrolCode(terminalId: string, nowMs = Date.now()): string {
    let code = '';
    for (let i = 0; i < 8; i++) code += ENROL_CODE_ALPHABET[randomInt(ENROL_CODE_ALPHABET.length)];
    this.db
      .prepare('INSERT INTO terminal_enrol_code (code_hash, terminal_id, issued_at, expires_at_ms) VALUES (?, ?, ?, ?)')
      .run(hashCode(code), terminalId, new Date(nowMs).toISOString(), nowMs + ENROL_CODE_TTL_MS);
    return code;
  }

  /**
   * A county operator creates (or re-plans) a terminal: where it stands, and
   * a one-time code to enrol it with. Returns the code and when it expires.
   */
  createTerminal(site: TerminalSiteInput, createdBy: string | null, nowMs = Date.now()): { code: string; expiresAt: string } {
    return this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO terminal_site (terminal_id, village_code, location, created_at, created_by) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (terminal_id) DO UPDATE SET village_code = excluded.village_code, location = excluded.location,
             config_revision = terminal_site.config_revision + 1`,
        )
        .run(site.terminalId, site.villageCode, site.location, new Date(nowMs).toISOString(), createdBy);
      const code = this.issueEnrolCode(site.terminalId, nowMs);
      return { code, expiresAt: new Date(nowMs + ENROL_CODE_TTL_MS).toISOString() };
    })();
  }

  enrol(request: EnrolRequest, nowMs = Date.now()): { ok: true } | { ok: false; reason: EnrolFailure } {
    let key: KeyObject;
    try {
      key = createPublicKey({ key: Buffer.from(request.publicKey, 'base64'), format: 'der', type: 'spki' });
      if (key.asymmetricKeyType !== 'ed25519') return { ok: false, reason: 'bad-public-key' };
    } catch {
      return { ok: false, reason: 'bad-public-key' };
    }
    const result = this.db.transaction((): { ok: true } | { ok: false; reason: EnrolFailure } => {
      const row = this.db
        .prepare('SELECT terminal_id, expires_at_ms, used_at FROM terminal_enrol_code WHERE code_hash = ?')
        .get(hashCode(request.code)) as { terminal_id: string; expires_at_ms: number; used_at: string | null } | undefined;
      if (!row) return { ok: false, reason: 'code-unknown' };
      if (row.used_at) return { ok: false, reason: 'code-used' };
      if (row.expires_at_ms < nowMs) return { ok: false, reason: 'code-expired' };
      if (row.terminal_id !== request.terminalId) return { ok: false, reason: 'code-for-other-terminal' };
      const existing = this.db.prepare('SELECT id FROM terminal WHERE id = ? AND revoked_at IS NULL').get(request.terminalId);
      if (existing) return { ok: false, reason: 'already-enrolled' };
      const at = new Date(nowMs).toISOString();
      this.db.prepare('UPDATE terminal_enrol_code SET used_at = ? WHERE code_hash = ?').run(at, hashCode(request.code));
      this.db
        .prepare(
          `INSERT INTO terminal (id, public_key, enrolled_at, revoked_at) VALUES (?, ?, ?, NULL)
           ON CONFLICT (id) DO UPDATE SET public_key = excluded.public_key, enrolled_at = excluded.enrolled_at, revoked_at = NULL,
             last_contact_ms = NULL, connected_since_ms = NULL`,
        )
        .run(request.terminalId, request.publicKey, at);
      return { ok: true };
    })();
    return result;
  }

  isEnrolled(terminalId: string): boolean {
    return this.activeKey(terminalId) !== undefined;
  }

  /** Whether the terminal was revoked (enrolled once, now refused). */
  isRevoked(terminalId: string): boolean {
    const row = this.db.prepare('SELECT revoked_at FROM terminal WHERE id = ?').get(terminalId) as { revoked_at: string | null } | undefined;
    return row?.revoked_at != null;
  }

  /**
   * Revokes a terminal: its next handshake is refused, and gateways drop a
   * connected one (they check connected terminals, gateway/index.ts). Its
   * enrolment codes still unused are void too. false when it is unknown.
   */
  revoke(terminalId: string, nowMs = Date.now()): boolean {
    const at = new Date(nowMs).toISOString();
    const changed = this.db.transaction(() => {
      this.db.prepare('UPDATE terminal_enrol_code SET used_at = ? WHERE terminal_id = ? AND used_at IS NULL').run(at, terminalId);
      return this.db.prepare('UPDATE terminal SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, terminalId).changes;
    })();
    return changed > 0 || this.isRevoked(terminalId);
  }

  /** Of these terminal ids, the ones revoked now (a gateway drops their connections). */
  revokedAmong(terminalIds: readonly string[]): string[] {
    if (terminalIds.length === 0) return [];
    const rows = this.db
      .prepare(`SELECT id FROM terminal WHERE revoked_at IS NOT NULL AND id IN (SELECT value FROM json_each(?))`)
      .all(JSON.stringify(terminalIds)) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /**
   * The enrolled key of a terminal that is not revoked. Read from the
   * database every time (a revocation may come from the CLI or another
   * gateway); only the parsed key is cached, by its text.
   */
  private activeKey(terminalId: string): KeyObject | undefined {
    const row = cachedStatement(this.db, 'SELECT public_key FROM terminal WHERE id = ? AND revoked_at IS NULL').get(terminalId) as
      | { public_key: string }
      | undefined;
    return row ? this.parsedKey(row.public_key) : undefined;
  }

  private parsedKey(publicKey: string): KeyObject {
    const cached = this.keys.get(publicKey);
    if (cached) return cached;
    const key = createPublicKey({ key: Buffer.from(publicKey, 'base64'), format: 'der', type: 'spki' });
    if (this.keys.size >= KEY_CACHE_LIMIT) this.keys.delete(this.keys.keys().next().value!);
    this.keys.set(publicKey, key);
    return key;
  }

  /** The terminal's enrolled key, also after a revocation (an office checks its old receipts). */
  enrolledKey(terminalId: string): KeyObject | undefined {
    const row = this.db.prepare('SELECT public_key FROM terminal WHERE id = ?').get(terminalId) as { public_key: string } | undefined;
    return row ? this.parsedKey(row.public_key) : undefined;
  }

  /**
   * Checks an ed25519 signature (base64url) by the terminal's enrolled key.
   * The gateway checks every payment a kiosk took offline (issue 11 section
   * 5): the key of an active terminal comes from the cache its handshakes
   * use, as reading and parsing it per payment was a quarter of a backlog's
   * drain (tests/bench/gateway.bench.ts); a revoked one's from the table.
   */
  verifyTerminalSignature(terminalId: string, bytes: Uint8Array, signatureBase64Url: string): boolean {
    const key = this.activeKey(terminalId) ?? this.enrolledKey(terminalId);
    if (!key) return false;
    try {
      return verifySignature(null, bytes, key, Buffer.from(signatureBase64Url, 'base64url'));
    } catch {
      return false;
    }
  }

  /** Checks a handshake: enrolled and not revoked, fresh timestamp, valid signature, unseen nonce. */
  authenticate(auth: TerminalAuth, nowMs = Date.now()): { ok: true } | { ok: false; reason: AuthFailure } {
    const key = this.activeKey(auth.terminalId);
    if (!key) return { ok: false, reason: this.isRevoked(auth.terminalId) ? 'revoked-terminal' : 'unknown-terminal' };
    if (Math.abs(nowMs - auth.timestampMs) > AUTH_CLOCK_SKEW_LIMIT_MS) return { ok: false, reason: 'clock-skew' };
    if (!verifySignature(null, authMessage(auth), key, Buffer.from(auth.signature, 'base64'))) {
      return { ok: false, reason: 'bad-signature' };
    }
    return runTransaction(this.db, (): { ok: true } | { ok: false; reason: AuthFailure } => {
      cachedStatement(this.db, 'DELETE FROM terminal_nonce WHERE seen_at_ms < ?').run(nowMs - NONCE_MEMORY_MS);
      const inserted = cachedStatement(this.db, 'INSERT OR IGNORE INTO terminal_nonce (terminal_id, nonce, seen_at_ms) VALUES (?, ?, ?)').run(auth.terminalId, auth.nonce, nowMs).changes;
      return inserted === 1 ? { ok: true } : { ok: false, reason: 'replayed-nonce' };
    });
  }

  /**
   * The terminal's last successful contact (ms): a connection, a money event,
   * a status report, a disconnection; its enrolment before any. Kiosk
   * payments are dated no earlier than the last contact before the
   * connection that brings them (issue 10 section 2). 0 for an unknown terminal.
   */
  lastContactMs(terminalId: string): number {
    const row = cachedStatement(this.db, 'SELECT enrolled_at, last_contact_ms FROM terminal WHERE id = ?').get(terminalId) as
      | { enrolled_at: string; last_contact_ms: number | null }
      | undefined;
    if (!row) return 0;
    return row.last_contact_ms ?? Date.parse(row.enrolled_at);
  }

  /** Records contact with the terminal now. */
  touch(terminalId: string, nowMs = Date.now()): void {
    cachedStatement(this.db, 'UPDATE terminal SET last_contact_ms = MAX(COALESCE(last_contact_ms, 0), ?) WHERE id = ?').run(nowMs, terminalId);
  }
}

function hashCode(code: string): string {
  return createHash('sha256').update(`nongbao-enrol|${code}`).digest('hex');
}
