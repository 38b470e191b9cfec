// Office users (ARCHITECTURE.md "Roles": county operator and auditor, admin
// console login, hashed passwords). Passwords are hashed with scrypt
// (node:crypto) and a random salt; login hands out an opaque bearer token of
// which only the SHA-256 is stored, so a copy of the database cannot be used
// to log in. Tokens expire after SESSION_TTL_MS.
import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { SqliteDatabase } from '../db.js';
import { RegistryError } from './errors.js';

export type Role = 'operator' | 'auditor';
export const ROLES: readonly Role[] = ['operator', 'auditor'];

/** How long a login token stays valid. */
export const SESSION_TTL_MS = 8 * 3_600_000;
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 200;
/** Sessions kept per user; the oldest beyond this are dropped at login. */
export const SESSIONS_PER_USER_LIMIT = 20;
/**
 * Failed logins for one user name within LOGIN_FAILURE_WINDOW_MS after which
 * further attempts for that name are refused (429, before any password is
 * hashed) until the oldest failure leaves the window.
 */
export const LOGIN_FAILURES_LIMIT = 5;
/**
 * Failed logins from one client address (any names) within the window after
 * which that address is refused the same way: a guesser trying one password on
 * many names. A county office behind one address mistypes far less than this.
 */
export const LOGIN_FAILURES_PER_ADDRESS_LIMIT = 30;
export const LOGIN_FAILURE_WINDOW_MS = 15 * 60_000;
/** Names (or addresses) whose recent failures are remembered (the oldest are forgotten first). */
const LOGIN_FAILURE_KEYS_LIMIT = 10_000;

/** Recent failures per key (a user name or a client address), in memory, pruned to the window. */
class FailureWindow {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly now: () => number,
  ) {}

  /** When `key` may try again (ms), or undefined when it is under its limit. */
  blockedUntil(key: string): number | undefined {
    const recent = this.recent(key);
    return recent.length >= this.limit ? recent[recent.length - this.limit]! + LOGIN_FAILURE_WINDOW_MS : undefined;
  }

  record(key: string): void {
    const list = this.recent(key);
    if (list.length === 0) {
      if (this.failures.size >= LOGIN_FAILURE_KEYS_LIMIT) this.failures.delete(this.failures.keys().next().value!);
      this.failures.set(key, list);
    }
    list.push(this.now());
  }

  clear(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string): number[] {
    const list = this.failures.get(key);
    if (list === undefined) return [];
    const since = this.now() - LOGIN_FAILURE_WINDOW_MS;
    while (list.length > 0 && list[0]! <= since) list.shift();
    if (list.length === 0) this.failures.delete(key);
    return list;
  }
}

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
  /**
   * Recent failed logins per user name (known or not) and per client address,
   * in memory: a restart forgets them, which costs a guesser a restart's worth
   * of tries.
   */
  private readonly failuresByName: FailureWindow;
  private readonly failuresByAddress: FailureWindow;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly now: () => number = Date.now,
  ) {
    this.failuresByName = new FailureWindow(LOGIN_FAILURES_LIMIT, now);
    this.failuresByAddress = new FailureWindow(LOGIN_FAILURES_PER_ADDRESS_LIMIT, now);
  }

  private refuseWhileBlocked(retryAtMs: number | undefined, message: string, field: string): void {
    if (retryAtMs === undefined) return;
    const retryAfterSeconds = Math.max(1, Math.ceil((retryAtMs - this.now()) / 1000));
    throw new RegistryError('too-many-logins', `${message}: try again after ${new Date(retryAtMs).toISOString()}`, field, { retryAfterSeconds });
  }

  createUser(username: string, password: string, role: Role): OfficeUser {
    if (!USERNAME_PATTERN.test(username)) {
      throw new RegistryError('invalid-id', 'username: 3-32 lowercase letters, digits, . _ -, starting with a letter', 'username');
    }
    if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
      throw new RegistryError(
        'invalid-id',
        `password: ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`,
        'password',
      );
    }
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
   * same error. `clientAddress` (the request's peer) is limited too, when given.
   */
  login(username: string, password: string, clientAddress?: string): Session {
    // Refused before scrypt: a flood of guesses must not cost a hash each.
    this.refuseWhileBlocked(this.failuresByName.blockedUntil(username), `too many failed logins for ${username}`, 'username');
    if (clientAddress !== undefined) {
      this.refuseWhileBlocked(this.failuresByAddress.blockedUntil(clientAddress), `too many failed logins from ${clientAddress}`, 'client');
    }
    const row = this.db.prepare('SELECT role, password_hash FROM reg_users WHERE username = ?').get(username) as
      | { role: Role; password_hash: string }
      | undefined;
    const ok = passwordMatches(password, row?.password_hash ?? DUMMY_HASH) && row !== undefined;
    if (!ok || !row) {
      this.failuresByName.record(username);
      if (clientAddress !== undefined) this.failuresByAddress.record(clientAddress);
      throw new RegistryError('bad-credentials', 'unknown user or wrong password', 'password');
    }
    // A success clears the name's failures; the address keeps its own (others may guess from it).
    this.failuresByName.clear(username);
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
