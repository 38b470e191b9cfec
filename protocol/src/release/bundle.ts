// The bundle file: one file a release travels in (issue 13 section 3).
//
//   bytes 0-7    magic "NBBUNDL1"
//   bytes 8-11   n, the envelope's length, big-endian (1 .. ENVELOPE_BYTES_LIMIT)
//   next n       the envelope, UTF-8 JSON: { "signed": <manifest>, "signatures": [{ "keyid", "sig" }] }
//   the rest     the payload, exactly manifest.payload.size bytes (a gzip'd tar)
//
// The envelope comes first so a reader learns, from the first 64 KiB, who
// signed what and how long the file must be: nothing after the declared end
// is ever read (TUF "endless data attacks"), and nothing of the payload is
// unpacked before the signatures and the hash were checked. Signatures are
// TUF's shape: each names its key by key id and signs the manifest's
// canonical JSON (manifest.ts `signingMessage`).
import { closeSync, fstatSync, fsyncSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { ReleaseError, refuse } from './errors.js';
import { canonicalJson } from './canonical.js';
import { releaseManifestSchema, sha256HexSchema, type ReleaseManifest } from './manifest.js';

export const BUNDLE_MAGIC = Buffer.from('NBBUNDL1', 'latin1');
const PREFIX_BYTES = BUNDLE_MAGIC.length + 4;
export const ENVELOPE_BYTES_LIMIT = 64 * 1024;
/** Signatures one bundle carries at most (far more than any threshold). */
export const SIGNATURES_LIMIT = 16;
/** The file name ending of a bundle; a USB stick's folder is searched for it. */
export const BUNDLE_EXTENSION = '.nbundle';
const COPY_CHUNK_BYTES = 1024 * 1024;

const signatureSchema = z.strictObject({ keyid: sha256HexSchema, sig: z.string().max(200) });
export type BundleSignature = z.infer<typeof signatureSchema>;
const envelopeSchema = z.strictObject({ signed: z.unknown(), signatures: z.array(signatureSchema).max(SIGNATURES_LIMIT) });

export interface BundleHead {
  manifest: ReleaseManifest;
  /** The manifest as it was read (what the signatures cover). */
  signed: unknown;
  signatures: BundleSignature[];
  /** Where the payload starts. */
  payloadOffset: number;
  fileSize: number;
}

function readExactly(fd: number, length: number, position: number): Buffer {
  const buffer = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buffer, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return buffer.subarray(0, got);
}

function describeIssues(error: z.ZodError): string {
  return error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

function parseEnvelope(bytes: Buffer): z.infer<typeof envelopeSchema> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    refuse('malformed', 'the bundle envelope is not UTF-8');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    refuse('malformed', 'the bundle envelope is not JSON');
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) refuse('malformed', `the bundle envelope: ${describeIssues(envelope.error)}`);
  return envelope.data;
}

/** Reads and checks a bundle's head from an open file; throws ReleaseError (`malformed`). */
export function readBundleHeadFd(fd: number): BundleHead {
  const stat = fstatSync(fd);
  if (!stat.isFile()) refuse('malformed', 'a bundle is a regular file');
  const prefix = readExactly(fd, PREFIX_BYTES, 0);
  if (prefix.length < PREFIX_BYTES || !prefix.subarray(0, BUNDLE_MAGIC.length).equals(BUNDLE_MAGIC)) refuse('malformed', 'not a Nongbao release bundle (no NBBUNDL1 header)');
  const envelopeBytes = prefix.readUInt32BE(BUNDLE_MAGIC.length);
  if (envelopeBytes === 0 || envelopeBytes > ENVELOPE_BYTES_LIMIT) refuse('malformed', `the bundle envelope claims ${envelopeBytes} bytes (1 to ${ENVELOPE_BYTES_LIMIT})`);
  const envelopeBuffer = readExactly(fd, envelopeBytes, PREFIX_BYTES);
  if (envelopeBuffer.length < envelopeBytes) refuse('malformed', 'the bundle ends inside its envelope');
  const envelope = parseEnvelope(envelopeBuffer);
  const manifest = releaseManifestSchema.safeParse(envelope.signed);
  if (!manifest.success) refuse('malformed', `the manifest: ${describeIssues(manifest.error)}`);
  canonicalJson(envelope.signed);
  return { manifest: manifest.data, signed: envelope.signed, signatures: envelope.signatures, payloadOffset: PREFIX_BYTES + envelopeBytes, fileSize: stat.size };
}

export function openBundle(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (error) {
    throw new ReleaseError('io', `cannot open ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

export function readBundleHead(path: string): BundleHead {
  const fd = openBundle(path);
  try {
    return readBundleHeadFd(fd);
  } finally {
    closeSync(fd);
  }
}

/** Refuses a bundle whose length is not its head plus the payload the manifest declares. */
export function checkBundleSize(head: BundleHead): void {
  const expected = head.payloadOffset + head.manifest.payload.size;
  if (head.fileSize !== expected) {
    refuse('size-mismatch', `the bundle is ${head.fileSize} bytes; its manifest makes it ${expected} (payload ${head.manifest.payload.size})`);
  }
}

/** sha256 of `size` bytes of an open file from `start`, hex. Never reads past them. */
export function sha256OfRange(fd: number, start: number, size: number): string {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(COPY_CHUNK_BYTES);
  let done = 0;
  while (done < size) {
    const n = readSync(fd, buffer, 0, Math.min(buffer.length, size - done), start + done);
    if (n === 0) break;
    hash.update(buffer.subarray(0, n));
    done += n;
  }
  return hash.digest('hex');
}

/** Refuses a bundle whose payload's sha256 is not the one its manifest declares (call checkBundleSize first). */
export function checkPayloadHash(fd: number, head: BundleHead): void {
  const actual = sha256OfRange(fd, head.payloadOffset, head.manifest.payload.size);
  if (actual !== head.manifest.payload.sha256) refuse('hash-mismatch', `the payload's sha256 is ${actual}; the manifest says ${head.manifest.payload.sha256}`);
}

function envelopeBuffer(signed: unknown, signatures: readonly BundleSignature[]): Buffer {
  const envelope = Buffer.from(JSON.stringify({ signed, signatures }), 'utf8');
  if (envelope.length > ENVELOPE_BYTES_LIMIT) throw new ReleaseError('bad-argument', 'the envelope would exceed its limit');
  const prefix = Buffer.alloc(PREFIX_BYTES);
  BUNDLE_MAGIC.copy(prefix);
  prefix.writeUInt32BE(envelope.length, BUNDLE_MAGIC.length);
  return Buffer.concat([prefix, envelope]);
}

function writeAll(fd: number, buffer: Buffer): void {
  let written = 0;
  while (written < buffer.length) written += writeSync(fd, buffer, written);
}

/**
 * Writes a bundle at `out`: the envelope, then `payloadSize` bytes of
 * `payloadFd` from `payloadStart`. Written to a temporary file beside `out`,
 * flushed, then renamed: a reader sees the old file or the new, never half.
 */
export function writeBundle(out: string, signed: unknown, signatures: readonly BundleSignature[], payloadFd: number, payloadStart: number, payloadSize: number): void {
  const tmp = join(dirname(out), `.${basename(out)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', 0o644);
  try {
    writeAll(fd, envelopeBuffer(signed, signatures));
    const buffer = Buffer.allocUnsafe(COPY_CHUNK_BYTES);
    let done = 0;
    while (done < payloadSize) {
      const n = readSync(payloadFd, buffer, 0, Math.min(buffer.length, payloadSize - done), payloadStart + done);
      if (n === 0) throw new ReleaseError('io', 'the payload ended early while writing the bundle');
      writeAll(fd, buffer.subarray(0, n));
      done += n;
    }
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, out);
  } catch (error) {
    try {
      closeSync(fd);
    } catch {
      // closed already
    }
    rmSync(tmp, { force: true });
    throw error;
  }
}
