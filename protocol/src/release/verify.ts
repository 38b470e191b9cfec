// Deciding whether a bundle would be installed (issue 13 section 3), in the
// order of RELEASE_REFUSALS: read the head; count the signatures of trusted
// keys (each key once, TUF "threshold of unique keys"); only then believe the
// manifest: expiry (TUF "indefinite freeze attacks"), model ("wrong software
// installation"), version above the installed one ("rollback attacks"); then
// the payload's size (never reading past it) and hash; then, optionally,
// every archive entry. The kiosk, the CLI and the server all decide here.
import { verify } from 'node:crypto';
import { closeSync as closeFd } from 'node:fs';
import { ReleaseError, isRefusalError, refuse, type ReleaseRefusal } from './errors.js';
import { signingMessage } from './manifest.js';
import type { TrustedKeys } from './keys.js';
import { checkBundleSize, checkPayloadHash, openBundle, readBundleHeadFd, type BundleHead } from './bundle.js';
import { readArchive, type ArchiveEntry } from './archive.js';
import { compareVersions } from './version.js';

/** Signatures a release needs by default: 2 of the 3 offline release keys (issue 13 section 3). */
export const DEFAULT_SIGNATURE_THRESHOLD = 2;

export interface VerifyPolicy {
  trustedKeys: TrustedKeys;
  /** Distinct trusted keys that must have signed. */
  threshold: number;
  /** The kiosk's model; absent: any model. */
  model?: string;
  /** The version the bundle must be above (the kiosk's running or highest trusted one); absent: any. */
  installedVersion?: string;
  now?: Date;
  /** false for a release installed earlier that is checked again before it starts: its expiry mattered at install. */
  checkExpiry?: boolean;
  /** false when the caller unpacks next (which checks every entry the same way). */
  inspectArchive?: boolean;
}

export interface VerifiedBundle {
  head: BundleHead;
  /** Names of the trusted keys whose signatures counted. */
  signedBy: string[];
  /** The archive's entries, when inspected. */
  entries: ArchiveEntry[] | null;
}

export type Verification = { ok: true; bundle: VerifiedBundle } | { ok: false; reason: ReleaseRefusal; detail: string };

const SIGNATURE_PATTERN = /^[A-Za-z0-9+/]{86}==$/;

function checkPolicy(policy: VerifyPolicy): void {
  if (!Number.isInteger(policy.threshold) || policy.threshold < 1) throw new ReleaseError('bad-argument', `threshold ${policy.threshold}: a whole number of at least 1`);
  if (policy.threshold > policy.trustedKeys.size) {
    throw new ReleaseError('trusted-keys', `threshold ${policy.threshold} but only ${policy.trustedKeys.size} trusted key(s): no bundle could ever pass`);
  }
}

/** Returns the names of the trusted keys that signed; refuses `bad-signature` or `too-few-signatures`. */
export function checkSignatures(head: BundleHead, trustedKeys: TrustedKeys, threshold: number): string[] {
  const message = signingMessage(head.signed);
  const counted = new Map<string, string>();
  for (const signature of head.signatures) {
    const key = trustedKeys.get(signature.keyid);
    // A key nobody trusts proves nothing, for or against (TUF: unknown keys are ignored).
    if (!key) continue;
    const valid = SIGNATURE_PATTERN.test(signature.sig) && verify(null, message, key.key, Buffer.from(signature.sig, 'base64'));
    if (!valid) refuse('bad-signature', `the signature of trusted key ${key.name} (${key.keyId.slice(0, 16)}) does not match this manifest`);
    counted.set(key.keyId, key.name);
  }
  if (counted.size < threshold) {
    const names = [...counted.values()];
    refuse('too-few-signatures', `signed by ${counted.size} trusted key(s)${names.length ? ` (${names.join(', ')})` : ''}; ${threshold} needed`);
  }
  return [...counted.values()];
}

/** The manifest's claims against the kiosk: expiry, model, version. */
export function checkClaims(head: BundleHead, policy: VerifyPolicy): void {
  const m = head.manifest;
  const now = policy.now ?? new Date();
  if (policy.checkExpiry !== false && Date.parse(m.expires) <= now.getTime()) refuse('expired', `the manifest expired at ${m.expires}`);
  if (policy.model !== undefined && m.model !== policy.model) refuse('wrong-model', `the release is for model ${m.model}, this is ${policy.model}`);
  if (policy.installedVersion !== undefined) {
    if (compareVersions(m.version, policy.installedVersion) <= 0) refuse('downgrade', `version ${m.version} is not above ${policy.installedVersion}`);
    if (compareVersions(policy.installedVersion, m.minVersion) < 0) {
      refuse('installed-too-old', `version ${m.version} updates from ${m.minVersion} or later; this kiosk has ${policy.installedVersion}`);
    }
  }
}

/**
 * Checks the bundle at `path` against `policy`. A refusal is a result; an
 * operating error (unreadable file, bad trust setup) throws ReleaseError.
 */
export async function verifyBundle(path: string, policy: VerifyPolicy): Promise<Verification> {
  checkPolicy(policy);
  const fd = openBundle(path);
  try {
    const head = readBundleHeadFd(fd);
    const signedBy = checkSignatures(head, policy.trustedKeys, policy.threshold);
    checkClaims(head, policy);
    checkBundleSize(head);
    checkPayloadHash(fd, head);
    const entries = policy.inspectArchive === false ? null : await readArchive({ path, start: head.payloadOffset, size: head.manifest.payload.size });
    return { ok: true, bundle: { head, signedBy, entries } };
  } catch (error) {
    if (isRefusalError(error)) return { ok: false, reason: error.code, detail: error.message };
    throw error;
  } finally {
    closeFd(fd);
  }
}
