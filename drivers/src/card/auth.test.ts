import { describe, expect, it } from 'vitest';
import { aesCmac, computeCardCryptogram, DEMO_ISSUER_KEY, diversifyCardKey, verifyCardAuthenticationEvidence, verifyCardCryptogram } from './auth.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const RFC4493_KEY = hex('2b7e1516 28aed2a6 abf71588 09cf4f3c');
const MESSAGE = hex('6bc1bee2 2e409f96 e93d7e11 7393172a ae2d8a57 1e03ac9c 9eb76fac 45af8e51 30c81c46 a35ce411 e5fbc119 1a0a52ef f69f2445 df4f9b17 ad2b417b e66c3710');
const CARD_ID = '430299D156000005000000133A05F2E3';
const CHALLENGE = hex('0011223344556677 8899AABBCCDDEEFF');

describe('AES-CMAC', () => {
  it.each([
    [0, 'bb1d6929 e9593728 7fa37d12 9b756746'],
    [16, '070a16b4 6b4d4144 f79bdd9d d04a287c'],
    [40, 'dfa66747 de9ae630 30ca3261 1497c827'],
    [64, '51f0bebf 7e3b9d92 fc497417 79363cfe'],
  ])('matches RFC 4493 example for a %i-byte message', (length, tag) => {
    expect(aesCmac(RFC4493_KEY, MESSAGE.subarray(0, length))).toEqual(hex(tag));
  });
});

describe('card authenticity', () => {
  const cardKey = diversifyCardKey(DEMO_ISSUER_KEY, CARD_ID);

  it('gives every card its own key', () => {
    expect(diversifyCardKey(DEMO_ISSUER_KEY, '430299D156000005000000133A05F2E4')).not.toEqual(cardKey);
  });

  it('verifies the cryptogram of a card holding the diversified key', () => {
    expect(verifyCardCryptogram(DEMO_ISSUER_KEY, CARD_ID, CHALLENGE, computeCardCryptogram(cardKey, CARD_ID, CHALLENGE))).toBe(true);
  });

  it('refuses a clone that copied the data but not the key', () => {
    const cloneKey = Buffer.alloc(16, 0x11);
    expect(verifyCardCryptogram(DEMO_ISSUER_KEY, CARD_ID, CHALLENGE, computeCardCryptogram(cloneKey, CARD_ID, CHALLENGE))).toBe(false);
  });

  it('refuses a cryptogram replayed for another challenge or another card', () => {
    const cryptogram = computeCardCryptogram(cardKey, CARD_ID, CHALLENGE);
    const other = Buffer.from(CHALLENGE);
    other[0]! ^= 1;
    expect(verifyCardCryptogram(DEMO_ISSUER_KEY, CARD_ID, other, cryptogram)).toBe(false);
    expect(verifyCardCryptogram(DEMO_ISSUER_KEY, '430299D156000005000000133A05F2E4', CHALLENGE, cryptogram)).toBe(false);
  });

  it('answers false, not a throw, for malformed evidence from the network', () => {
    expect(verifyCardCryptogram(DEMO_ISSUER_KEY, 'nothex', CHALLENGE, Buffer.alloc(16))).toBe(false);
    expect(verifyCardCryptogram(DEMO_ISSUER_KEY, CARD_ID, CHALLENGE.subarray(0, 3), Buffer.alloc(16))).toBe(false);
    expect(verifyCardAuthenticationEvidence(DEMO_ISSUER_KEY, { cardIdentifier: CARD_ID, challenge: 'zz', cryptogram: '00' })).toBe(false);
  });
});
