// Files that hold citizen numbers, card numbers and money (the databases, the
// kiosk journal, the logs) are readable by their owner only (issue 10
// section 6). Every such folder and file is made here, so the modes are
// decided in one place: db.ts's openDatabase and log.ts's createLogger call
// it, and so does the kiosk for its data folder.
//
// Choice for what exists already: a file we keep data in is set to 0600
// whatever its mode was (it is ours, and an older version made it 0644). A
// folder that exists already keeps its mode: it may be the operator's
// working directory or a shared mount we must not lock others out of; the
// files in it are 0600 all the same, so what they hold stays private and
// only their names can be listed. A folder we create is 0700, and so is
// every missing parent we create on the way.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates `dir` and any missing parents as 0700; a folder that exists keeps its mode. */
export function makePrivateDir(dir: string): void {
  const missing: string[] = [];
  for (let at = resolve(dir); !existsSync(at); at = dirname(at)) missing.push(at);
  if (missing.length === 0) return;
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  // The umask could have taken bits off; set exactly what was asked.
  for (const created of missing) chmodSync(created, PRIVATE_DIR_MODE);
}

/**
 * Makes `path` a file only its owner can read and write: creates it empty
 * (and its folder, see makePrivateDir) when missing, sets an existing one to
 * 0600. Call before anything writes to it.
 */
export function makePrivateFile(path: string): void {
  makePrivateDir(dirname(path));
  // 'a': create if missing, never truncate what is there.
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
  chmodSync(path, PRIVATE_FILE_MODE);
}

/** Sets `path` to 0600 when it exists (files a library made beside ours, such as SQLite's -wal and -shm). */
export function tightenIfPresent(path: string): void {
  try {
    chmodSync(path, PRIVATE_FILE_MODE);
  } catch (error) {
    // Absent, or removed meanwhile by a connection closing: nothing to tighten.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
