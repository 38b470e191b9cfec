// Staging a release: verify the bundle, then unpack it beside the running
// one (issue 13 section 3). Nothing of the payload is unpacked before the
// signatures, the claims, the size and the hash were checked; it is unpacked
// into a temporary folder under staging/ and renamed to releases/<version>
// only when every entry passed; the bundle is kept, so the supervisor can
// check the folder against it before every start (check.ts).
import { copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { isRefusalError, isReleaseError, unpackArchive, verifyBundle, type ReleaseManifest } from '@nongbao/protocol/release';
import type { UpdateFailure } from '@nongbao/protocol';
import type { KioskRoot } from './layout.js';
import { readReleaseEntry } from './release-entry.js';
import { fsyncDir } from './json-file.js';

export type StageResult = { ok: true; manifest: ReleaseManifest } | { ok: false; reason: UpdateFailure; detail: string };

export interface StageOptions {
  /** The bundle must be above this version (the kiosk's floor); null for a first install. */
  floor: string | null;
  /** Versions that must not be replaced (the running one and the one before it). */
  keep: readonly string[];
  now?: Date;
}

function temporaryName(root: KioskRoot, prefix: string): string {
  return join(root.stagingDir, `${prefix}-${Date.now()}-${randomBytes(4).toString('hex')}`);
}

/** Unpacks a verified bundle to releases/<version> through a temporary folder. */
async function unpackVerified(root: KioskRoot, bundle: string, manifest: ReleaseManifest, payloadOffset: number): Promise<StageResult> {
  const tmp = temporaryName(root, 'unpack');
  try {
    await unpackArchive({ path: bundle, start: payloadOffset, size: manifest.payload.size }, tmp);
    const entry = readReleaseEntry(tmp);
    if (!entry.ok) return { ok: false, reason: 'malformed', detail: entry.detail };
    const dest = root.releaseDir(manifest.version);
    rmSync(dest, { recursive: true, force: true });
    renameSync(tmp, dest);
    renameSync(bundle, root.bundlePath(manifest.version));
    fsyncDir(root.releasesDir);
    fsyncDir(root.bundlesDir);
    return { ok: true, manifest };
  } catch (error) {
    if (isRefusalError(error)) return { ok: false, reason: error.code, detail: error.message };
    if (isReleaseError(error) || (error as NodeJS.ErrnoException).code) return { ok: false, reason: 'disk', detail: (error as Error).message.slice(0, 300) };
    throw error;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Verifies the bundle at `source` against the kiosk's keys, model and floor
 * and stages it. A bundle outside staging/ (a USB stick) is copied first and
 * the copy is what gets verified: the stick cannot change under the check.
 */
export async function stageBundle(root: KioskRoot, source: string, options: StageOptions): Promise<StageResult> {
  root.ensureFolders();
  const policy = root.policy();
  const inStaging = source.startsWith(`${root.stagingDir}/`);
  const bundle = inStaging ? source : `${temporaryName(root, 'bundle')}.nbundle`;
  try {
    if (!inStaging) copyFileSync(source, bundle);
    const verdict = await verifyBundle(bundle, {
      trustedKeys: root.trustedKeys(),
      threshold: policy.threshold,
      model: policy.model,
      ...(options.floor ? { installedVersion: options.floor } : {}),
      ...(options.now ? { now: options.now } : {}),
      // unpackArchive applies the same entry rules as it writes.
      inspectArchive: false,
    });
    if (!verdict.ok) return verdict;
    const manifest = verdict.bundle.head.manifest;
    if (options.keep.includes(manifest.version)) return { ok: false, reason: 'downgrade', detail: `version ${manifest.version} is installed already` };
    return await unpackVerified(root, bundle, manifest, verdict.bundle.head.payloadOffset);
  } catch (error) {
    if (isReleaseError(error) || (error as NodeJS.ErrnoException).code) return { ok: false, reason: 'disk', detail: (error as Error).message.slice(0, 300) };
    throw error;
  } finally {
    if (!inStaging && existsSync(bundle)) rmSync(bundle, { force: true });
  }
}
