// Decodes EF05 / EF06 records into typed card and holder data (issue #3 §2).
// Unlike parser.ts, these functions refuse: a missing or malformed field is a
// typed CardError naming the field.
import { CARD_IDENTIFIER_RID, STAFF_CARD_TYPE, TAG } from './constants.js';
import { decodeAscii, decodeBcd, decodeCardDate, decodeGbkPadded, hex } from './codec.js';
import { CardError, CardErrorCode } from './errors.js';
import type { CardData, CardGeneration, HolderData, Sex } from './types.js';


function need(records: Map<number, Buffer>, tag: number, field: string): Buffer {
  const value = records.get(tag);
  if (value === undefined) throw new CardError(CardErrorCode.fieldMissing, `record ${tagName(tag)} (${field}) missing`, { field });
  return value;
}

function invalid(field: string, why: string): CardError {
  return new CardError(CardErrorCode.fieldInvalid, `${field}: ${why}`, { field });
}

export function tagName(tag: number): string {
  return tag.toString(16).toUpperCase().padStart(2, '0');
}

/** Strips the NUL / space padding real cards leave in ASCII fields ("2.0\0"). */
function trimAscii(bytes: Buffer): string | undefined {
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0x00 || bytes[end - 1] === 0x20)) end -= 1;
  return decodeAscii(bytes.subarray(0, end));
}

export function decodeCardData(records: Map<number, Buffer>): CardData {
  const id = need(records, TAG.cardIdentifier, 'cardIdentifier');
  if (id.length !== 16) throw invalid('cardIdentifier', `${id.length} bytes, need 16`);
  if (!id.subarray(3, 8).equals(CARD_IDENTIFIER_RID)) {
    throw new CardError(CardErrorCode.notSocialSecurityCard, 'card identifier lacks the MOHRSS RID D156000005', { field: 'cardIdentifier' });
  }
  const regionCode = decodeBcd(id.subarray(0, 3));
  if (regionCode === undefined) throw invalid('cardIdentifier', 'region code is not BCD');

  const cardType = trimAscii(need(records, TAG.cardType, 'cardType'));
  if (cardType === undefined || cardType.length !== 1) throw invalid('cardType', 'not one ASCII character');

  const specVersion = trimAscii(need(records, TAG.specVersion, 'specVersion'));
  if (specVersion === undefined || !/^\d\.\d{1,2}$/.test(specVersion)) throw invalid('specVersion', 'not a version like 2.00');
  const generationDigit = Number(specVersion[0]);
  if (generationDigit < 1 || generationDigit > 3) {
    throw new CardError(CardErrorCode.wrongGenerationLayout, `spec version ${specVersion} is not generation 1-3`, { field: 'specVersion' });
  }
  const generation = generationDigit as CardGeneration;

  const org = records.get(TAG.initialisingOrg);

  const issue = decodeCardDate(need(records, TAG.issueDate, 'issueDate'), false);
  if (issue === undefined) throw invalid('issueDate', 'not a date');
  const expiry = decodeCardDate(need(records, TAG.expiryDate, 'expiryDate'), true);
  if (expiry === undefined) throw invalid('expiryDate', 'not a date');
  if (expiry.date < issue.date) throw invalid('expiryDate', 'before the issue date');

  const cardNumber = trimAscii(need(records, TAG.cardNumber, 'cardNumber'));
  if (cardNumber === undefined || !/^[0-9A-Z]{9}$/.test(cardNumber)) throw invalid('cardNumber', 'not 9 ASCII letters/digits');

  return {
    kind: cardType === STAFF_CARD_TYPE ? 'staff' : 'resident',
    cardIdentifier: hex(id),
    regionCode,
    cardType,
    specVersion,
    generation,
    initialisingOrg: org === undefined ? undefined : hex(org),
    issueDate: issue.date,
    expiryDate: expiry.date,
    datePrecision: issue.precision === 'year' || expiry.precision === 'year' ? 'year' : 'day',
    cardNumber,
  };
}

const SEX_CODES: Record<string, Sex> = { '0': 'unknown', '1': 'male', '2': 'female', '9': 'unspecified' };

export function decodeHolderData(records: Map<number, Buffer>, generation: CardGeneration): HolderData {
  const citizenNumber = trimAscii(need(records, TAG.citizenNumber, 'citizenNumber'));
  if (citizenNumber === undefined || !/^\d{17}[\dX]$/.test(citizenNumber)) throw invalid('citizenNumber', 'not 17 digits + check character');

  let name = decodeGbkPadded(need(records, TAG.name, 'name'));
  if (name === undefined || name.length === 0) throw invalid('name', 'not GBK text');
  const extension = records.get(TAG.nameExtension);
  if (extension !== undefined) {
    // Name extension (long minority names) exists from generation 2 on.
    if (generation === 1) {
      throw new CardError(CardErrorCode.wrongGenerationLayout, 'name extension (4E) on a generation-1 card', { field: 'nameExtension' });
    }
    const more = decodeGbkPadded(extension);
    if (more === undefined) throw invalid('nameExtension', 'not GBK text');
    name += more;
  }

  const sexByte = need(records, TAG.sex, 'sex');
  if (sexByte.length !== 1) throw invalid('sex', 'not 1 byte');
  // ASCII '1' per GB/T 2261.1; some issuers wrote the binary value.
  const sexChar = sexByte[0]! >= 0x30 ? String.fromCharCode(sexByte[0]!) : String(sexByte[0]);
  const sex = SEX_CODES[sexChar];
  if (sex === undefined) throw invalid('sex', 'not a GB/T 2261.1 code');

  const ethnicityByte = need(records, TAG.ethnicity, 'ethnicity');
  const ethnicity = ethnicityByte.length === 1 ? decodeBcd(ethnicityByte) : undefined;
  const ethnicityNumber = Number(ethnicity);
  if (ethnicity === undefined || !((ethnicityNumber >= 1 && ethnicityNumber <= 56) || ethnicityNumber === 97 || ethnicityNumber === 98)) {
    throw invalid('ethnicity', 'not a GB 3304 code');
  }

  const birthplaceBytes = records.get(TAG.birthplace);
  const birthplace = birthplaceBytes === undefined ? undefined : decodeBcd(birthplaceBytes);
  if (birthplaceBytes !== undefined && (birthplace === undefined || birthplace.length !== 6)) throw invalid('birthplace', 'not a 6-digit BCD region code');

  const birth = decodeCardDate(need(records, TAG.birthDate, 'birthDate'), false);
  if (birth === undefined || birth.precision !== 'day') throw invalid('birthDate', 'not a date');

  return { citizenNumber, name, sex, ethnicity, birthplace, birthDate: birth.date };
}
