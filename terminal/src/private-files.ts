// The kiosk's data folder holds its private key and its journal (citizen
// numbers, money): folders it makes are 0700 and its files 0600 (issue 10
// section 6), as on the server (server/src/shared/private-files.ts says why a
// folder that exists keeps its mode). The kiosk has its own copy of the rule
// because it does not depend on the server package (issue 11 section 1).
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export const OWNER_ONLY_DIR = 0o700;
export const OWNER_ONLY_FILE = 0o600;

/** Makes `dir` and its missing parents 0700. */
export function ensureOwnerOnlyDir(dir: string): void {
  const made: string[] = [];
  let at = resolve(dir);
  while (!existsSync(at)) {
    made.push(at);
    at = dirname(at);
  }
  if (made.length > 0) mkdirSync(dir, { recursive: true, mode: OWNER_ONLY_DIR });
  made.forEach((path) => chmodSync(path, OWNER_ONLY_DIR));
}

/** Creates `file` (never truncating it) in an owner-only folder, and makes it 0600. */
export function ensureOwnerOnlyFile(file: string): void {
  ensureOwnerOnlyDir(dirname(file));
  closeSync(openSync(file, 'a', OWNER_ONLY_FILE));
  chmodSync(file, OWNER_ONLY_FILE);
}

/** Makes `file` 0600 when it is there (SQLite's -wal and -shm beside the journal). */
export function ownerOnlyIfPresent(file: string): void {
  if (existsSync(file)) chmodSync(file, OWNER_ONLY_FILE);
}
