// Limits on failed office logins (issue 10 section 6: "login limits must not
// let one person lock a whole office out").
//
// Scheme: failures are counted in a sliding window (LOGIN_FAILURE_WINDOW_MS)
// under three keys, and an attempt is refused (429, before any password is
// hashed) while one of them is over its limit:
// 1. per user name and client address (5): one address guessing one name is
//    stopped after a handful of tries. The same name from another address is
//    not affected, so a guesser cannot lock the real user out from elsewhere;
//    before, 5 failures for a name from anywhere locked that name everywhere.
// 2. per client address, any names (30): one address spraying a password over
//    many names. An office behind one address mistypes far less than this.
// 3. per user name, all addresses together (50): many addresses (a botnet)
//    guessing one name. This limit does not apply to an address that logged
//    in as that user within LOGIN_TRUSTED_ADDRESS_MS: the attacker can slow
//    the name down for strangers, not shut its own user out of their office.
// Why counting and not a progressive delay: a delay holds a request (and its
// socket) open per guess, which a flood turns into the server's problem; a
// refusal with Retry-After costs nothing and says when to come back.
//
// In memory: a restart forgets failures and trusted addresses, which costs a
// guesser a restart's worth of tries and the real user at most the name-wide
// limit until they log in once. Every map is bounded (LOGIN_LIMIT_KEYS_LIMIT).
import { RegistryError } from './errors.js';

export const LOGIN_FAILURE_WINDOW_MS = 15 * 60_000;
/** Failed logins for one name from one address within the window (scheme point 1). */
export const LOGIN_FAILURES_PER_NAME_AND_ADDRESS_LIMIT = 5;
/** Failed logins from one address for any names within the window (scheme point 2). */
export const LOGIN_FAILURES_PER_ADDRESS_LIMIT = 30;
/** Failed logins for one name from all addresses within the window (scheme point 3). */
export const LOGIN_FAILURES_PER_NAME_LIMIT = 50;
/** How long a successful login exempts its (name, address) from the name-wide limit. */
export const LOGIN_TRUSTED_ADDRESS_MS = 30 * 24 * 3_600_000;
/** Keys (names, addresses, pairs) remembered per map; the oldest are forgotten first. */
export const LOGIN_LIMIT_KEYS_LIMIT = 10_000;
/** The address key of a login made without one (in-process callers). */
const UNKNOWN_ADDRESS = 'unknown-address';

/** Recent failures per key, pruned to the window. */
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
      if (this.failures.size >= LOGIN_LIMIT_KEYS_LIMIT) this.failures.delete(this.failures.keys().next().value!);
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

export class LoginLimiter {
  private readonly byPair: FailureWindow;
  private readonly byAddress: FailureWindow;
  private readonly byName: FailureWindow;
  /** Last successful login per (name, address) pair, ms. */
  private readonly trusted = new Map<string, number>();

  constructor(private readonly now: () => number) {
    this.byPair = new FailureWindow(LOGIN_FAILURES_PER_NAME_AND_ADDRESS_LIMIT, now);
    this.byAddress = new FailureWindow(LOGIN_FAILURES_PER_ADDRESS_LIMIT, now);
    this.byName = new FailureWindow(LOGIN_FAILURES_PER_NAME_LIMIT, now);
  }

  /** Throws `too-many-logins` (details.retryAfterSeconds) while any of the three limits refuses this attempt. */
  check(username: string, clientAddress: string | undefined): void {
    const address = clientAddress ?? UNKNOWN_ADDRESS;
    this.refuseWhile(this.byPair.blockedUntil(pairKey(username, address)), `too many failed logins for ${username} from ${address}`, 'username');
    this.refuseWhile(this.byAddress.blockedUntil(address), `too many failed logins from ${address}`, 'client');
    if (!this.isTrusted(username, address)) {
      this.refuseWhile(this.byName.blockedUntil(username), `too many failed logins for ${username} from many addresses`, 'username');
    }
  }

  failed(username: string, clientAddress: string | undefined): void {
    const address = clientAddress ?? UNKNOWN_ADDRESS;
    this.byPair.record(pairKey(username, address));
    this.byAddress.record(address);
    this.byName.record(username);
  }

  /** The pair's failures are forgotten and the address is trusted for the name; the address and the name keep their own counts (others may be guessing). */
  succeeded(username: string, clientAddress: string | undefined): void {
    const key = pairKey(username, clientAddress ?? UNKNOWN_ADDRESS);
    this.byPair.clear(key);
    this.trusted.delete(key);
    if (this.trusted.size >= LOGIN_LIMIT_KEYS_LIMIT) this.trusted.delete(this.trusted.keys().next().value!);
    this.trusted.set(key, this.now());
  }

  private isTrusted(username: string, address: string): boolean {
    const key = pairKey(username, address);
    const at = this.trusted.get(key);
    if (at === undefined) return false;
    if (this.now() - at < LOGIN_TRUSTED_ADDRESS_MS) return true;
    this.trusted.delete(key);
    return false;
  }

  private refuseWhile(retryAtMs: number | undefined, message: string, field: string): void {
    if (retryAtMs === undefined) return;
    const retryAfterSeconds = Math.max(1, Math.ceil((retryAtMs - this.now()) / 1000));
    throw new RegistryError('too-many-logins', `${message}: try again after ${new Date(retryAtMs).toISOString()}`, field, { retryAfterSeconds });
  }
}

/** An address (IP text, or UNKNOWN_ADDRESS) holds no NUL, so the key is unambiguous whatever the name. */
function pairKey(username: string, address: string): string {
  return `${username}\u0000${address}`;
}
