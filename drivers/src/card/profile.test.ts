import { describe, expect, it } from 'vitest';
import { makeVirtualCardProfile, parseVirtualCardProfile } from './profile.js';
import { CardErrorCode } from './errors.js';
import { DEMO_ISSUER_KEY, diversifyCardKey } from './auth.js';
import { citizenNumber } from './test-support.js';
import { parseVirtualCardArgs } from './cli.js';

describe('virtual card profiles', () => {
  it('makes the same valid profile for the same person every time, with the diversified key', () => {
    const input = { citizenNumber: citizenNumber('1961-07-01', 101), name: '次仁卓玛', pin: '112233' };
    const a = makeVirtualCardProfile(input);
    expect(makeVirtualCardProfile(input)).toEqual(a);
    expect(parseVirtualCardProfile(JSON.stringify(a))).toEqual(a);
    expect(a.cardKeyHex).toBe(diversifyCardKey(DEMO_ISSUER_KEY, a.card.identifierHex).toString('hex').toUpperCase());
    expect(a.holder).toMatchObject({ birthDate: '1961-07-01', sex: 'male' });
  });

  it('gives 50 people 50 different card identifiers and numbers', () => {
    const profiles = Array.from({ length: 50 }, (_, i) => makeVirtualCardProfile({ citizenNumber: citizenNumber('1950-01-01', i + 1), name: '某', pin: '123456' }));
    expect(new Set(profiles.map((p) => p.card.identifierHex)).size).toBe(50);
    expect(new Set(profiles.map((p) => p.card.cardNumber)).size).toBe(50);
  });

  it('refuses a profile naming what is wrong', () => {
    const good = makeVirtualCardProfile({ citizenNumber: citizenNumber('1961-07-01'), name: '某', pin: '112233' });
    expect(() => parseVirtualCardProfile({ ...good, pin: '12' })).toThrow(expect.objectContaining({ code: CardErrorCode.profileInvalid, message: expect.stringContaining('pin') }));
    expect(() => parseVirtualCardProfile('{not json')).toThrow(expect.objectContaining({ code: CardErrorCode.profileInvalid }));
    expect(() => parseVirtualCardProfile({ ...good, pinTriesLeft: 9 })).toThrow(expect.objectContaining({ message: expect.stringContaining('pinTriesLeft') }));
  });

  it('parses the virtual-card command line', () => {
    expect(parseVirtualCardArgs(['--profile', 'p.json', '--slot', '1'])).toEqual({ profilePath: 'p.json', slot: 1, host: '127.0.0.1' });
    expect(parseVirtualCardArgs(['--slot=2', '--profile=p.json'])).toMatch(/--slot must be 0 or 1/);
    expect(parseVirtualCardArgs([])).toMatch(/--profile FILE is required/);
  });
});
