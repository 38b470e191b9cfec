// Installing the first release on a kiosk (`nongbao kiosk install`): the
// trusted release keys and the kiosk's model and threshold are laid down
// (they come with the kiosk, never with an update), then the bundle is
// verified and staged like any other, and becomes the current release.
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadTrustedKeys } from '@nongbao/protocol/release';
import type { UpdateFailure } from '@nongbao/protocol';
import { writeJsonAtomic } from './json-file.js';
import { kioskPolicySchema, type KioskPolicy, KioskRoot } from './layout.js';
import { stageBundle } from './stage.js';
import { initialState, writeSupervisorState } from './supervisor-state.js';

export type InstallResult = { ok: true; version: string } | { ok: false; reason: UpdateFailure | 'installed-already'; detail: string };

export async function installKiosk(rootDir: string, keysDir: string, policy: KioskPolicy, bundle: string): Promise<InstallResult> {
  const root = new KioskRoot(rootDir);
  if (existsSync(root.supervisorStatePath)) return { ok: false, reason: 'installed-already', detail: `${root.dir} runs a release already; update it instead` };
  // Checks every key file before any is copied.
  loadTrustedKeys(keysDir);
  mkdirSync(root.trustedKeysDir, { recursive: true, mode: 0o755 });
  for (const name of readdirSync(keysDir).filter((n) => n.endsWith('.pub'))) copyFileSync(join(keysDir, name), join(root.trustedKeysDir, name));
  writeJsonAtomic(root.policyPath, kioskPolicySchema.parse(policy));
  root.ensureFolders();
  const staged = await stageBundle(root, bundle, { floor: null, keep: [] });
  if (!staged.ok) return staged;
  writeSupervisorState(root, initialState(staged.manifest.version));
  return { ok: true, version: staged.manifest.version };
}
