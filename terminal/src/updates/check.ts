// Before the supervisor starts a release, it checks it again (issue 13
// section 3: "the supervisor re-verifies the manifest/payload hash before it
// starts a release"): the kept bundle's signatures against the kiosk's keys
// and model, its payload's hash, and the unpacked folder against every entry
// of the payload, file by file. A release changed on disk after it was staged
// (a file edited, one added) is not started: no unsigned code ever runs.
// Expiry is not checked again: it guards the install, and a kiosk offline for
// a year must still start what it runs.
import { existsSync } from 'node:fs';
import { compareTree, verifyBundle } from '@nongbao/protocol/release';
import type { KioskRoot } from './layout.js';
import { readReleaseEntry } from './release-entry.js';

export type InstalledCheck = { ok: true; entry: string } | { ok: false; detail: string };

export async function checkInstalled(root: KioskRoot, version: string): Promise<InstalledCheck> {
  const bundle = root.bundlePath(version);
  if (!existsSync(bundle) || !existsSync(root.releaseDir(version))) return { ok: false, detail: `release ${version} or its bundle is missing` };
  const policy = root.policy();
  let verdict;
  try {
    verdict = await verifyBundle(bundle, { trustedKeys: root.trustedKeys(), threshold: policy.threshold, model: policy.model, checkExpiry: false });
  } catch (error) {
    return { ok: false, detail: `cannot check release ${version}: ${(error as Error).message}` };
  }
  if (!verdict.ok) return { ok: false, detail: `the bundle of ${version} is refused now: ${verdict.reason}: ${verdict.detail}` };
  if (verdict.bundle.head.manifest.version !== version) return { ok: false, detail: `bundles/${version}.nbundle holds version ${verdict.bundle.head.manifest.version}` };
  const difference = compareTree(root.releaseDir(version), verdict.bundle.entries ?? []);
  if (difference) return { ok: false, detail: `release ${version} differs from its signed bundle: ${difference}` };
  const entry = readReleaseEntry(root.releaseDir(version));
  return entry.ok ? entry : { ok: false, detail: entry.detail };
}
