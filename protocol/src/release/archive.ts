// Reading a release payload (a gzip'd tar) entry by entry, with every entry
// checked before anything is written (archive-paths.ts), and, given a sink,
// writing it out. node-tar's Parser only cuts the archive into entries: it
// never touches the file system here, so every path, link and size is ours to
// decide. Only plain files, folders and symlinks inside are allowed; hard
// links, devices, FIFOs and unknown entry types are refused, and so is a path
// that appears twice, goes through a symlink or sits under a file.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Parser, type ReadEntry } from 'tar';
import { ReleaseError, isReleaseError, refuse } from './errors.js';
import { ancestorsOf, checkLinkTarget, entryPath } from './archive-paths.js';

/** Entries one release may hold (the kiosk software with node_modules holds about 20 000). */
export const ARCHIVE_ENTRIES_LIMIT = 200_000;
/** Bytes one release may unpack to (TUF "endless data attacks"; a gzip bomb stops here). */
export const UNPACKED_BYTES_LIMIT = 2 * 1024 ** 3;
const READ_CHUNK_BYTES = 1024 * 1024;

export type ArchiveEntryType = 'file' | 'directory' | 'symlink';

export interface ArchiveEntry {
  path: string;
  type: ArchiveEntryType;
  /** Bytes of a file; 0 otherwise. */
  size: number;
  /** A file with any execute bit is unpacked 0755, any other 0644. */
  executable: boolean;
  linkTarget?: string;
  /** sha256 of a file's content, hex. */
  sha256?: string;
}

/** Where checked entries go (unpack.ts writes them to disk); the reader calls it in archive order. */
export interface ArchiveSink {
  directory(path: string): void;
  symlink(path: string, target: string): void;
  fileStart(path: string, executable: boolean): void;
  fileData(chunk: Buffer): void;
  fileEnd(): void;
}

/** A byte range of a file: the payload inside a bundle, or a whole `.tar.gz`. */
export interface ByteRange {
  path: string;
  start: number;
  size: number;
}

const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);

/** Tracks what the archive has put where, to refuse duplicates and paths through links or files. */
class EntryRules {
  private readonly kinds = new Map<string, ArchiveEntryType | 'implicit-directory'>();
  private entries = 0;
  private bytes = 0;

  admit(raw: ReadEntry): ArchiveEntry | null {
    if (++this.entries > ARCHIVE_ENTRIES_LIMIT) refuse('unsafe-path', `the archive holds more than ${ARCHIVE_ENTRIES_LIMIT} entries`);
    const path = entryPath(raw.path);
    const type = this.typeOf(raw, path);
    if (path === '') {
      if (type !== 'directory') refuse('unsafe-path', `archive entry ${JSON.stringify(raw.path)} names the release folder itself`);
      return null;
    }
    for (const above of ancestorsOf(path)) {
      const kind = this.kinds.get(above);
      if (kind === 'symlink') refuse('unsafe-path', `archive entry ${path} goes through the symlink ${above}`);
      if (kind === 'file') refuse('unsafe-path', `archive entry ${path} sits under the file ${above}`);
      if (!kind) this.kinds.set(above, 'implicit-directory');
    }
    const before = this.kinds.get(path);
    if (before && !(type === 'directory' && (before === 'directory' || before === 'implicit-directory'))) {
      refuse('unsafe-path', `archive entry ${path} appears twice`);
    }
    this.kinds.set(path, type);
    if (type === 'symlink') checkLinkTarget(path, raw.linkpath ?? '');
    if (type === 'file') {
      this.bytes += raw.size;
      if (this.bytes > UNPACKED_BYTES_LIMIT) refuse('unsafe-path', `the archive unpacks to more than ${UNPACKED_BYTES_LIMIT} bytes`);
    }
    return {
      path,
      type,
      size: type === 'file' ? raw.size : 0,
      executable: type === 'file' && ((raw.mode ?? 0) & 0o111) !== 0,
      ...(type === 'symlink' ? { linkTarget: raw.linkpath ?? '' } : {}),
    };
  }

  private typeOf(raw: ReadEntry, path: string): ArchiveEntryType {
    if (FILE_TYPES.has(raw.type)) return 'file';
    if (raw.type === 'Directory') return 'directory';
    if (raw.type === 'SymbolicLink') return 'symlink';
    return refuse('unsafe-path', `archive entry ${path || raw.path} is a ${raw.type}: only files, folders and symlinks inside are allowed`);
  }
}

/** A failure writing what the archive holds is the disk's (full, read-only), not the bundle's. */
function onDisk<T>(what: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    throw new ReleaseError('io', `cannot ${what}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

function asMalformed(error: unknown): ReleaseError {
  if (isReleaseError(error)) return error;
  return new ReleaseError('malformed', `the payload is not a readable gzip'd tar archive: ${(error as Error).message ?? String(error)}`);
}

/**
 * Reads the archive in `range`, checking every entry; hands each to `sink`
 * when given. Returns every entry (files with their sha256 unless
 * `hashFiles` is false: unpacking needs no hash, checking a folder does). Throws
 * ReleaseError: `unsafe-path` for an entry the rules refuse, `malformed` for
 * bytes that are not a gzip'd tar.
 */
export async function readArchive(range: ByteRange, sink?: ArchiveSink, options: { hashFiles?: boolean } = {}): Promise<ArchiveEntry[]> {
  const hashFiles = options.hashFiles !== false;
  const rules = new EntryRules();
  const entries: ArchiveEntry[] = [];
  let failure: ReleaseError | undefined;
  const parser = new Parser({ strict: true, gzip: true });
  const fail = (error: unknown): void => {
    failure ??= asMalformed(error);
  };
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  parser.on('entry', (raw: ReadEntry) => {
    try {
      onEntry(raw, rules, entries, sink, hashFiles);
    } catch (error) {
      fail(error);
      raw.resume();
      parser.abort(failure!);
    }
  });
  parser.on('ignoredEntry', (raw: ReadEntry) => {
    fail(new ReleaseError('unsafe-path', `archive entry ${raw.path} is a ${raw.type}: only files, folders and symlinks inside are allowed`));
  });
  parser.on('error', (error: unknown) => {
    fail(error);
    finished();
  });
  parser.on('close', () => finished());
  if (range.size > 0) {
    const stream = createReadStream(range.path, { start: range.start, end: range.start + range.size - 1, highWaterMark: READ_CHUNK_BYTES });
    try {
      for await (const chunk of stream) {
        if (failure) break;
        try {
          parser.write(chunk as Buffer);
        } catch (error) {
          fail(error);
        }
      }
    } finally {
      stream.destroy();
    }
  }
  if (!failure) {
    parser.end();
    await done;
  }
  if (failure) throw failure;
  return entries;
}

function onEntry(raw: ReadEntry, rules: EntryRules, entries: ArchiveEntry[], sink: ArchiveSink | undefined, hashFiles: boolean): void {
  const entry = rules.admit(raw);
  if (!entry) {
    raw.resume();
    return;
  }
  if (entry.type === 'directory' && sink) onDisk(`make the folder ${entry.path}`, () => sink.directory(entry.path));
  if (entry.type === 'symlink' && sink) onDisk(`make the symlink ${entry.path}`, () => sink.symlink(entry.path, entry.linkTarget!));
  if (entry.type !== 'file') {
    entries.push(entry);
    raw.resume();
    return;
  }
  if (sink) onDisk(`create ${entry.path}`, () => sink.fileStart(entry.path, entry.executable));
  const hash: Hash | null = hashFiles ? createHash('sha256') : null;
  raw.on('data', (chunk: Buffer) => {
    hash?.update(chunk);
    if (sink) onDisk(`write ${entry.path}`, () => sink.fileData(chunk));
  });
  raw.on('end', () => {
    if (sink) onDisk(`close ${entry.path}`, () => sink.fileEnd());
    entries.push(hash ? { ...entry, sha256: hash.digest('hex') } : entry);
  });
}
