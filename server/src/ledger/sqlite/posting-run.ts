// The posting-run codec of the SQLite store's account index (schema 3, issue
// #5 section 7): a checkpoint writes one row per account it moved, holding up
// to POSTING_RUN_ENTRIES postings packed in a blob, instead of one row per
// posting. Pure.
//
// A run is little-endian float64 triples (seq, signed amount: + debit /
// - credit, at in ms); every value is an integer well inside 2^53, and an
// account is never both sides of one transfer, so the sign is enough. In
// memory postings are flattened as (seq, debit fen, credit fen, at ms) quads.

/** Most postings in one run row: ~24 bytes each keeps a row inside its B-tree page (no overflow pages). */
export const POSTING_RUN_ENTRIES = 40;
export const RUN_ENTRY_BYTES = 24;
/** Numbers per posting in the flattened in-memory form. */
export const QUAD = 4;

/** Float64Array stores in the platform's byte order; where that is little-endian (x86, ARM) it writes a run directly. */
const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

/** The run of the quads from index `from` to `to` (whole quads). */
export function encodeRun(quads: readonly number[], from = 0, to = quads.length): Buffer {
  const n = (to - from) / QUAD;
  if (LITTLE_ENDIAN) {
    // A typed array, not writeDoubleLE per value: a checkpoint writes one run per account it moved.
    const f = new Float64Array(n * 3);
    for (let q = from, o = 0; q < to; q += QUAD, o += 3) {
      f[o] = quads[q]!;
      f[o + 1] = quads[q + 1]! > 0 ? quads[q + 1]! : -quads[q + 2]!;
      f[o + 2] = quads[q + 3]!;
    }
    return Buffer.from(f.buffer);
  }
  const out = Buffer.allocUnsafe(n * RUN_ENTRY_BYTES);
  for (let q = from, o = 0; q < to; q += QUAD, o += RUN_ENTRY_BYTES) {
    out.writeDoubleLE(quads[q]!, o);
    out.writeDoubleLE(quads[q + 1]! > 0 ? quads[q + 1]! : -quads[q + 2]!, o + 8);
    out.writeDoubleLE(quads[q + 3]!, o + 16);
  }
  return out;
}

/** A run decoded as quads, or a description of what is wrong with it (verify reports it). */
export function decodeRun(firstSeq: number, data: Buffer): number[] | string {
  if (data.length === 0 || data.length % RUN_ENTRY_BYTES !== 0) return `a posting run of ${data.length} bytes (not a positive multiple of ${RUN_ENTRY_BYTES})`;
  const out: number[] = [];
  let last = 0;
  for (let o = 0; o < data.length; o += RUN_ENTRY_BYTES) {
    const seq = data.readDoubleLE(o);
    const amount = data.readDoubleLE(o + 8);
    const ms = data.readDoubleLE(o + 16);
    if (!Number.isSafeInteger(seq) || seq <= last || (o === 0 && seq !== firstSeq)) return `a posting run starting at seq ${firstSeq} holds seq ${seq} out of order`;
    if (!Number.isSafeInteger(amount) || amount === 0 || !Number.isSafeInteger(ms)) return `a posting run starting at seq ${firstSeq} holds an unreadable posting at seq ${seq}`;
    out.push(seq, amount > 0 ? amount : 0, amount < 0 ? -amount : 0, ms);
    last = seq;
  }
  return out;
}

/** Splits an account's postings (quads, seq order) into the runs a checkpoint writes: [first seq, data]. */
export function* splitIntoRuns(quads: readonly number[]): Iterable<[number, Buffer]> {
  const runQuads = POSTING_RUN_ENTRIES * QUAD;
  for (let k = 0; k < quads.length; k += runQuads) yield [quads[k]!, encodeRun(quads, k, Math.min(k + runQuads, quads.length))];
}
