// Card authenticity for kiosks (drivers/card/auth.ts; issue 10 section 4).
// The gateway checks the card's cryptogram with the issuer key, then that the
// card is the active card of the person it names (and, where the issuer
// reported it, that its chip identifier is the one proven). Only then does it
// issue a card session (card-sessions.ts), which a proof of life needs.
import type { Logger } from 'pino';
import type { Registry } from '../registry/index.js';
import type { CardAuthenticateRequest, CardAuthenticateResult, Reply } from '@nongbao/protocol';
import type { CardSessions } from './card-sessions.js';

/** Checks a card's authentication cryptogram with the issuer key (server-side only). */
export interface CardAuthenticator {
  verify(evidence: { cardIdentifier: string; challenge: string; cryptogram: string }): boolean;
}

export function authenticateCard(
  deps: { registry: Registry; cardSessions: CardSessions; authenticator: CardAuthenticator | undefined; logger: Logger },
  terminalId: string,
  request: CardAuthenticateRequest,
): Reply<CardAuthenticateResult> {
  if (!deps.authenticator) return { ok: false, error: { code: 'unavailable', message: 'no issuer key is configured on this server' } };
  if (!deps.authenticator.verify(request)) {
    deps.logger.warn({ event: 'card.authentication_failed', terminalId, cardIdentifier: request.cardIdentifier });
    return { ok: true, data: { authentic: false } };
  }
  if (request.kind === 'staff') return { ok: true, data: { authentic: true } };
  const card = deps.registry.persons.find(request.citizenNumber) ? deps.registry.persons.activeCard(request.citizenNumber) : undefined;
  const identifierMatches = card?.cardIdentifier == null || card.cardIdentifier.toUpperCase() === request.cardIdentifier.toUpperCase();
  if (!card || card.cardNumber !== request.cardNumber || !identifierMatches) {
    // A genuine chip carrying someone else's data, a revoked card, or a person the registry does not know.
    deps.logger.warn({ event: 'card.binding_refused', terminalId, cardNumber: request.cardNumber, known: card !== undefined });
    return { ok: true, data: { authentic: false } };
  }
  const cardSession = deps.cardSessions.issue({ terminalId, citizenNumber: request.citizenNumber, cardNumber: request.cardNumber });
  return { ok: true, data: { authentic: true, cardSession } };
}
