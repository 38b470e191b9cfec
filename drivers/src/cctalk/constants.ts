// ccTalk constants (ccTalk generic specification, public domain: part 1 framing,
// part 2 headers, part 3 bill validator events). Issue #4 §2.

/** Host (master) address: ccTalk part 1 §7 "1 = host". */
export const CCTALK_HOST_ADDRESS = 1;
/** Bill validator default address: ccTalk part 1 §7. */
export const CCTALK_BILL_VALIDATOR_ADDRESS = 40;
/** Broadcast address (not used for commands that expect a reply from one device). */
export const CCTALK_BROADCAST_ADDRESS = 0;

export const CCTALK_BAUD_RATE = 9600;
/** Part 1 §6: data length is one byte, 0..252 (253..255 reserved). */
export const CCTALK_MAX_DATA_LENGTH = 252;
/** dest + len + src + header + checksum. */
export const CCTALK_FRAME_OVERHEAD = 5;
/** Part 1 §11: a gap of more than 50 ms between bytes ends a message; stale bytes are dropped. */
export const CCTALK_INTER_BYTE_TIMEOUT_MS = 50;

/** Headers used by the driver (ccTalk part 2). */
export const Header = {
  reply: 0, // ACK / reply
  nak: 5,
  busy: 6,
  modifyBillOperatingMode: 153,
  routeBill: 154,
  requestBillId: 157,
  readBufferedBillEvents: 159,
  modifyMasterInhibit: 228,
  modifyInhibitStatus: 231,
  requestSerialNumber: 242,
  requestProductCode: 244,
  requestEquipmentCategoryId: 245,
  requestManufacturerId: 246,
  simplePoll: 254,
} as const;
export type Header = (typeof Header)[keyof typeof Header];

/** Header 154 route codes (part 2, "Route bill"). */
export const RouteCode = { return: 0, stack: 1, extendEscrow: 255 } as const;
/** Header 154 error replies (one data byte instead of a bare ACK). */
export const RouteError = { escrowEmpty: 254, failedToRoute: 255 } as const;

/** Header 153 operating mode bits: bit 0 stacker, bit 1 escrow. */
export const OperatingMode = { useStacker: 0x01, useEscrow: 0x02 } as const;

/** Header 159 result B when result A is a bill type (1..16). */
export const BillResultB = { stacked: 0, escrow: 1 } as const;

/** Header 159 event codes when result A = 0 (ccTalk part 3, bill validator event table). */
export const BillEventCode = {
  masterInhibitActive: 0,
  returnedFromEscrow: 1,
  invalidBillValidation: 2,
  invalidBillTransport: 3,
  inhibitedBillSerial: 4,
  inhibitedBillDip: 5,
  jammedTransportUnsafe: 6,
  jammedInStacker: 7,
  pulledBackwards: 8,
  tamper: 9,
  stackerOk: 10,
  stackerRemoved: 11,
  stackerInserted: 12,
  stackerFaulty: 13,
  stackerFull: 14,
  stackerJammed: 15,
  jammedTransportSafe: 16,
  optoFraud: 17,
  stringFraud: 18,
  antiStringFaulty: 19,
  barcodeDetected: 20,
  unknownBillStacked: 21,
} as const;

/** Header 159 holds 5 events; a counter jump beyond this means events were lost (part 3). */
export const CCTALK_EVENT_BUFFER_SIZE = 5;

/** CNY notes the kiosk accepts, in yuan (issue #4 §2). */
export const CNY_NOTE_YUAN = [1, 5, 10, 20, 50, 100] as const;
export const FEN_PER_YUAN = 100;

/** Header 157 bill id: 2-letter country, 4-digit value, 1-letter issue, e.g. "CN0050A". */
export const BILL_ID_PATTERN = /^([A-Z]{2})(\d{4})([A-Z])$/;
