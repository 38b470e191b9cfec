// ccTalk frame and parser result types (issue #4 §2).

export type ChecksumMode = 'simple8' | 'crc16';

/** One ccTalk message, independent of checksum mode. */
export interface CctalkFrame {
  destination: number;
  /** Absent on the wire in crc16 mode (that byte carries the CRC's low half). */
  source: number;
  header: number;
  data: Buffer;
}

/**
 * What the parser yields: a frame, the echo of our own bytes, or bytes it
 * dropped and why (STYLE.md §3: parsers never throw).
 */
export type ParseResult =
  | { kind: 'frame'; frame: CctalkFrame; raw: Buffer }
  | { kind: 'echo'; raw: Buffer }
  | { kind: 'discard'; raw: Buffer; reason: DiscardReason };

export type DiscardReason = 'badChecksum' | 'badLength' | 'stale' | 'overflow';

/** One decoded event from header 159. */
export type BillEventRecord =
  | { kind: 'bill'; billType: number; result: 'stacked' | 'escrow' | 'unknownResult'; resultB: number }
  | { kind: 'status'; code: number };

export interface BufferedBillEvents {
  eventCounter: number;
  /** Newest first, as on the wire: index 0 belongs to `eventCounter`. */
  events: BillEventRecord[];
}
