// Each release says how to start it in `release.json` at its root:
// `{ "entry": "bin/nongbao.mjs" }`, a file of the release the supervisor runs
// with node, giving it the kiosk's own arguments. The file is signed with
// the rest of the payload; its path passes the archive rules.
import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { entryPath, isReleaseError } from '@nongbao/protocol/release';

export const RELEASE_ENTRY_FILE = 'release.json';
const releaseEntrySchema = z.strictObject({ entry: z.string().min(1).max(200) });

/** The absolute path of the release's entry file, or why the release cannot be started. */
export function readReleaseEntry(releaseDir: string): { ok: true; entry: string } | { ok: false; detail: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(join(releaseDir, RELEASE_ENTRY_FILE), 'utf8'));
  } catch (error) {
    return { ok: false, detail: `${RELEASE_ENTRY_FILE} is missing or not JSON (${(error as NodeJS.ErrnoException).code ?? 'parse error'})` };
  }
  const parsed = releaseEntrySchema.safeParse(raw);
  if (!parsed.success) return { ok: false, detail: `${RELEASE_ENTRY_FILE} must be {"entry": "<path of a file in the release>"}` };
  let path: string;
  try {
    path = entryPath(parsed.data.entry);
  } catch (error) {
    return { ok: false, detail: isReleaseError(error) ? error.message : String(error) };
  }
  const full = join(releaseDir, path);
  try {
    if (!path || !lstatSync(full).isFile()) return { ok: false, detail: `the entry ${path} is not a file of the release` };
  } catch {
    return { ok: false, detail: `the entry ${path} is missing` };
  }
  return { ok: true, entry: full };
}
