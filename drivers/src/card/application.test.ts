import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { SocialSecurityCardApp } from './application.js';
import { DEMO_ISSUER_KEY, verifyCardAuthenticationEvidence } from './auth.js';
import { CardErrorCode, residentMessage } from './errors.js';
import { InProcessCardReader } from './in-process.js';
import { CardSession } from './session.js';
import { VirtualCard } from './simulator.js';
import { parseTranscript, ReplayTransport } from './transcript.js';
import { citizenNumber, editedProfile, residentProfile } from './test-support.js';
import type { ApduTransport } from './types.js';
import type { VirtualCardProfile } from './profile.js';

const silent = pino({ level: 'silent' });
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

/** The card's transport through a CardSession (T=0 layer included), counting raw round trips. */
function openCard(profile: VirtualCardProfile): { card: VirtualCard; transport: ApduTransport; app: SocialSecurityCardApp } {
  const card = new VirtualCard(profile);
  const transport = new CardSession(async (command) => card.transmit(command), { readerName: 'test', logger: silent });
  return { card, transport, app: new SocialSecurityCardApp(transport, { logger: silent }) };
}

describe('reading identity', () => {
  it.each(['t0', 't1'] as const)('reads every field of a generation-3 resident card (%s)', async (protocol) => {
    const number = citizenNumber('1958-03-07', 12);
    const { app } = openCard(residentProfile({ citizenNumber: number, protocol, nameExtension: '次仁' }));
    await expect(app.readIdentity()).resolves.toMatchObject({
      kind: 'resident',
      citizenNumber: number,
      name: '李秀英次仁',
      cardType: '3',
      specVersion: '3.00',
      generation: 3,
      sex: 'female', // sequence 012: even digit 17
      ethnicity: '01',
      birthDate: '1958-03-07',
      birthplace: '430299',
      issueDate: '2020-06-01',
      expiryDate: '2030-06-01',
      cardIdentifier: expect.stringMatching(/^430299D156000005[0-9A-F]{16}$/),
      cardNumber: expect.stringMatching(/^[A-Z]\d{8}$/),
    });
  });

  it('needs at most 8 round trips on a T=0 card and 5 on a T=1 card', async () => {
    for (const [protocol, limit] of [['t0', 8], ['t1', 5]] as const) {
      const { app, card } = openCard(residentProfile({ protocol }));
      await app.readIdentity();
      expect(card.apduCount).toBeLessThanOrEqual(limit);
    }
  });

  it('falls back to read-by-tag when the card refuses reading all records', async () => {
    const { app, card } = openCard(editedProfile(residentProfile(), (p) => (p.commands.readAllRecords = false)));
    await expect(app.readIdentity()).resolves.toMatchObject({ name: '李秀英' });
    expect(card.apduCount).toBeGreaterThan(14);
  });

  it('falls back to SFI + record number when the card supports neither', async () => {
    const { app } = openCard(editedProfile(residentProfile(), (p) => (p.commands = { readAllRecords: false, readByTag: false })));
    await expect(app.readIdentity()).resolves.toMatchObject({ name: '李秀英', generation: 3 });
  });

  it('marks a staff card as staff', async () => {
    const { app } = openCard(residentProfile({ kind: 'staff' }));
    await expect(app.readIdentity()).resolves.toMatchObject({ kind: 'staff', cardType: 'M' });
  });

  it('reads the real 2012 card transcript: "2.0"+NUL, ASCII year dates, EF05 read whole', async () => {
    const replay = new ReplayTransport(parseTranscript(fixture('real-card-2012-ef05.apdu')));
    const app = new SocialSecurityCardApp(replay);
    await app.selectApplication();
    await app.verifyPin('666666');
    await app.selectApplication();
    await expect(app.readCardData()).resolves.toEqual({
      kind: 'resident',
      cardIdentifier: '430299D156000005000000133A05F2E3',
      regionCode: '430299',
      cardType: '3',
      specVersion: '2.0',
      generation: 2,
      initialisingOrg: '9156000002430200430100D5',
      issueDate: '2012-01-01',
      expiryDate: '2022-12-31',
      datePrecision: 'year',
      cardNumber: 'B00000131',
    });
    replay.assertFullyReplayed();
  });

  it('replays the recorded T=0 transcript (61xx, 6Cxx) through the session and application', async () => {
    const replay = new ReplayTransport(parseTranscript(fixture('virtual-card-t0-identity-pin.apdu')));
    const app = new SocialSecurityCardApp(new CardSession((c) => replay.transmit(c), { readerName: 'replay', logger: silent }));
    await expect(app.readIdentity()).resolves.toMatchObject({ name: '卓玛次仁', citizenNumber: '11010519491231002X' });
    await expect(app.verifyPin('000000')).rejects.toMatchObject({ code: CardErrorCode.pinWrong, triesLeft: 2 });
    await app.verifyPin('123456');
    replay.assertFullyReplayed();
  });

  it('fails a transcript replay that leaves lines unreplayed', async () => {
    const replay = new ReplayTransport(parseTranscript(fixture('virtual-card-t0-identity-pin.apdu')));
    const app = new SocialSecurityCardApp(new CardSession((c) => replay.transmit(c), { readerName: 'replay', logger: silent }));
    await app.readIdentity();
    expect(() => replay.assertFullyReplayed()).toThrow(/left unreplayed/);
  });
});

describe('bad cards get a typed error and the "cannot be read here" message', () => {
  const cases: Array<[string, VirtualCardProfile | 'foreign', number]> = [
    ['a card without the application', 'foreign', CardErrorCode.notSocialSecurityCard],
    [
      'a wrong check digit',
      editedProfile(residentProfile(), (p) => (p.holder.citizenNumber = p.holder.citizenNumber.slice(0, 17) + (p.holder.citizenNumber[17] === '1' ? '2' : '1'))),
      CardErrorCode.citizenNumberInvalid,
    ],
    ['a birth date other than the number says', editedProfile(residentProfile(), (p) => (p.holder.birthDate = '1958-03-08')), CardErrorCode.birthDateMismatch],
    ['a generation-1 card with a name extension', editedProfile(residentProfile({ nameExtension: '次仁' }), (p) => (p.generation = 1)), CardErrorCode.wrongGenerationLayout],
    ['a spec version of an unknown generation', editedProfile(residentProfile(), (p) => (p.card.specVersion = '4.00')), CardErrorCode.wrongGenerationLayout],
  ];

  it.each(cases)('%s', async (_name, profile, code) => {
    const transport: ApduTransport =
      profile === 'foreign' ? { transmit: async () => Buffer.from('6A82', 'hex') } : openCard(profile).transport;
    const app = new SocialSecurityCardApp(transport);
    const error = await app.readIdentity().catch((e: unknown) => e);
    expect(error).toMatchObject({ code });
    expect(residentMessage(error)).toEqual({ key: 'card.unreadable' });
  });

  it('reports a damaged record (length past the end of the file) as RecordDamaged and logs the discard', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
    const responses = new Map<string, string>([
      ['00A404000F7378312E73682EC9E7BBE1B1A3D5CF', '9000'],
      ['00A4000002EF05', '9000'],
      // Card identifier record claims 16 bytes but 4 are there.
      ['00B20105FF', '01104302999000'],
    ]);
    const transport: ApduTransport = { transmit: async (c) => Buffer.from(responses.get(c.toString('hex').toUpperCase()) ?? '6D00', 'hex') };
    await expect(new SocialSecurityCardApp(transport, { logger }).readIdentity()).rejects.toMatchObject({ code: CardErrorCode.recordDamaged });
    expect(lines.join('')).toContain('"reason":"truncated"');
  });
});

describe('PIN', () => {
  it('counts down tries on wrong PINs, then blocks and stays blocked for the right PIN', async () => {
    const { app } = openCard(residentProfile({ pin: '135790' }));
    await app.readIdentity();
    await expect(app.verifyPin('000000')).rejects.toMatchObject({ code: CardErrorCode.pinWrong, triesLeft: 2 });
    await expect(app.verifyPin('000001')).rejects.toMatchObject({ code: CardErrorCode.pinWrong, triesLeft: 1 });
    const blocked = await app.verifyPin('000002').catch((e: unknown) => e);
    expect(blocked).toMatchObject({ code: CardErrorCode.pinBlocked });
    await expect(app.verifyPin('135790')).rejects.toMatchObject({ code: CardErrorCode.pinBlocked, statusWord: '6983' });
    expect(residentMessage(blocked)).toEqual({ key: 'card.pinBlocked' });
  });

  it('gives the resident the tries left', async () => {
    const { app } = openCard(residentProfile());
    await app.readIdentity();
    const error = await app.verifyPin('999999').catch((e: unknown) => e);
    expect(residentMessage(error)).toEqual({ key: 'card.pinWrong', triesLeft: 2 });
  });

  it('resets the count after a right PIN', async () => {
    const { app, card } = openCard(residentProfile({ pin: '135790' }));
    await app.readIdentity();
    await expect(app.verifyPin('000000')).rejects.toMatchObject({ triesLeft: 2 });
    await app.verifyPin('135790');
    expect(card.pinTriesLeft).toBe(3);
  });

  it('changes the PIN: the old one fails afterwards, the new one works', async () => {
    const { app } = openCard(residentProfile({ pin: '135790' }));
    await app.readIdentity();
    await app.changePin('135790', '024680');
    await expect(app.verifyPin('135790')).rejects.toMatchObject({ code: CardErrorCode.pinWrong });
    await app.verifyPin('024680');
  });

  it('refuses a change with the wrong old PIN, counting a try', async () => {
    const { app } = openCard(residentProfile({ pin: '135790' }));
    await app.readIdentity();
    await expect(app.changePin('000000', '024680')).rejects.toMatchObject({ code: CardErrorCode.pinWrong, triesLeft: 2 });
  });

  it('never sends a malformed PIN to the card', async () => {
    const { app, card } = openCard(residentProfile());
    await app.readIdentity();
    const before = card.apduCount;
    await expect(app.verifyPin('12345')).rejects.toMatchObject({ code: CardErrorCode.pinFormat });
    expect(card.apduCount).toBe(before);
  });
});

describe('card authenticity', () => {
  it('produces evidence the server verifies with the issuer key', async () => {
    const { app } = openCard(residentProfile());
    await app.readIdentity();
    const evidence = await app.authenticate(Buffer.from('0102030405060708', 'hex'));
    expect(evidence.challenge.startsWith('0102030405060708')).toBe(true);
    expect(verifyCardAuthenticationEvidence(DEMO_ISSUER_KEY, evidence)).toBe(true);
  });

  it('exposes a clone with the right data but another key', async () => {
    const genuine = residentProfile();
    const clone = editedProfile(genuine, (p) => (p.cardKeyHex = '00112233445566778899AABBCCDDEEFF'));
    const { app } = openCard(clone);
    const identity = await app.readIdentity();
    expect(identity.cardIdentifier).toBe(genuine.card.identifierHex);
    expect(verifyCardAuthenticationEvidence(DEMO_ISSUER_KEY, await app.authenticate())).toBe(false);
  });

  it('turns a card that cannot authenticate into CardAuthenticationFailed', async () => {
    const { transport } = openCard(residentProfile());
    const app = new SocialSecurityCardApp({
      transmit: async (c, o) => (c[1] === 0x84 ? Buffer.from('6D00', 'hex') : transport.transmit(c, o)),
    });
    await app.readIdentity();
    const error = await app.authenticate().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: CardErrorCode.cardAuthenticationFailed });
    expect(residentMessage(error)).toEqual({ key: 'card.notAuthentic' });
  });

  it('refuses INTERNAL AUTHENTICATE without a fresh GET CHALLENGE (card side)', () => {
    const card = new VirtualCard(residentProfile({ protocol: 't1' }));
    card.transmit(Buffer.from('00A404000F7378312E73682EC9E7BBE1B1A3D5CF', 'hex'));
    expect(card.transmit(Buffer.from(`008800001000112233445566778899AABBCCDDEEFF10`, 'hex')).toString('hex')).toBe('6985');
  });
});

describe('through the in-process reader', () => {
  it('reads a card inserted into the reader and rejects with CardRemoved after removal', async () => {
    const reader = new InProcessCardReader();
    const inserted = new Promise<ApduTransport>((resolve) => reader.once('card-inserted', (e) => resolve(e.transport)));
    await reader.start();
    reader.insert(new VirtualCard(residentProfile()));
    const transport = await inserted;
    await expect(new SocialSecurityCardApp(transport).readIdentity()).resolves.toMatchObject({ name: '李秀英' });
    reader.remove();
    const error = await new SocialSecurityCardApp(transport).readIdentity().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: CardErrorCode.cardRemoved });
    expect(residentMessage(error)).toEqual({ key: 'card.removed' });
    await reader.stop();
  });
});
