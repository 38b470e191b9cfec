// Numbers of the social-security card path. Every wait is a named timeout in
// ms and every buffer/queue has a limit (STYLE.md §8).

/** One APDU exchange (command + its T=0 follow-ups) must finish within this. */
export const APDU_TIMEOUT_MS = 5_000;
/** SCardConnect after a card shows up. */
export const CONNECT_TIMEOUT_MS = 5_000;
/** Delay between attempts to (re)establish the PC/SC context while pcscd is absent. */
export const PCSCD_RETRY_MS = 1_000;
/** SCardDisconnect at session end; past it we drop the handle anyway. */
export const DISCONNECT_TIMEOUT_MS = 2_000;
/** Connecting to vpcd's TCP port. */
export const VPCD_CONNECT_TIMEOUT_MS = 2_000;
/** Between reconnect attempts of the virtual card to vpcd (pcscd restarting). */
export const VPCD_RECONNECT_DELAY_MS = 500;

/**
 * Receive buffer handed to SCardTransmit. Issue #3 §1: at least 258 bytes, i.e.
 * 256 data bytes (short Le=00) + SW1 SW2.
 */
export const RECEIVE_BUFFER_BYTES = 258;
/** Longest response we assemble over a 61xx GET RESPONSE chain. */
export const MAX_RESPONSE_BYTES = 4_096;
/** GET RESPONSE commands we send for one command before giving up (a looping card). */
export const MAX_GET_RESPONSE_CHAIN = 16;
/** Longest command APDU we accept (short APDU: 5 header + 255 data + Le). */
export const MAX_COMMAND_BYTES = 261;
/** vpcd frames are 2-byte length + payload; anything larger than this is garbage. */
export const MAX_VPCD_FRAME_BYTES = 1_024;
/** Bytes buffered from vpcd while waiting for a complete frame. */
export const MAX_VPCD_BUFFER_BYTES = 4 * MAX_VPCD_FRAME_BYTES;
/** Commands queued on one card session while another is on the wire. */
export const MAX_QUEUED_APDUS = 8;

/**
 * MOHRSS LD/T 32-2015 application name `sx1.sh.社会保障`, GBK-encoded (issue #3 §2).
 */
export const SSC_AID = Buffer.from('7378312E73682EC9E7BBE1B1A3D5CF', 'hex');
/** EF05: card data (SFI 5). EF06: holder data (SFI 6). */
export const EF_CARD_DATA = 0xef05;
export const EF_HOLDER_DATA = 0xef06;
export const SFI_CARD_DATA = 5;
export const SFI_HOLDER_DATA = 6;

/** The fixed 5 bytes after the region code in the card identifier (RID of MOHRSS). */
export const CARD_IDENTIFIER_RID = Buffer.from('D156000005', 'hex');

/** Record tags, LD/T 32-2015 as used by existing reader code (issue #3 §2). */
export const TAG = {
  cardIdentifier: 0x01,
  cardType: 0x02,
  specVersion: 0x03,
  initialisingOrg: 0x04,
  issueDate: 0x05,
  expiryDate: 0x06,
  cardNumber: 0x07,
  citizenNumber: 0x08,
  name: 0x09,
  sex: 0x0a,
  ethnicity: 0x0b,
  birthplace: 0x0c,
  birthDate: 0x0d,
  nameExtension: 0x4e,
} as const;

/** The value length each tag has on a spec-conforming card (used for read-by-tag Le). */
export const TAG_VALUE_BYTES: Readonly<Record<number, number>> = {
  [TAG.cardIdentifier]: 16,
  [TAG.cardType]: 1,
  [TAG.specVersion]: 4,
  [TAG.initialisingOrg]: 12,
  [TAG.issueDate]: 4,
  [TAG.expiryDate]: 4,
  [TAG.cardNumber]: 9,
  [TAG.citizenNumber]: 18,
  [TAG.name]: 30,
  [TAG.sex]: 1,
  [TAG.ethnicity]: 1,
  [TAG.birthplace]: 3,
  [TAG.birthDate]: 4,
  [TAG.nameExtension]: 20,
};

export const CARD_DATA_TAGS = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07] as const;
export const HOLDER_DATA_TAGS = [0x08, 0x09, 0x4e, 0x0a, 0x0b, 0x0c, 0x0d] as const;

/**
 * Card type (EF05 tag 02) that marks a maintenance-staff card. Project design
 * (issue #3 §2 "staff cards: your design"): real resident cards carry a digit
 * here (the 2012 card in ../shared/fixtures carries '3'); staff cards are issued
 * by the county office with 'M', so no resident card can be mistaken for one.
 * The server still checks the citizen number against its staff register.
 */
export const STAFF_CARD_TYPE = 'M';
/** Card type written on resident cards made by makeVirtualCardProfile. */
export const RESIDENT_CARD_TYPE = '3';

/** PIN: 6 decimal digits, sent as 3 BCD bytes (issue #3 §2). */
export const PIN_DIGITS = 6;

/** Card authenticity (see auth.ts). */
export const AUTH_CARD_RANDOM_BYTES = 8;
export const AUTH_TERMINAL_CHALLENGE_BYTES = 8;
export const AUTH_CHALLENGE_BYTES = AUTH_TERMINAL_CHALLENGE_BYTES + AUTH_CARD_RANDOM_BYTES;
export const AUTH_CRYPTOGRAM_BYTES = 16;
export const CARD_KEY_BYTES = 16;
