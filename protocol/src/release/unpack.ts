// Writing a checked archive to a fresh folder, and checking later that a
// folder still holds exactly what its archive held. The reader (archive.ts)
// has refused every entry that could escape before this sink sees it; the
// sink still opens files exclusively ('wx') and never follows a link, so a
// mistake there cannot write outside either.
import { createHash } from 'node:crypto';
import { closeSync, fchmodSync, lstatSync, mkdirSync, openSync, readSync, readdirSync, readlinkSync, symlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ReleaseError } from './errors.js';
import { ancestorsOf } from './archive-paths.js';
import { readArchive, type ArchiveEntry, type ArchiveSink, type ByteRange } from './archive.js';

const HASH_CHUNK_BYTES = 1024 * 1024;

class DiskSink implements ArchiveSink {
  private fd: number | undefined;

  constructor(private readonly root: string) {}

  directory(path: string): void {
    mkdirSync(join(this.root, path), { recursive: true, mode: 0o755 });
  }

  symlink(path: string, target: string): void {
    mkdirSync(dirname(join(this.root, path)), { recursive: true, mode: 0o755 });
    symlinkSync(target, join(this.root, path));
  }

  fileStart(path: string, executable: boolean): void {
    mkdirSync(dirname(join(this.root, path)), { recursive: true, mode: 0o755 });
    this.fd = openSync(join(this.root, path), 'wx', 0o600);
    fchmodSync(this.fd, executable ? 0o755 : 0o644);
  }

  fileData(chunk: Buffer): void {
    let written = 0;
    while (written < chunk.length) written += writeSync(this.fd!, chunk, written);
  }

  fileEnd(): void {
    closeSync(this.fd!);
    this.fd = undefined;
  }

  /** Closes a file left open by a refused archive. */
  release(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * Unpacks the archive in `range` into `dest`, which must not exist yet (the
 * caller picks a temporary name and renames it once this returns). No fsync:
 * the supervisor checks the folder against its bundle before every start
 * (`compareTree`), so a folder half-written by a power cut is refused, never run.
 */
export async function unpackArchive(range: ByteRange, dest: string): Promise<ArchiveEntry[]> {
  try {
    mkdirSync(dest, { mode: 0o755 });
  } catch (error) {
    throw new ReleaseError('io', `cannot make ${dest}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const sink = new DiskSink(dest);
  try {
    return await readArchive(range, sink, { hashFiles: false });
  } finally {
    sink.release();
  }
}

function fileSha256(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(HASH_CHUNK_BYTES);
    for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) hash.update(buffer.subarray(0, n));
    return hash.digest('hex');
  } finally {
    closeSync(fd);
  }
}

/** Every path under `root` (relative, `/`-separated) with what it is; links are not followed. */
function walk(root: string, rel = '', out = new Map<string, string>()): Map<string, string> {
  for (const name of readdirSync(join(root, rel)).sort()) {
    const path = rel ? `${rel}/${name}` : name;
    const full = join(root, path);
    const stat = lstatSync(full);
    if (stat.isDirectory()) {
      out.set(path, 'directory');
      walk(root, path, out);
    } else if (stat.isSymbolicLink()) {
      out.set(path, `symlink ${readlinkSync(full)}`);
    } else if (stat.isFile()) {
      out.set(path, `file ${stat.size} ${(stat.mode & 0o111) !== 0 ? 'x' : '-'} ${fileSha256(full)}`);
    } else {
      out.set(path, 'other');
    }
  }
  return out;
}

function describe(entry: ArchiveEntry): string {
  if (entry.type === 'directory') return 'directory';
  if (entry.type === 'symlink') return `symlink ${entry.linkTarget}`;
  return `file ${entry.size} ${entry.executable ? 'x' : '-'} ${entry.sha256}`;
}

/**
 * Whether the folder holds exactly the archive's entries: no file more, none
 * less, each with its content, execute bit and link target. Returns the first
 * difference, or null when they agree.
 */
export function compareTree(root: string, entries: readonly ArchiveEntry[]): string | null {
  const expected = new Map<string, string>();
  for (const entry of entries) {
    for (const above of ancestorsOf(entry.path)) if (!expected.has(above)) expected.set(above, 'directory');
    expected.set(entry.path, describe(entry));
  }
  let actual: Map<string, string>;
  try {
    actual = walk(root);
  } catch (error) {
    return `cannot read ${root}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
  }
  for (const [path, what] of expected) {
    const found = actual.get(path);
    if (found === undefined) return `${path} is missing`;
    if (found !== what) return `${path} differs from the release (${found.split(' ')[0]} where the bundle has a ${what.split(' ')[0]}${found.split(' ')[0] === what.split(' ')[0] ? ' with other content' : ''})`;
  }
  for (const path of actual.keys()) if (!expected.has(path)) return `${path} is not part of the release`;
  return null;
}

/** Reads the archive in `range` (checking it) and compares the folder with it. */
export async function verifyTree(range: ByteRange, root: string): Promise<string | null> {
  return compareTree(root, await readArchive(range));
}
