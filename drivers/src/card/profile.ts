// The virtual card's JSON profile (issue #3 §3): holder data, PIN, tries,
// per-card key, generation, staff flag. Validated with zod at the edge; a bad
// profile is a CardError(ProfileInvalid) listing what is wrong.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CARD_IDENTIFIER_RID, RESIDENT_CARD_TYPE, STAFF_CARD_TYPE } from './constants.js';
import { isCalendarDate } from './codec.js';
import { citizenNumberBirthDate, citizenNumberSex } from './checks.js';
import { DEMO_ISSUER_KEY, diversifyCardKey } from './auth.js';
import { CardError, CardErrorCode } from './errors.js';
import type { CardGeneration, CardKind, Sex } from './types.js';

const isoDate = z.string().refine(isCalendarDate, 'must be a calendar date YYYY-MM-DD');
const hexOf = (bytes: number) => z.string().regex(new RegExp(`^[0-9A-Fa-f]{${bytes * 2}}$`), `must be ${bytes} bytes as hex`);

export const virtualCardProfileSchema = z
  .object({
    formatVersion: z.literal(1),
    kind: z.enum(['resident', 'staff']),
    generation: z.union([z.literal(1), z.literal(2), z.literal(3)]),
    /** t0: answers 61xx / 6Cxx like most Chinese social-security cards; t1: answers directly. */
    protocol: z.enum(['t0', 't1']).default('t0'),
    card: z.object({
      identifierHex: hexOf(16).refine((h) => h.slice(6, 16).toUpperCase() === CARD_IDENTIFIER_RID.toString('hex').toUpperCase(), 'bytes 4-8 must be D156000005'),
      cardType: z.string().length(1),
      /** Defaults to `<generation>.00`; tests set real-world oddities like "2.0". */
      specVersion: z.string().max(4).optional(),
      initialisingOrgHex: hexOf(12),
      issueDate: isoDate,
      expiryDate: isoDate,
      cardNumber: z.string().regex(/^[0-9A-Z]{9}$/),
    }),
    holder: z.object({
      // Format only: test profiles may carry a wrong check digit on purpose.
      citizenNumber: z.string().regex(/^\d{17}[\dX]$/),
      name: z.string().min(1).max(15),
      nameExtension: z.string().min(1).max(10).optional(),
      sex: z.enum(['male', 'female', 'unknown', 'unspecified']),
      ethnicity: z.string().regex(/^(0[1-9]|[1-4]\d|5[0-6]|97|98)$/),
      birthplace: z.string().regex(/^\d{6}$/).optional(),
      birthDate: isoDate,
    }),
    pin: z.string().regex(/^\d{6}$/),
    pinTriesMax: z.number().int().min(1).max(15),
    pinTriesLeft: z.number().int().min(0).max(15),
    /** The per-card key (diversified from the issuer key by makeVirtualCardProfile). */
    cardKeyHex: hexOf(16),
    /** Behaviour switches for testing the reader's fallbacks. */
    commands: z
      .object({
        readAllRecords: z.boolean().default(true),
        readByTag: z.boolean().default(true),
      })
      .default({ readAllRecords: true, readByTag: true }),
  })
  .refine((p) => p.pinTriesLeft <= p.pinTriesMax, { message: 'pinTriesLeft exceeds pinTriesMax', path: ['pinTriesLeft'] })
  .refine((p) => p.generation !== 1 || p.holder.nameExtension === undefined, { message: 'generation 1 cards have no name extension', path: ['holder', 'nameExtension'] });

export type VirtualCardProfile = z.output<typeof virtualCardProfileSchema>;
export type VirtualCardProfileInput = z.input<typeof virtualCardProfileSchema>;

/** Validates a profile (object or JSON text). */
export function parseVirtualCardProfile(json: unknown): VirtualCardProfile {
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (error) {
      throw new CardError(CardErrorCode.profileInvalid, 'virtual card profile is not JSON', { cause: error });
    }
  }
  const result = virtualCardProfileSchema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new CardError(CardErrorCode.profileInvalid, `virtual card profile invalid: ${issues.join('; ')}`);
  }
  return result.data;
}

export interface MakeVirtualCardProfileInput {
  citizenNumber: string;
  name: string;
  pin: string;
  kind?: CardKind;
  generation?: CardGeneration;
  protocol?: 't0' | 't1';
  /** Issuer key the per-card key is diversified from; defaults to DEMO_ISSUER_KEY. */
  issuerKey?: Buffer;
  /** Card issuing region; defaults to the citizen number's first 6 digits. */
  regionCode?: string;
  cardNumber?: string;
  /** The chip's identifier (32 hex digits, region code + MOHRSS RID + serial); derived from the citizen number when absent. */
  cardIdentifier?: string;
  issueDate?: string;
  expiryDate?: string;
  sex?: Sex;
  ethnicity?: string;
  birthplace?: string;
  nameExtension?: string;
  pinTries?: number;
}

/**
 * A valid profile for a person. Everything not given is derived from the
 * citizen number, deterministically, so a seeded demo makes the same cards
 * every time: the card serial and card number come from a hash of the
 * citizen number and kind.
 */
export function makeVirtualCardProfile(input: MakeVirtualCardProfileInput): VirtualCardProfile {
  const kind = input.kind ?? 'resident';
  const generation = input.generation ?? 3;
  const digest = createHash('sha256').update(`${kind}:${input.citizenNumber}`).digest();
  const regionCode = input.regionCode ?? input.citizenNumber.slice(0, 6);
  if (!/^\d{6}$/.test(regionCode)) throw new CardError(CardErrorCode.profileInvalid, 'region code must be 6 digits');
  const identifierHex = (input.cardIdentifier ?? regionCode + CARD_IDENTIFIER_RID.toString('hex') + digest.subarray(0, 8).toString('hex')).toUpperCase();
  const cardNumber = input.cardNumber ?? `${String.fromCharCode(0x41 + (digest[8]! % 26))}${String(digest.readUInt32BE(9) % 100_000_000).padStart(8, '0')}`;
  const issueDate = input.issueDate ?? '2020-06-01';
  const expiryDate = input.expiryDate ?? `${Number(issueDate.slice(0, 4)) + 10}${issueDate.slice(4)}`;
  const birthDate = citizenNumberBirthDate(input.citizenNumber) ?? '1960-01-01';
  const tries = input.pinTries ?? 3;
  const profile: VirtualCardProfileInput = {
    formatVersion: 1,
    kind,
    generation,
    protocol: input.protocol ?? 't0',
    card: {
      identifierHex,
      cardType: kind === 'staff' ? STAFF_CARD_TYPE : RESIDENT_CARD_TYPE,
      initialisingOrgHex: `915600000${regionCode}000`.slice(0, 24).padEnd(24, '0'),
      issueDate,
      expiryDate,
      cardNumber,
    },
    holder: {
      citizenNumber: input.citizenNumber,
      name: input.name,
      ...(input.nameExtension === undefined ? {} : { nameExtension: input.nameExtension }),
      sex: input.sex ?? citizenNumberSex(input.citizenNumber) ?? 'unknown',
      ethnicity: input.ethnicity ?? '01',
      birthplace: input.birthplace ?? regionCode,
      birthDate,
    },
    pin: input.pin,
    pinTriesMax: tries,
    pinTriesLeft: tries,
    cardKeyHex: diversifyCardKey(input.issuerKey ?? DEMO_ISSUER_KEY, identifierHex).toString('hex').toUpperCase(),
  };
  return parseVirtualCardProfile(profile);
}
