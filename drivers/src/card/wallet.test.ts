// A card put back in the reader is the same card (wallet.ts, issue 10
// section 6): two wrong PINs, pull, re-insert, and one try is left, as on a
// real card; through the in-process reader and the card application, as the
// kiosk reads it.
import { once } from 'node:events';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { SocialSecurityCardApp } from './application.js';
import { CardErrorCode } from './errors.js';
import { InProcessCardReader } from './in-process.js';
import { editedProfile, residentProfile } from './test-support.js';
import type { CardInsertedEvent } from './types.js';
import { VirtualCardWallet, WALLET_CARDS_LIMIT } from './wallet.js';
import type { VirtualCardProfile } from './profile.js';

const silent = pino({ level: 'silent' });
const WRONG_PIN = '000000';

/** Inserts the wallet's card for `profile` and answers the card application on it, its application selected. */
async function insert(reader: InProcessCardReader, wallet: VirtualCardWallet, profile: VirtualCardProfile): Promise<SocialSecurityCardApp> {
  const inserted = once(reader, 'card-inserted') as Promise<[CardInsertedEvent]>;
  reader.insert(wallet.card(profile));
  const [event] = await inserted;
  const app = new SocialSecurityCardApp(event.transport, { logger: silent });
  await app.selectApplication();
  return app;
}

describe('a virtual card from the wallet', () => {
  it('keeps its PIN tries when pulled out and put back: two wrong PINs, re-insert, one try left', async () => {
    const profile = residentProfile();
    expect(profile.pinTriesLeft).toBe(3);
    const reader = new InProcessCardReader({ logger: silent });
    await reader.start();
    const wallet = new VirtualCardWallet();
    const first = await insert(reader, wallet, profile);
    await expect(first.verifyPin(WRONG_PIN)).rejects.toMatchObject({ code: CardErrorCode.pinWrong, triesLeft: 2 });
    await expect(first.verifyPin(WRONG_PIN)).rejects.toMatchObject({ code: CardErrorCode.pinWrong, triesLeft: 1 });
    reader.remove();
    expect(wallet.card(profile).pinTriesLeft).toBe(1);
    const again = await insert(reader, wallet, profile);
    await expect(again.verifyPin(WRONG_PIN)).rejects.toMatchObject({ code: CardErrorCode.pinBlocked, triesLeft: 0 });
    reader.remove();
    const blocked = await insert(reader, wallet, profile);
    await expect(blocked.verifyPin(profile.pin)).rejects.toMatchObject({ code: CardErrorCode.pinBlocked });
    await reader.stop();
  });

  it('is another card when the profile differs under the same identifier, and a card of its own for another person', () => {
    const wallet = new VirtualCardWallet();
    const profile = residentProfile();
    const card = wallet.card(profile);
    expect(wallet.card(structuredClone(profile))).toBe(card);
    const retried = editedProfile(profile, (p) => (p.pinTriesLeft = 1));
    expect(wallet.card(retried)).not.toBe(card);
    expect(wallet.card(retried).pinTriesLeft).toBe(1);
    const other = residentProfile({ name: '王秀英', citizenNumber: '430299195803070248' });
    expect(other.card.identifierHex).not.toBe(profile.card.identifierHex);
    expect(wallet.card(other)).not.toBe(wallet.card(retried));
  });

  it(`holds at most ${WALLET_CARDS_LIMIT} cards, letting go of the one held longest`, () => {
    const wallet = new VirtualCardWallet();
    const base = residentProfile();
    const profileNumber = (i: number) => editedProfile(base, (p) => (p.card.identifierHex = `${base.card.identifierHex.slice(0, 16)}${i.toString(16).padStart(16, '0').toUpperCase()}`));
    const cards = Array.from({ length: WALLET_CARDS_LIMIT }, (_, i) => wallet.card(profileNumber(i)));
    expect(wallet.card(profileNumber(0))).toBe(cards[0]);
    wallet.card(profileNumber(WALLET_CARDS_LIMIT));
    expect(wallet.card(profileNumber(1))).toBe(cards[1]);
    expect(wallet.card(profileNumber(0))).not.toBe(cards[0]);
  });
});
