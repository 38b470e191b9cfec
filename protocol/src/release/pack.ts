// Packing a release folder into the payload (`nongbao release create
// --payload DIR`): every path is checked by the same rules the kiosk applies
// (archive-paths.ts), so a folder with a link pointing out is refused here,
// before anyone signs it. The archive is reproducible: entries sorted, owner
// and time left out, so the same folder always gives the same sha256.
import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { create } from 'tar';
import { ReleaseError, refuse } from './errors.js';
import { checkLinkTarget, entryPath } from './archive-paths.js';
import { ARCHIVE_ENTRIES_LIMIT } from './archive.js';

/** Every entry's time in a packed release: the archive's bytes depend on the folder's content only. */
const PACKED_MTIME = new Date('2000-01-01T00:00:00Z');

function listFolder(root: string, rel: string, out: string[]): void {
  for (const name of readdirSync(join(root, rel)).sort()) {
    const path = rel ? `${rel}/${name}` : name;
    entryPath(path);
    const stat = lstatSync(join(root, path));
    if (stat.isSymbolicLink()) checkLinkTarget(path, readlinkSync(join(root, path)));
    else if (!stat.isDirectory() && !stat.isFile()) refuse('unsafe-path', `${path} is neither a file, a folder nor a symlink`);
    out.push(path);
    if (out.length > ARCHIVE_ENTRIES_LIMIT) refuse('unsafe-path', `the folder holds more than ${ARCHIVE_ENTRIES_LIMIT} entries`);
    if (stat.isDirectory()) listFolder(root, path, out);
  }
}

/** Packs `dir` into the gzip'd tar `outFile`; refuses (`unsafe-path`) what the kiosk would refuse. */
export async function packDirectory(dir: string, outFile: string): Promise<void> {
  if (!lstatSync(dir).isDirectory()) throw new ReleaseError('bad-argument', `${dir} is not a folder`);
  const paths: string[] = [];
  listFolder(dir, '', paths);
  if (paths.length === 0) throw new ReleaseError('bad-argument', `${dir} is empty`);
  await create({ file: outFile, cwd: dir, gzip: true, portable: true, noDirRecurse: true, follow: false, mtime: PACKED_MTIME, strict: true }, paths);
}
