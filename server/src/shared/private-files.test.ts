// Modes of the files that hold citizen and card numbers (private-files.ts,
// issue 10 section 6), on real files: the server's database with SQLite's
// -wal and -shm beside it, and a log file, in folders that do not exist yet
// and in ones that do.
import Database from 'better-sqlite3';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../db.js';
import { createLogger } from './log.js';

const LOG_WRITE_TIMEOUT_MS = 2_000;
const modeOf = (path: string) => statSync(path).mode & 0o777;

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'nb-modes-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('a database opened by openDatabase', () => {
  it('is made 0600 in folders made 0700, and SQLite gives its -wal and -shm files the same mode', () => {
    const path = join(root, 'data', 'county', 'server.sqlite');
    const db = openDatabase(path);
    db.exec('CREATE TABLE t (citizen_number TEXT); INSERT INTO t VALUES (\'510322197003150011\')');
    expect(modeOf(join(root, 'data'))).toBe(0o700);
    expect(modeOf(join(root, 'data', 'county'))).toBe(0o700);
    for (const file of [path, `${path}-wal`, `${path}-shm`]) expect(modeOf(file), file).toBe(0o600);
    db.close();
  });

  it('tightens a database and its -wal and -shm left readable by all, and leaves a folder that was there as it was', () => {
    const dir = join(root, 'existing');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    const path = join(dir, 'server.sqlite');
    // An older version's files: made by SQLite with its default 0644, the -wal and -shm kept by an open connection.
    const old = new Database(path);
    old.pragma('journal_mode = WAL');
    old.exec('CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (1)');
    for (const file of [path, `${path}-wal`, `${path}-shm`]) {
      chmodSync(file, 0o644);
      expect(modeOf(file)).toBe(0o644);
    }
    const db = openDatabase(path);
    for (const file of [path, `${path}-wal`, `${path}-shm`]) expect(modeOf(file), file).toBe(0o600);
    expect(db.prepare('SELECT n FROM t').get()).toEqual({ n: 1 });
    expect(modeOf(dir)).toBe(0o755);
    db.close();
    old.close();
  });
});

describe('a log file given to createLogger', () => {
  it('is made 0600 in folders made 0700', () => {
    const path = join(root, 'demo', 'logs', 'demo.log');
    const logger = createLogger({ name: 'test', level: 'info', destination: path });
    logger.info({ event: 'test.line' });
    logger.flush();
    expect(modeOf(join(root, 'demo'))).toBe(0o700);
    expect(modeOf(join(root, 'demo', 'logs'))).toBe(0o700);
    expect(modeOf(path)).toBe(0o600);
  });

  it('tightens a log file left readable by all, and appends to it', async () => {
    const path = join(root, 'server.log');
    writeFileSync(path, '{"event":"earlier"}\n', { mode: 0o644 });
    chmodSync(path, 0o644);
    const logger = createLogger({ name: 'test', level: 'info', destination: path });
    expect(modeOf(path)).toBe(0o600);
    logger.info({ event: 'later' });
    // The destination opens and writes asynchronously: wait for the line.
    for (const deadline = Date.now() + LOG_WRITE_TIMEOUT_MS; !readFileSync(path, 'utf8').includes('"later"') && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('{"event":"earlier"}');
    expect(lines.at(-1)).toContain('"later"');
  });
});
