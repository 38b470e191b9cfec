// The virtual cards a hand carries between insertions (the demo, the vpcd
// worker). A real card keeps its PIN try counter on the chip (LD/T 32-2015:
// 63Cx counts down, 6983 once blocked): pulling it out and putting it back
// does not give the guesser fresh tries. A new VirtualCard per insertion did
// (issue 10 section 6). The wallet hands out the same VirtualCard for the
// same card, so its tries and a changed PIN carry over, and only a power-on
// reset (VirtualCard.reset: selection and verified state) happens on insert.
//
// The same card: the same card identifier and the same profile. A profile
// that differs under an identifier already held (a test making a card with
// other tries) is a different card and replaces the one held.
import type { VirtualCardProfile } from './profile.js';
import { VirtualCard } from './simulator.js';

/** Cards held at most; the one held longest is let go first. */
export const WALLET_CARDS_LIMIT = 1_000;

export class VirtualCardWallet {
  private readonly cards = new Map<string, { profileJson: string; card: VirtualCard }>();

  /** The card for `profile`: the one held when it is the same card, otherwise a new one, then held. */
  card(profile: VirtualCardProfile): VirtualCard {
    const identifier = profile.card.identifierHex.toUpperCase();
    const profileJson = JSON.stringify(profile);
    const held = this.cards.get(identifier);
    if (held && held.profileJson === profileJson) return held.card;
    this.cards.delete(identifier);
    if (this.cards.size >= WALLET_CARDS_LIMIT) this.cards.delete(this.cards.keys().next().value!);
    const card = new VirtualCard(profile);
    this.cards.set(identifier, { profileJson, card });
    return card;
  }
}
