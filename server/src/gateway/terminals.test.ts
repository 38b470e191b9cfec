import { generateKeyPairSync, randomBytes, sign, createPublicKey, type KeyObject } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabaseAt, openTestServerDatabase, testServerDbSpec } from '../sql/test-db.js';
import { AUTH_CLOCK_SKEW_LIMIT_MS, PROTOCOL_VERSION, authMessage } from '@nongbao/protocol';
import { ENROL_CODE_TTL_MS, TerminalRegistry } from './terminals.js';

function keyPair(): { privateKey: KeyObject; publicKey: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey: createPublicKey(privateKey).export({ type: 'spki', format: 'der' }).toString('base64') };
}

function handshake(terminalId: string, privateKey: KeyObject, timestampMs = Date.now(), nonce = randomBytes(16).toString('hex')) {
  const base = { terminalId, timestampMs, nonce };
  return { v: PROTOCOL_VERSION, ...base, signature: sign(null, authMessage(base), privateKey).toString('base64') } as const;
}

describe('terminal enrolment and authentication', () => {
  let registry: TerminalRegistry;
  const kiosk = keyPair();

  beforeEach(() => {
    registry = new TerminalRegistry(openTestServerDatabase());
  });

  it('enrols a terminal once with its one-time code, then authenticates its signed handshake', () => {
    const code = registry.issueEnrolCode('kiosk-01');
    expect(code).toMatch(/^[0-9A-Z]{8}$/);
    expect(registry.enrol({ terminalId: 'kiosk-01', code, publicKey: kiosk.publicKey })).toEqual({ ok: true });
    expect(registry.authenticate(handshake('kiosk-01', kiosk.privateKey))).toEqual({ ok: true });
  });

  it('refuses a used code, a code for another terminal, an expired code and an unknown code', () => {
    const code = registry.issueEnrolCode('kiosk-01');
    expect(registry.enrol({ terminalId: 'kiosk-02', code, publicKey: kiosk.publicKey })).toEqual({ ok: false, reason: 'code-for-other-terminal' });
    registry.enrol({ terminalId: 'kiosk-01', code, publicKey: kiosk.publicKey });
    expect(registry.enrol({ terminalId: 'kiosk-01', code, publicKey: kiosk.publicKey })).toEqual({ ok: false, reason: 'code-used' });
    const old = registry.issueEnrolCode('kiosk-03', Date.now() - ENROL_CODE_TTL_MS - 1);
    expect(registry.enrol({ terminalId: 'kiosk-03', code: old, publicKey: kiosk.publicKey })).toEqual({ ok: false, reason: 'code-expired' });
    expect(registry.enrol({ terminalId: 'kiosk-03', code: 'ZZZZZZZZ', publicKey: kiosk.publicKey })).toEqual({ ok: false, reason: 'code-unknown' });
  });

  it('refuses a key that is not ed25519', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const code = registry.issueEnrolCode('kiosk-01');
    expect(registry.enrol({ terminalId: 'kiosk-01', code, publicKey: rsa })).toEqual({ ok: false, reason: 'bad-public-key' });
  });

  it('refuses an unknown terminal, another key, a stale clock and a replayed handshake', () => {
    const code = registry.issueEnrolCode('kiosk-01');
    registry.enrol({ terminalId: 'kiosk-01', code, publicKey: kiosk.publicKey });
    expect(registry.authenticate(handshake('kiosk-99', kiosk.privateKey))).toEqual({ ok: false, reason: 'unknown-terminal' });
    expect(registry.authenticate(handshake('kiosk-01', keyPair().privateKey))).toEqual({ ok: false, reason: 'bad-signature' });
    expect(registry.authenticate(handshake('kiosk-01', kiosk.privateKey, Date.now() - AUTH_CLOCK_SKEW_LIMIT_MS - 1000))).toEqual({
      ok: false,
      reason: 'clock-skew',
    });
    const once = handshake('kiosk-01', kiosk.privateKey);
    expect(registry.authenticate(once)).toEqual({ ok: true });
    expect(registry.authenticate(once)).toEqual({ ok: false, reason: 'replayed-nonce' });
  });

  it("checks a signature by the terminal's key: its current key only, also once it is revoked", () => {
    const bytes = new TextEncoder().encode('a provisional receipt');
    const signed = (key: KeyObject) => sign(null, bytes, key).toString('base64url');
    registry.enrol({ terminalId: 'kiosk-01', code: registry.issueEnrolCode('kiosk-01'), publicKey: kiosk.publicKey });
    expect(registry.authenticate(handshake('kiosk-01', kiosk.privateKey))).toEqual({ ok: true }); // its key is now cached
    expect(registry.verifyTerminalSignature('kiosk-01', bytes, signed(kiosk.privateKey))).toBe(true);
    expect(registry.verifyTerminalSignature('kiosk-01', bytes, signed(keyPair().privateKey))).toBe(false);
    expect(registry.verifyTerminalSignature('kiosk-99', bytes, signed(kiosk.privateKey))).toBe(false);
    // Re-enrolled with a new key (a replaced kiosk): the old key no longer signs for it.
    registry.revoke('kiosk-01');
    expect(registry.verifyTerminalSignature('kiosk-01', bytes, signed(kiosk.privateKey))).toBe(true);
    const replacement = keyPair();
    registry.enrol({ terminalId: 'kiosk-01', code: registry.issueEnrolCode('kiosk-01'), publicKey: replacement.publicKey });
    expect(registry.verifyTerminalSignature('kiosk-01', bytes, signed(kiosk.privateKey))).toBe(false);
    expect(registry.verifyTerminalSignature('kiosk-01', bytes, signed(replacement.privateKey))).toBe(true);
  });

  it('keeps enrolments across a restart (same database file)', () => {
    const spec = testServerDbSpec();
    const first = new TerminalRegistry(openTestDatabaseAt(spec));
    first.enrol({ terminalId: 'kiosk-01', code: first.issueEnrolCode('kiosk-01'), publicKey: kiosk.publicKey });
    const second = new TerminalRegistry(openTestDatabaseAt(spec));
    expect(second.authenticate(handshake('kiosk-01', kiosk.privateKey))).toEqual({ ok: true });
  });
});
