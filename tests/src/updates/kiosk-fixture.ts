// A kiosk root for the update tests, as a kiosk image lays it out: trusted
// release keys, the model, node_modules below the releases (here the
// checkout's, linked), and bundles made and signed by the real tools.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { createRelease, signRelease } from '@nongbao/protocol/release';
import { makeKeySet, tempDir, type KeySet } from '@nongbao/protocol/release/test-support';
import { KioskRoot, installKiosk } from '@nongbao/terminal/updates';
import { syntheticPayload, type Behaviour } from './synthetic-release.js';

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');
export const MODEL = 'nb-test';
/** Half a year from now (a manifest may live a year at most). */
export const EXPIRES = new Date(Date.now() + 180 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface KioskFixture {
  base: string;
  keys: KeySet;
  root: KioskRoot;
  dataDir: string;
  bundle(version: string, behaviour?: Partial<Behaviour>, options?: { signers?: string[]; model?: string; minVersion?: string; expires?: string; now?: Date }): Promise<string>;
}

export function makeKioskFixture(): KioskFixture {
  const base = tempDir('nongbao-kiosk-');
  const keys = makeKeySet(base);
  const root = new KioskRoot(join(base, 'kiosk'));
  mkdirSync(root.dir, { recursive: true });
  // The kiosk image's third-party packages sit below the releases.
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root.dir, 'node_modules'));
  const dataDir = join(base, 'data');
  mkdirSync(dataDir);
  return {
    base,
    keys,
    root,
    dataDir,
    bundle: async (version, behaviour = {}, options = {}) => {
      const payload = syntheticPayload(join(base, 'payloads', version), version, { health: 'ok', journalSchema: 3, ...behaviour });
      const out = join(base, `${version}-${Math.random().toString(36).slice(2)}.nbundle`);
      await createRelease({
        version,
        model: options.model ?? MODEL,
        minVersion: options.minVersion ?? '1.0.0',
        expires: options.expires ?? EXPIRES,
        payload,
        out,
        ...(options.now ? { now: options.now } : {}),
      });
      for (const signer of options.signers ?? ['k1', 'k2']) signRelease(out, keys.keys[signer]!);
      return out;
    },
  };
}

/** A fixture with `version` installed as its first release. */
export async function installedKiosk(version = '1.0.0', behaviour: Partial<Behaviour> = {}): Promise<KioskFixture> {
  const fixture = makeKioskFixture();
  const result = await installKiosk(fixture.root.dir, fixture.keys.trustedDir, { model: MODEL, threshold: 2 }, await fixture.bundle(version, behaviour));
  if (!result.ok) throw new Error(`install failed: ${result.reason}: ${result.detail}`);
  return fixture;
}

export interface SupervisorProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/**
 * `nongbao kiosk run` as a real process; the release's arguments are the
 * data folder (what a synthetic release takes) unless given.
 */
export function startSupervisor(fixture: Pick<KioskFixture, 'root' | 'base' | 'dataDir'>, healthGateTimeoutMs = 5_000, releaseArgs: string[] = [fixture.dataDir]): SupervisorProcess {
  const child = spawn(
    process.execPath,
    [join(REPO_ROOT, 'bin/nongbao.mjs'), 'kiosk', 'run', '--root', fixture.root.dir, '--health-gate-timeout-ms', String(healthGateTimeoutMs), '--', ...releaseArgs],
    { cwd: fixture.base, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NONGBAO_LOG_LEVEL: 'debug' } },
  );
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => output, exited };
}

/** Asks the running synthetic release to request a switch (as the agent does at a session boundary). */
export function requestSwitch(fixture: KioskFixture, version: string, rolloutId: string | null = null): void {
  writeFileSync(join(fixture.dataDir, 'switch-request.json'), JSON.stringify({ version, rolloutId }));
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
