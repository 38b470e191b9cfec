// The rules every archive entry must pass before anything is written (issue
// 13 section 3: "refusing any archive entry that escapes its folder:
// absolute paths, `..`, symlinks pointing out"). Pure functions over the
// entry's names; the archive reader (archive.ts) applies them to every entry
// and the packer (pack.ts) to every file it is given, so a bundle the tools
// make is one the kiosk accepts.
import { posix } from 'node:path';
import { refuse } from './errors.js';

/** Longest entry path, in bytes (Linux's PATH_MAX is 4096; a release needs far less). */
export const ENTRY_PATH_BYTES_LIMIT = 1024;
const SEGMENT_BYTES_LIMIT = 255;

/**
 * The entry's path relative to the release folder, without `./` in front or
 * `/` behind; `''` for the folder itself. Refuses (`unsafe-path`) an absolute
 * path, a `..` segment, an empty or `.` segment inside the path, a backslash
 * (a separator elsewhere) and control characters.
 */
export function entryPath(raw: string): string {
  if (Buffer.byteLength(raw) > ENTRY_PATH_BYTES_LIMIT) refuse('unsafe-path', `an archive entry's path is longer than ${ENTRY_PATH_BYTES_LIMIT} bytes`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(raw)) refuse('unsafe-path', `archive entry ${JSON.stringify(raw)} has a control character or a backslash in its path`);
  if (raw.startsWith('/')) refuse('unsafe-path', `archive entry ${JSON.stringify(raw)} has an absolute path`);
  let path = raw;
  while (path.startsWith('./')) path = path.slice(2);
  while (path.endsWith('/')) path = path.slice(0, -1);
  if (path === '' || path === '.') return '';
  for (const segment of path.split('/')) {
    if (segment === '..') refuse('unsafe-path', `archive entry ${JSON.stringify(raw)} climbs out of its folder (..)`);
    if (segment === '' || segment === '.') refuse('unsafe-path', `archive entry ${JSON.stringify(raw)} has an empty or "." segment`);
    if (Buffer.byteLength(segment) > SEGMENT_BYTES_LIMIT) refuse('unsafe-path', `archive entry ${JSON.stringify(raw)} has a name longer than ${SEGMENT_BYTES_LIMIT} bytes`);
  }
  return path;
}

/**
 * A symlink at `path` pointing to `target` must stay inside the release
 * folder: a relative target that, resolved from the link's folder, does not
 * climb above the root. An absolute target is refused whatever it names.
 */
export function checkLinkTarget(path: string, target: string): void {
  // eslint-disable-next-line no-control-regex
  if (target === '' || /[\u0000-\u001f\u007f\\]/.test(target)) refuse('unsafe-path', `symlink ${path} has an empty target or one with a control character or backslash`);
  if (target.startsWith('/')) refuse('unsafe-path', `symlink ${path} points to the absolute path ${target}`);
  const resolved = posix.normalize(posix.join(posix.dirname(path), target));
  if (resolved === '..' || resolved.startsWith('../')) refuse('unsafe-path', `symlink ${path} points out of its folder (${target})`);
}

/** Every folder above `path`, nearest last: `a/b/c` -> `a`, `a/b`. */
export function ancestorsOf(path: string): string[] {
  const segments = path.split('/');
  return segments.slice(0, -1).map((_, i) => segments.slice(0, i + 1).join('/'));
}
