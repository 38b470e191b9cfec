// Terminal identities: each kiosk has its own ed25519 key, enrolled once with a
// one-time code issued by the county office (ARCHITECTURE.md, "Contracts").
import { createHash, createPublicKey, randomInt, verify as verifySignature, type KeyObject } from 'node:crypto';
import type { SqliteDatabase } from '../db.js';
import { AUTH_CLOCK_SKEW_LIMIT_MS, authMessage, type EnrolRequest, type TerminalAuth } from '../protocol/index.js';

/** A one-time enrolment code is valid this long after it is issued. */
export const ENROL_CODE_TTL_MS = 7 * 24 * 3600_000;
const ENROL_CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ'; // no 0/O, 1/I: read aloud over the phone
const NONCE_MEMORY_LIMIT = 100_000;

export type EnrolFailure = 'code-unknown' | 'code-used' | 'code-expired' | 'code-for-other-terminal' | 'bad-public-key' | 'already-enrolled';
export type AuthFailure = 'unknown-terminal' | 'clock-skew' | 'replayed-nonce' | 'bad-signature';

export class TerminalRegistry {
  private readonly keys = new Map<string, KeyObject>();
  /** nonce -> timestamp; a nonce is only remembered for the clock-skew window. */
  private readonly seenNonces = new Map<string, number>();

  constructor(private readonly db: SqliteDatabase) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS terminal (
        id TEXT PRIMARY KEY,
        public_key TEXT NOT NULL,
        enrolled_at TEXT NOT NULL,
        revoked_at TEXT
      );
      CREATE TABLE IF NOT EXISTS terminal_enrol_code (
        code_hash TEXT PRIMARY KEY,
        terminal_id TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        expires_at_ms INTEGER NOT NULL,
        used_at TEXT
      );
    `);
    const columns = db.prepare("SELECT name FROM pragma_table_info('terminal')").all() as { name: string }[];
    if (!columns.some((c) => c.name === 'last_contact_ms')) db.exec('ALTER TABLE terminal ADD COLUMN last_contact_ms INTEGER');
  }

  /**
   * The terminal's last successful contact (ms): a connection, a money event,
   * a disconnection; its enrolment before any. Kiosk payments are dated no
   * earlier than the last contact before the connection that brings them
   * (issue 10 section 2). 0 for an unknown terminal.
   */
  lastContactMs(terminalId: string): number {
    const row = this.db.prepare('SELECT enrolled_at, last_contact_ms FROM terminal WHERE id = ?').get(terminalId) as
      | { enrolled_at: string; last_contact_ms: number | null }
      | undefined;
    if (!row) return 0;
    return row.last_contact_ms ?? Date.parse(row.enrolled_at);
  }

  /** Records contact with the terminal now. */
  touch(terminalId: string, nowMs = Date.now()): void {
    this.db.prepare('UPDATE terminal SET last_contact_ms = MAX(COALESCE(last_contact_ms, 0), ?) WHERE id = ?').run(nowMs, terminalId);
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

  enrol(request: EnrolRequest, nowMs = Date.now()): { ok: true } | { ok: false; reason: EnrolFailure } {
    let key: KeyObject;
    try {
      key = createPublicKey({ key: Buffer.from(request.publicKey, 'base64'), format: 'der', type: 'spki' });
      if (key.asymmetricKeyType !== 'ed25519') return { ok: false, reason: 'bad-public-key' };
    } catch {
      return { ok: false, reason: 'bad-public-key' };
    }
    const enrol = this.db.transaction((): { ok: true } | { ok: false; reason: EnrolFailure } => {
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
        .prepare('INSERT OR REPLACE INTO terminal (id, public_key, enrolled_at, revoked_at) VALUES (?, ?, ?, NULL)')
        .run(request.terminalId, request.publicKey, at);
      return { ok: true };
    });
    const result = enrol();
    if (result.ok) this.keys.set(request.terminalId, key);
    return result;
  }

  isEnrolled(terminalId: string): boolean {
    return this.publicKey(terminalId) !== undefined;
  }

  private publicKey(terminalId: string): KeyObject | undefined {
    const cached = this.keys.get(terminalId);
    if (cached) return cached;
    const row = this.db.prepare('SELECT public_key FROM terminal WHERE id = ? AND revoked_at IS NULL').get(terminalId) as
      | { public_key: string }
      | undefined;
    if (!row) return undefined;
    const key = createPublicKey({ key: Buffer.from(row.public_key, 'base64'), format: 'der', type: 'spki' });
    this.keys.set(terminalId, key);
    return key;
  }

  /** Checks a handshake: enrolled key, fresh timestamp, unseen nonce, valid signature. */
  authenticate(auth: TerminalAuth, nowMs = Date.now()): { ok: true } | { ok: false; reason: AuthFailure } {
    const key = this.publicKey(auth.terminalId);
    if (!key) return { ok: false, reason: 'unknown-terminal' };
    if (Math.abs(nowMs - auth.timestampMs) > AUTH_CLOCK_SKEW_LIMIT_MS) return { ok: false, reason: 'clock-skew' };
    if (!verifySignature(null, authMessage(auth), key, Buffer.from(auth.signature, 'base64'))) {
      return { ok: false, reason: 'bad-signature' };
    }
    this.forgetOldNonces(nowMs);
    const nonceKey = `${auth.terminalId}:${auth.nonce}`;
    if (this.seenNonces.has(nonceKey)) return { ok: false, reason: 'replayed-nonce' };
    this.seenNonces.set(nonceKey, nowMs);
    return { ok: true };
  }

  private forgetOldNonces(nowMs: number): void {
    // Insertion order is time order, so the oldest are first.
    for (const [nonce, seenMs] of this.seenNonces) {
      if (nowMs - seenMs <= 2 * AUTH_CLOCK_SKEW_LIMIT_MS && this.seenNonces.size < NONCE_MEMORY_LIMIT) break;
      this.seenNonces.delete(nonce);
    }
  }
}

function hashCode(code: string): string {
  return createHash('sha256').update(`nongbao-enrol|${code}`).digest('hex');
}
