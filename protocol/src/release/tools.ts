// The operator's side (issue 13 section 3): `release create` builds an
// unsigned bundle from a folder or a .tar.gz; `release sign` adds one key's
// signature. Both check what they are given with the kiosk's own rules, so a
// bundle they make is never refused for a reason they could have seen.
import { closeSync, openSync, rmSync, statSync } from 'node:fs';
import { sign } from 'node:crypto';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ReleaseError } from './errors.js';
import { MANIFEST_LIFETIME_LIMIT_MS, PAYLOAD_BYTES_LIMIT, RELEASE_FORMAT_VERSION, RELEASE_MANIFEST_TYPE, kioskModelSchema, releaseManifestSchema, signingMessage, type ReleaseManifest } from './manifest.js';
import { isReleaseVersion, compareVersions } from './version.js';
import { keyIdOf, loadPrivateKey } from './keys.js';
import { createPublicKey } from 'node:crypto';
import { checkBundleSize, checkPayloadHash, openBundle, readBundleHeadFd, sha256OfRange, writeBundle } from './bundle.js';
import { readArchive } from './archive.js';
import { packDirectory } from './pack.js';

export interface CreateReleaseOptions {
  version: string;
  model: string;
  minVersion: string;
  /** ISO 8601 instant (any offset); kept in UTC to the second. */
  expires: string;
  /** A folder (packed here) or a `.tar.gz` of the release. */
  payload: string;
  out: string;
  now?: Date;
}

function utcSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function checkCreateOptions(o: CreateReleaseOptions, now: Date): string {
  if (!isReleaseVersion(o.version)) throw new ReleaseError('bad-argument', `--version ${JSON.stringify(o.version)}: MAJOR.MINOR.PATCH`);
  if (!isReleaseVersion(o.minVersion)) throw new ReleaseError('bad-argument', `--min-version ${JSON.stringify(o.minVersion)}: MAJOR.MINOR.PATCH`);
  if (compareVersions(o.minVersion, o.version) > 0) throw new ReleaseError('bad-argument', `--min-version ${o.minVersion} is above --version ${o.version}`);
  if (!kioskModelSchema.safeParse(o.model).success) throw new ReleaseError('bad-argument', `--model ${JSON.stringify(o.model)}: lowercase letters, digits and dashes, at most 40`);
  const expiresMs = /^\d{4}-\d{2}-\d{2}T/.test(o.expires) ? Date.parse(o.expires) : NaN;
  if (Number.isNaN(expiresMs)) throw new ReleaseError('bad-argument', `--expires ${JSON.stringify(o.expires)}: an ISO 8601 instant such as 2027-06-30T00:00:00Z`);
  if (expiresMs <= now.getTime()) throw new ReleaseError('bad-argument', `--expires ${o.expires} is not in the future`);
  if (expiresMs - now.getTime() > MANIFEST_LIFETIME_LIMIT_MS) throw new ReleaseError('bad-argument', `--expires ${o.expires} is more than a year away`);
  return utcSeconds(new Date(expiresMs));
}

/** The payload as a .tar.gz file: the given one, or the folder packed beside `out` (returned for removal). */
async function payloadArchive(payload: string, out: string): Promise<{ path: string; temporary: boolean }> {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(payload).isDirectory();
  } catch (error) {
    throw new ReleaseError('bad-argument', `--payload ${payload}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (!isDirectory) {
    if (!/\.(tar\.gz|tgz)$/.test(payload)) throw new ReleaseError('bad-argument', `--payload ${payload}: a folder or a .tar.gz`);
    return { path: payload, temporary: false };
  }
  const packed = join(dirname(out), `.payload-${randomBytes(6).toString('hex')}.tar.gz`);
  try {
    await packDirectory(payload, packed);
  } catch (error) {
    rmSync(packed, { force: true });
    throw error;
  }
  return { path: packed, temporary: true };
}

/** Writes an unsigned bundle at `o.out`; returns its manifest. Refuses an archive the kiosk would refuse. */
export async function createRelease(o: CreateReleaseOptions): Promise<ReleaseManifest> {
  const now = o.now ?? new Date();
  const expires = checkCreateOptions(o, now);
  const archive = await payloadArchive(o.payload, o.out);
  try {
    const size = statSync(archive.path).size;
    if (size === 0 || size > PAYLOAD_BYTES_LIMIT) throw new ReleaseError('bad-argument', `the payload is ${size} bytes (1 to ${PAYLOAD_BYTES_LIMIT})`);
    await readArchive({ path: archive.path, start: 0, size });
    const fd = openSync(archive.path, 'r');
    try {
      const manifest = releaseManifestSchema.parse({
        type: RELEASE_MANIFEST_TYPE,
        formatVersion: RELEASE_FORMAT_VERSION,
        version: o.version,
        model: o.model,
        minVersion: o.minVersion,
        expires,
        createdAt: utcSeconds(now),
        payload: { format: 'tar.gz', sha256: sha256OfRange(fd, 0, size), size },
      });
      writeBundle(o.out, manifest, [], fd, 0, size);
      return manifest;
    } finally {
      closeSync(fd);
    }
  } finally {
    if (archive.temporary) rmSync(archive.path, { force: true });
  }
}

export interface SignResult {
  keyId: string;
  /** Signatures the bundle carries now. */
  signatures: number;
  /** This key had signed already: its signature was replaced, and still counts once. */
  replaced: boolean;
}

/**
 * Adds the signature of the key in `keyPath` to the bundle. Only an intact
 * bundle is signed (its size and payload hash as the manifest says): a
 * signer vouches for the bytes, not only for the manifest.
 */
export function signRelease(bundlePath: string, keyPath: string): SignResult {
  const key = loadPrivateKey(keyPath);
  const keyId = keyIdOf(createPublicKey(key));
  const fd = openBundle(bundlePath);
  try {
    const head = readBundleHeadFd(fd);
    checkBundleSize(head);
    checkPayloadHash(fd, head);
    const sig = sign(null, signingMessage(head.signed), key).toString('base64');
    const others = head.signatures.filter((s) => s.keyid !== keyId);
    const signatures = [...others, { keyid: keyId, sig }];
    writeBundle(bundlePath, head.signed, signatures, fd, head.payloadOffset, head.manifest.payload.size);
    return { keyId, signatures: signatures.length, replaced: others.length !== head.signatures.length };
  } finally {
    closeSync(fd);
  }
}
