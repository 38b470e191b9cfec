// The password rule (password-policy.ts): each weakness named on a password
// that has it and no other, and passwords that pass, the demo's among them.
import { describe, expect, it } from 'vitest';
import { DEMO_OFFICE_PASSWORD } from '../services.js';
import { PASSWORD_MAX_LENGTH, passwordWeakness, type PasswordWeakness } from './password-policy.js';

const WEAK: Array<[password: string, username: string, weakness: PasswordWeakness]> = [
  ['Ab3$efg', 'wang.op', 'too-short'],
  ['长城长城长城长城长', 'wang.op', 'too-short'],
  ['x'.repeat(PASSWORD_MAX_LENGTH + 1), 'wang.op', 'too-long'],
  ['password123', 'wang.op', 'common'],
  ['Password2024!', 'wang.op', 'common'],
  ['nongbao2024', 'wang.op', 'common'],
  ['1234567890', 'wang.op', 'common'],
  ['qwertyuiop', 'wang.op', 'common'],
  ['my-wang.op-key', 'wang.op', 'contains-username'],
  ['MY-WANG.OP-KEY', 'wang.op', 'contains-username'],
  ['sunflowers', 'wang.op', 'one-kind-of-character'],
  ['9876501234', 'wang.op', 'one-kind-of-character'],
  ['aaaaaaaaa1', 'wang.op', 'too-few-distinct-characters'],
];

const STRONG: Array<[password: string, username: string]> = [
  [DEMO_OFFICE_PASSWORD, 'operator'],
  [DEMO_OFFICE_PASSWORD, 'auditor'],
  ['correct horse battery', 'wang.op'],
  ['sunflowersinjuly', 'wang.op'],
  ['上坝村2011年的账本', 'wang.op'],
  ['Tr4vel-by-yak', 'li.audit'],
];

describe('the password rule', () => {
  it.each(WEAK)('refuses %j for %s as %s', (password, username, weakness) => {
    const weak = passwordWeakness(password, username);
    expect(weak?.weakness).toBe(weakness);
    expect(weak?.message).toMatch(/^password: /);
  });

  it.each(STRONG)('accepts %j for %s', (password, username) => {
    expect(passwordWeakness(password, username)).toBeUndefined();
  });
});
