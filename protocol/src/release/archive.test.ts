// Every archive entry is checked before anything is written: whatever a
// payload holds, nothing lands outside the release folder (issue 13 section
// 3: "refusing any archive entry that escapes its folder").
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync, chmodSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readArchive } from './archive.js';
import { compareTree, unpackArchive } from './unpack.js';
import { packDirectory } from './pack.js';
import { entryPath } from './archive-paths.js';
import { rawTarGz, tempDir, type RawEntry } from './test-support.js';

function archiveFile(entries: RawEntry[]): { path: string; start: number; size: number } {
  const dir = tempDir();
  const path = join(dir, 'payload.tar.gz');
  const bytes = rawTarGz(entries);
  writeFileSync(path, bytes);
  return { path, start: 0, size: bytes.length };
}

async function refusal(entries: RawEntry[]): Promise<string> {
  try {
    await readArchive(archiveFile(entries));
  } catch (error) {
    return (error as { code: string }).code;
  }
  return 'accepted';
}

describe('archive entries', () => {
  it('accepts files, folders and symlinks that stay inside', async () => {
    const entries = await readArchive(
      archiveFile([
        { name: './', type: '5' },
        { name: 'bin/', type: '5' },
        { name: 'bin/run', data: '#!/bin/sh\n', mode: 0o755 },
        { name: 'lib/util.js', data: 'x' },
        { name: 'bin/lib', type: '2', linkname: '../lib' },
        { name: 'current', type: '2', linkname: '.' },
      ]),
    );
    expect(entries.map((e) => `${e.type} ${e.path}`)).toEqual(['directory bin', 'file bin/run', 'file lib/util.js', 'symlink bin/lib', 'symlink current']);
    expect(entries.find((e) => e.path === 'bin/run')).toMatchObject({ executable: true, sha256: createHash('sha256').update('#!/bin/sh\n').digest('hex') });
  });

  it.each<[string, RawEntry[]]>([
    ['an absolute path', [{ name: '/etc/cron.d/evil', data: 'x' }]],
    ['a .. segment', [{ name: 'a/../../evil', data: 'x' }]],
    ['a leading ..', [{ name: '../evil', data: 'x' }]],
    ['a symlink to an absolute path', [{ name: 'etc', type: '2', linkname: '/etc' }]],
    ['a symlink climbing out', [{ name: 'a/b', type: '2', linkname: '../../outside' }]],
    ['a file written through a symlink', [{ name: 'sub/', type: '5' }, { name: 'link', type: '2', linkname: 'sub' }, { name: 'link/x', data: 'x' }]],
    ['a hard link', [{ name: 'a', data: 'x' }, { name: 'b', type: '1', linkname: 'a' }]],
    ['a character device', [{ name: 'tty', type: '3' }]],
    ['a FIFO', [{ name: 'pipe', type: '6' }]],
    ['the same file twice', [{ name: 'a', data: 'x' }, { name: 'a', data: 'y' }]],
    ['a symlink over a folder', [{ name: 'd/x', data: 'x' }, { name: 'd', type: '2', linkname: '.' }]],
    ['a file under a file', [{ name: 'f', data: 'x' }, { name: 'f/g', data: 'y' }]],
    ['a backslash', [{ name: '..\\evil', data: 'x' }]],
    ['an empty segment', [{ name: 'a//b', data: 'x' }]],
  ])('refuses %s as unsafe-path', async (_what, entries) => {
    expect(await refusal(entries)).toBe('unsafe-path');
  });

  it('refuses bytes that are not a gzip\'d tar as malformed', async () => {
    const dir = tempDir();
    const path = join(dir, 'junk.tar.gz');
    writeFileSync(path, 'definitely not gzip');
    await expect(readArchive({ path, start: 0, size: 19 })).rejects.toMatchObject({ code: 'malformed' });
  });

  it('normalises paths it accepts so they stay under the root', () => {
    expect(entryPath('./a/b/')).toBe('a/b');
    expect(entryPath('./')).toBe('');
    expect(() => entryPath('a/./b')).toThrow(/empty or "."/);
  });
});

describe('unpackArchive', () => {
  it('writes what the archive holds, with modes and links', async () => {
    const dest = join(tempDir(), 'release');
    await unpackArchive(archiveFile([{ name: 'bin/run', data: 'run', mode: 0o755 }, { name: 'doc.txt', data: 'doc' }, { name: 'bin/doc', type: '2', linkname: '../doc.txt' }]), dest);
    expect(readFileSync(join(dest, 'bin/run'), 'utf8')).toBe('run');
    expect(statSync(join(dest, 'bin/run')).mode & 0o777).toBe(0o755);
    expect(statSync(join(dest, 'doc.txt')).mode & 0o777).toBe(0o644);
    expect(readlinkSync(join(dest, 'bin/doc'))).toBe('../doc.txt');
  });

  it('writes nothing outside its folder from an archive that tries', async () => {
    const base = tempDir();
    const dest = join(base, 'release');
    await expect(unpackArchive(archiveFile([{ name: 'ok.txt', data: 'x' }, { name: 'link', type: '2', linkname: '..' }, { name: '../escaped.txt', data: 'x' }]), dest)).rejects.toMatchObject({
      code: 'unsafe-path',
    });
    expect(existsSync(join(base, 'escaped.txt'))).toBe(false);
    expect(existsSync(join(dest, 'link'))).toBe(false);
  });
});

describe('compareTree', () => {
  async function unpacked(): Promise<{ dest: string; entries: Awaited<ReturnType<typeof readArchive>> }> {
    const archive = archiveFile([{ name: 'bin/run', data: 'run', mode: 0o755 }, { name: 'a.txt', data: 'a' }, { name: 'l', type: '2', linkname: 'a.txt' }]);
    const dest = join(tempDir(), 'release');
    await unpackArchive(archive, dest);
    return { dest, entries: await readArchive(archive) };
  }

  it('agrees with a folder as unpacked', async () => {
    const { dest, entries } = await unpacked();
    expect(compareTree(dest, entries)).toBeNull();
  });

  it.each<[string, (dest: string) => void, RegExp]>([
    ['changed content', (d) => writeFileSync(join(d, 'a.txt'), 'b'), /a\.txt differs/],
    ['an added file', (d) => writeFileSync(join(d, 'bin/extra.js'), 'evil'), /bin\/extra\.js is not part/],
    ['a removed file', (d) => rmSync(join(d, 'a.txt')), /a\.txt is missing/],
    ['an execute bit', (d) => chmodSync(join(d, 'a.txt'), 0o755), /a\.txt differs/],
    ['a retargeted link', (d) => (rmSync(join(d, 'l')), symlinkSync('bin/run', join(d, 'l'))), /l differs/],
  ])('finds %s', async (_what, change, expected) => {
    const { dest, entries } = await unpacked();
    change(dest);
    expect(compareTree(dest, entries)).toMatch(expected);
  });
});

describe('packDirectory', () => {
  it('packs the same folder to the same bytes', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'src/bin'), { recursive: true });
    writeFileSync(join(dir, 'src/bin/run'), 'run', { mode: 0o755 });
    symlinkSync('bin/run', join(dir, 'src/run'));
    await packDirectory(join(dir, 'src'), join(dir, 'one.tar.gz'));
    await new Promise((r) => setTimeout(r, 1100));
    writeFileSync(join(dir, 'src/bin/run'), 'run', { mode: 0o755 });
    await packDirectory(join(dir, 'src'), join(dir, 'two.tar.gz'));
    expect(readFileSync(join(dir, 'one.tar.gz')).equals(readFileSync(join(dir, 'two.tar.gz')))).toBe(true);
    const entries = await readArchive({ path: join(dir, 'one.tar.gz'), start: 0, size: statSync(join(dir, 'one.tar.gz')).size });
    expect(entries.map((e) => e.path)).toEqual(['bin', 'bin/run', 'run']);
    expect(lstatSync(join(dir, 'src/run')).isSymbolicLink()).toBe(true);
  });

  it('refuses a folder with a symlink pointing out', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'src'));
    symlinkSync('/etc/passwd', join(dir, 'src/passwd'));
    await expect(packDirectory(join(dir, 'src'), join(dir, 'out.tar.gz'))).rejects.toMatchObject({ code: 'unsafe-path' });
  });
});
