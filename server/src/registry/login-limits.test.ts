// The login limits' scheme (login-limits.ts) on the real UserService, with
// real scrypt hashes and a clock the test moves: a guesser is stopped, and
// stopping them does not lock the real user out of their office.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isRegistryError, type RegistryError } from './errors.js';
import {
  LOGIN_FAILURES_PER_NAME_AND_ADDRESS_LIMIT,
  LOGIN_FAILURES_PER_NAME_LIMIT,
  LOGIN_FAILURE_WINDOW_MS,
  LOGIN_TRUSTED_ADDRESS_MS,
  LoginLimiter,
} from './login-limits.js';
import { openTestStack, type TestStack } from './test-support.js';
import { UserService } from './users.js';

const PASSWORD = 'correct horse battery';
const OFFICE = '10.1.0.5';
const ATTACKER = '203.0.113.66';

function refusal(work: () => unknown): RegistryError | undefined {
  try {
    work();
    return undefined;
  } catch (error) {
    if (isRegistryError(error)) return error;
    throw error;
  }
}

let stack: TestStack;
let clock: number;
let users: UserService;

beforeEach(() => {
  stack = openTestStack({ today: '2024-05-01' });
  clock = Date.parse('2024-05-01T08:00:00Z');
  users = new UserService(stack.db, () => clock);
  users.createUser('wang.op', PASSWORD, 'operator');
});
afterEach(() => stack.close());

const loginFrom = (address: string, password = PASSWORD) => refusal(() => users.login('wang.op', password, address));

describe('login limits', () => {
  it('stops a brute force from one address: after five failures the address is refused for that name, even the right password, with the time to come back', () => {
    for (let i = 0; i < LOGIN_FAILURES_PER_NAME_AND_ADDRESS_LIMIT; i++) expect(loginFrom(ATTACKER, `guess ${i} guess`)?.code).toBe('bad-credentials');
    const refused = loginFrom(ATTACKER);
    expect(refused).toMatchObject({ code: 'too-many-logins', field: 'username', details: { retryAfterSeconds: LOGIN_FAILURE_WINDOW_MS / 1000 } });
    clock += LOGIN_FAILURE_WINDOW_MS;
    expect(loginFrom(ATTACKER)).toBeUndefined();
  });

  it('lets the real user in from their office while a guesser at another address is refused', () => {
    for (let i = 0; i < LOGIN_FAILURES_PER_NAME_AND_ADDRESS_LIMIT; i++) expect(loginFrom(ATTACKER, `guess ${i} guess`)?.code).toBe('bad-credentials');
    expect(loginFrom(ATTACKER)?.code).toBe('too-many-logins');
    // The office has never logged in before (nothing vouches for it) and still gets in.
    expect(loginFrom(OFFICE)).toBeUndefined();
    // A typo at the office is one failure of its own, not a lock.
    expect(loginFrom(OFFICE, 'correct horse batery')?.code).toBe('bad-credentials');
    expect(loginFrom(OFFICE)).toBeUndefined();
    expect(loginFrom(ATTACKER)?.code).toBe('too-many-logins');
  });

  it('refuses one name to new addresses once many addresses have guessed it, but not to an address it logged in from recently', () => {
    expect(loginFrom(OFFICE)).toBeUndefined();
    const botnet = Array.from({ length: LOGIN_FAILURES_PER_NAME_LIMIT / LOGIN_FAILURES_PER_NAME_AND_ADDRESS_LIMIT }, (_, i) => `198.51.100.${i + 1}`);
    for (const address of botnet) {
      for (let i = 0; i < LOGIN_FAILURES_PER_NAME_AND_ADDRESS_LIMIT; i++) expect(loginFrom(address, `guess ${i} guess`)?.code).toBe('bad-credentials');
    }
    // A new address, even with the right password, must wait; so must a guesser with a fresh address.
    expect(loginFrom('192.0.2.200')).toMatchObject({ code: 'too-many-logins', field: 'username' });
    expect(loginFrom('192.0.2.201', 'yet another guess')?.code).toBe('too-many-logins');
    // The office, which logged in as wang.op a moment ago, gets in.
    expect(loginFrom(OFFICE)).toBeUndefined();
    // Other names are not affected.
    users.createUser('li.audit', PASSWORD, 'auditor');
    expect(refusal(() => users.login('li.audit', PASSWORD, '192.0.2.200'))).toBeUndefined();
    clock += LOGIN_FAILURE_WINDOW_MS;
    expect(loginFrom('192.0.2.200')).toBeUndefined();
  });
});

describe('the login limiter alone', () => {
  it('trusts an address for a name for LOGIN_TRUSTED_ADDRESS_MS after a success, then no longer', () => {
    let now = 0;
    const limiter = new LoginLimiter(() => now);
    limiter.succeeded('wang.op', OFFICE);
    now = LOGIN_TRUSTED_ADDRESS_MS - 1 - LOGIN_FAILURE_WINDOW_MS / 2;
    for (let i = 0; i < LOGIN_FAILURES_PER_NAME_LIMIT; i++) limiter.failed('wang.op', `198.51.100.${i}`);
    expect(() => limiter.check('wang.op', '192.0.2.1')).toThrow(/many addresses/);
    expect(() => limiter.check('wang.op', OFFICE)).not.toThrow();
    now = LOGIN_TRUSTED_ADDRESS_MS;
    expect(() => limiter.check('wang.op', OFFICE)).toThrow(/many addresses/);
  });

  it('counts in-process logins without an address as one address', () => {
    const limiter = new LoginLimiter(() => 0);
    for (let i = 0; i < LOGIN_FAILURES_PER_NAME_AND_ADDRESS_LIMIT; i++) limiter.failed('wang.op', undefined);
    expect(() => limiter.check('wang.op', undefined)).toThrow(/unknown-address/);
    expect(() => limiter.check('wang.op', OFFICE)).not.toThrow();
  });
});
