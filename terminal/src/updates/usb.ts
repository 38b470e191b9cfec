// An update from a USB stick, for a village without network (issue 13
// section 3): every `*.nbundle` in the stick's folder is examined, highest
// version first, with the same checks as a download (each copied off the
// stick before it is checked, stage.ts); the first that passes is staged and
// switches when the staff card comes out. Nothing is reported to a rollout:
// the gateway learns the new version from the status report.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLE_EXTENSION, compareVersions, isRefusalError, readBundleHead } from '@nongbao/protocol/release';
import type { StaffUpdateRefusal, UsbUpdateResult } from '@nongbao/protocol';
import type { UpdateAgent } from './agent.js';
import type { KioskRoot } from './layout.js';
import { stageBundle } from './stage.js';
import { readSupervisorState } from './supervisor-state.js';

/** Bundles examined on one stick at most. */
export const USB_BUNDLES_LIMIT = 20;

type Candidate = { file: string; version: string | null; detail: string };

function candidates(folder: string): Candidate[] | 'not-a-folder' | 'no-bundles' {
  let names: string[];
  try {
    if (!statSync(folder).isDirectory()) return 'not-a-folder';
    names = readdirSync(folder).filter((n) => n.endsWith(BUNDLE_EXTENSION)).sort().slice(0, USB_BUNDLES_LIMIT);
  } catch {
    return 'not-a-folder';
  }
  if (names.length === 0) return 'no-bundles';
  const found = names.map((name): Candidate => {
    const file = join(folder, name);
    try {
      return { file, version: readBundleHead(file).manifest.version, detail: '' };
    } catch (error) {
      return { file, version: null, detail: isRefusalError(error) ? error.message : String(error) };
    }
  });
  return found.sort((a, b) => (a.version && b.version ? compareVersions(b.version, a.version) : a.version ? -1 : 1));
}

export async function updateFromFolder(root: KioskRoot, agent: UpdateAgent, folder: string): Promise<{ ok: true; result: UsbUpdateResult } | { ok: false; refusal: StaffUpdateRefusal }> {
  if (agent.busy) return { ok: false, refusal: 'update-in-progress' };
  const found = candidates(folder);
  if (typeof found === 'string') return { ok: false, refusal: found };
  const state = readSupervisorState(root);
  const keep = [state?.current, state?.previous].filter((v): v is string => !!v);
  const bundles: UsbUpdateResult['bundles'] = [];
  let staged: string | null = null;
  for (const c of found) {
    if (!c.version) bundles.push({ file: c.file, version: null, result: 'malformed', detail: c.detail });
    else if (staged) bundles.push({ file: c.file, version: c.version, result: 'not-tried', detail: `${staged} was staged` });
    else {
      const result = await stageBundle(root, c.file, { floor: agent.floor(), keep });
      bundles.push({ file: c.file, version: c.version, result: result.ok ? 'staged' : result.reason, detail: result.ok ? 'switches when the staff card comes out' : result.detail });
      if (result.ok) staged = result.manifest.version;
    }
  }
  if (staged) agent.adoptStaged(staged);
  return { ok: true, result: { staged, bundles } };
}
