// A kiosk's software folder (the "kiosk root"), as docs/updates.md draws it:
//
//   kiosk.json              { model, threshold }: what this kiosk accepts (installed with it)
//   trusted-keys/*.pub      the release keys it trusts (installed with it, never by an update)
//   node_modules/           the kiosk image's third-party packages, below every release
//   releases/<version>/     each release, unpacked from its bundle
//   bundles/<version>.nbundle  the verified bundle each release came from
//   staging/                downloads in progress and folders being unpacked
//   state/supervisor.json   which release runs, the one before, a switch in progress, history
//   state/agent.json        the update agent's own notes (download in progress, outcomes reported)
//
// The supervisor writes supervisor.json, the agent (in the running release)
// writes agent.json and staging/; neither writes the other's file.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_SIGNATURE_THRESHOLD, kioskModelSchema, loadTrustedKeys, type TrustedKeys } from '@nongbao/protocol/release';
import { readJsonFile } from './json-file.js';

export const kioskPolicySchema = z.strictObject({
  model: kioskModelSchema,
  threshold: z.number().int().min(1).max(32).default(DEFAULT_SIGNATURE_THRESHOLD),
});
export type KioskPolicy = z.infer<typeof kioskPolicySchema>;

export class KioskRoot {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  get policyPath(): string {
    return join(this.dir, 'kiosk.json');
  }
  get trustedKeysDir(): string {
    return join(this.dir, 'trusted-keys');
  }
  get releasesDir(): string {
    return join(this.dir, 'releases');
  }
  get bundlesDir(): string {
    return join(this.dir, 'bundles');
  }
  get stagingDir(): string {
    return join(this.dir, 'staging');
  }
  get stateDir(): string {
    return join(this.dir, 'state');
  }
  get supervisorStatePath(): string {
    return join(this.stateDir, 'supervisor.json');
  }
  get agentStatePath(): string {
    return join(this.stateDir, 'agent.json');
  }
  releaseDir(version: string): string {
    return join(this.releasesDir, version);
  }
  bundlePath(version: string): string {
    return join(this.bundlesDir, `${version}.nbundle`);
  }

  /** Makes the folders a kiosk root needs (the keys and policy come with the install). */
  ensureFolders(): void {
    for (const dir of [this.releasesDir, this.bundlesDir, this.stagingDir, this.stateDir]) mkdirSync(dir, { recursive: true, mode: 0o755 });
  }

  policy(): KioskPolicy {
    const policy = readJsonFile(this.policyPath, kioskPolicySchema);
    if (!policy) throw new Error(`${this.policyPath} is missing: this kiosk was not installed (nongbao kiosk install)`);
    return policy;
  }

  trustedKeys(): TrustedKeys {
    return loadTrustedKeys(this.trustedKeysDir);
  }
}
