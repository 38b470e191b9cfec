// Office users (ARCHITECTURE.md "Roles": county operator and auditor, admin
// console login, hashed passwords). Passwords are hashed with scrypt
// (node:crypto) and a random salt; login hands out an opaque bearer token of
// which only the SHA-256 is stored, so a copy of the database cannot be used
// to log in. Tokens expire after SESSION_TTL_MS.
import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { SqlDatabase } from '../sql/types.js';
import { RegistryError } from './errors.js';
import { LoginLimiter } from './login-limits.js';
import { passwordWeakness } from './password-policy.js';

export type Role = 'operator' | 'auditor';
export const ROLES: readonly Role[] = ['operator', 'auditor'];

/** How long a login token stays valid. */
export const SESSION_TTL_MS = 8 * 3_600_000;
/** Sessions kept per user; the oldest beyond this are dropped at login. */
export const SESSIONS_PER_USER_LIMIT = 20;

// scrypt cost: N=2^14, r=8, p=1 (about 16 MiB, some tens of ms per hash).
const SCRYPT_N = 16_384;
const SCRYPT_R = 8;
const SCRYPT_P = 1;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
const USERNAME_PATTERN = /^[a-z][a-z0-9._-]{2,31}$/;

function hashPassword(password: string, salt: Buffer, n = SCRYPT_N, r = SCRYPT_R, p = SCRYPT_P): Buffer {
  return scryptSync(password.normalize('NFKC'), salt, KEY_BYTES, { N: n, r, p, maxmem: 64 * 1024 * 1024 });
}

/** `scrypt$N$r$p$salt$hash` (base64), so the cost can be raised later without a migration. */
export function encodePasswordHash(password: string): string {
  const salt = randomBytes(SALT_BYTES);
  const key = hashPassword(password, salt);
  return `scrypt$${SCRYPT_N}$${SCRYPT_R}$${SCRYPT_P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export function passwordMatches(password: string, encoded: string): boolean {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  const actual = hashPassword(password, salt, n, r, p);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface OfficeUser {
  username: string;
  role: Role;
}

export interface Session {
  token: string;
  username: string;
  role: Role;
  expiresAt: string;
}

// A fixed hash to compare against when the user does not exist, so that a
// login for an unknown name takes as long as one with a wrong password.
const DUMMY_HASH = encodePasswordHash('nongbao-dummy-password');

export class UserService {
  /** Failed logins by name, address and both (login-limits.ts says the scheme and why). */
  private readonly limits: LoginLimiter;

  constructor(
    private readonly db: SqlDatabase,
    private readonly now: () => number = Date.now,
  ) {
    this.limits = new LoginLimiter(now);
  }

  createUser(username: string, password: string, role: Role): OfficeUser {
    if (!USERNAME_PATTERN.test(username)) {
      throw new RegistryError('invalid-id', 'username: 3-32 lowercase letters, digits, . _ -, starting with a letter', 'username');
    }
    const weak = passwordWeakness(password, username);
    if (weak) throw new RegistryError('weak-password', weak.message, 'password', { weakness: weak.weakness });
    if (!ROLES.includes(role)) throw new RegistryError('invalid-id', `role: one of ${ROLES.join(', ')}`, 'role');
    const exists = this.db.prepare('SELECT 1 FROM reg_users WHERE username = ?').get(username);
    if (exists) throw new RegistryError('user-exists', `user ${username} exists`, 'username');
    this.db
      .prepare('INSERT INTO reg_users (username, role, password_hash, created_at) VALUES (?, ?, ?, ?)')
      .run(username, role, encodePasswordHash(password), new Date(this.now()).toISOString());
    return { username, role };
  }

  /**
   * Checks the password and opens a session; a wrong name or password is the
   * same error. Failures are limited per name, per `clientAddress` (the
   * request's peer) and per both (LoginLimiter).
   */
  login(username: string, password: string, clientAddress?: string): Session {
    // Refused before scrypt: a flood of guesses must not cost a hash each.
    this.limits.check(username, clientAddress);
    const row = this.db.prepare('SELECT role, password_hash FROM reg_users WHERE username = ?').get(username) as
      | { role: Role; password_hash: string }
      | undefined;
    const ok = passwordMatches(password, row?.password_hash ?? DUMMY_HASH) && row !== undefined;
    if (!ok || !row) {
      this.limits.failed(username, clientAddress);
      throw new RegistryError('bad-credentials', 'unknown user or wrong password', 'password');
    }
    this.limits.succeeded(username, clientAddress);
    const token = randomBytes(32).toString('base64url');
    const expiresAtMs = this.now() + SESSION_TTL_MS;
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM reg_sessions WHERE expires_at_ms <= ?').run(this.now());
      this.db
        .prepare(
          `DELETE FROM reg_sessions WHERE username = ? AND token_hash NOT IN
             (SELECT token_hash FROM reg_sessions WHERE username = ? ORDER BY expires_at_ms DESC LIMIT ?)`,
        )
        .run(username, username, SESSIONS_PER_USER_LIMIT - 1);
      this.db
        .prepare('INSERT INTO reg_sessions (token_hash, username, expires_at_ms) VALUES (?, ?, ?)')
        .run(tokenHash(token), username, expiresAtMs);
    })();
    return { token, username, role: row.role, expiresAt: new Date(expiresAtMs).toISOString() };
  }

  /** The user behind a bearer token, or undefined when unknown or expired. */
  authenticate(token: string): OfficeUser | undefined {
    const row = this.db
      .prepare(
        `SELECT u.username, u.role FROM reg_sessions s JOIN reg_users u ON u.username = s.username
         WHERE s.token_hash = ? AND s.expires_at_ms > ?`,
      )
      .get(tokenHash(token), this.now()) as OfficeUser | undefined;
    return row ? { username: row.username, role: row.role } : undefined;
  }

  logout(token: string): void {
    this.db.prepare('DELETE FROM reg_sessions WHERE token_hash = ?').run(tokenHash(token));
  }
}
