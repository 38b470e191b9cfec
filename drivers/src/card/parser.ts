// Cuts an EF's bytes into `[tag][len][value]` records (LD/T 32-2015 variable
// records, issue #3 §2). Like every parser here it never throws on bad bytes:
// it yields records and discards, and the caller logs what was dropped
// (STYLE.md §3).

export interface ParsedRecord {
  kind: 'record';
  tag: number;
  value: Buffer;
  offset: number;
}

export interface DiscardedBytes {
  kind: 'discard';
  offset: number;
  bytes: Buffer;
  reason: 'truncated' | 'duplicate-tag' | 'bad-tag';
}

export type RecordItem = ParsedRecord | DiscardedBytes;

export interface ParsedRecords {
  /** First occurrence of each tag. */
  records: Map<number, Buffer>;
  items: RecordItem[];
  discards: DiscardedBytes[];
}

/** Bytes a card pads the unused end of a file with. */
const PADDING = new Set([0x00, 0xff]);
/** More records than any EF here holds; past it the rest is one discard. */
export const MAX_RECORDS_PER_EF = 64;

export function parseRecords(bytes: Buffer): ParsedRecords {
  const records = new Map<number, Buffer>();
  const items: RecordItem[] = [];
  const discards: DiscardedBytes[] = [];
  const discard = (offset: number, end: number, reason: DiscardedBytes['reason']): void => {
    const d: DiscardedBytes = { kind: 'discard', offset, bytes: bytes.subarray(offset, end), reason };
    items.push(d);
    discards.push(d);
  };
  let i = 0;
  while (i < bytes.length) {
    const tag = bytes[i]!;
    // Trailing padding after the last record is not damage.
    if (PADDING.has(tag) && bytes.subarray(i).every((b) => PADDING.has(b))) break;
    if (PADDING.has(tag) || items.length >= MAX_RECORDS_PER_EF) {
      discard(i, bytes.length, 'bad-tag');
      break;
    }
    if (i + 2 > bytes.length) {
      discard(i, bytes.length, 'truncated');
      break;
    }
    const len = bytes[i + 1]!;
    const end = i + 2 + len;
    if (end > bytes.length) {
      discard(i, bytes.length, 'truncated');
      break;
    }
    const value = bytes.subarray(i + 2, end);
    if (records.has(tag)) discard(i, end, 'duplicate-tag');
    else {
      records.set(tag, value);
      items.push({ kind: 'record', tag, value, offset: i });
    }
    i = end;
  }
  return { records, items, discards };
}

export function encodeRecord(tag: number, value: Buffer): Buffer {
  if (value.length > 255) throw new RangeError(`record ${tag} value of ${value.length} bytes exceeds 255`);
  return Buffer.concat([Buffer.from([tag, value.length]), value]);
}
