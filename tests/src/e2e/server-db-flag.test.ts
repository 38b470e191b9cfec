// `nongbao server --db` with a value it cannot open (issue 15 "Bad input"):
// the command stops at start with exit code 2 and one line naming the
// value, its password hidden, and makes no file of a URL.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../../server/src/sql/pg-cluster.js';

const REPO_ROOT = resolve(import.meta.dirname, '../../..');
const SERVER_START_TIMEOUT_MS = 60_000;

function nongbaoServer(db: string, cwd: string): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/nongbao.mjs'), 'server', '--db', db, '--port', '0'], { cwd, encoding: 'utf8', timeout: SERVER_START_TIMEOUT_MS });
  return { status: result.status, stderr: result.stderr };
}

describe('nongbao server --db', () => {
  it('stops at start with one line naming an unreachable PostgreSQL, password hidden', async () => {
    const port = await freePort();
    const { status, stderr } = nongbaoServer(`postgres://nongbao:s3cret@127.0.0.1:${port}/county`, mkdtempSync(join(tmpdir(), 'nb-db-flag-')));
    expect(status).toBe(2);
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^nongbao server: cannot connect to postgres://nongbao:\\*\\*\\*@127\\.0\\.0\\.1:${port}/county`))]);
  });

  it('refuses a URL of another scheme in one line, and makes no file of it', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'nb-db-flag-'));
    const { status, stderr } = nongbaoServer('mysql://root:s3cret@db.example/county', cwd);
    expect(status).toBe(2);
    expect(stderr.trim().split('\n')).toEqual(['nongbao server: database mysql://root:***@db.example/county is not a file path, sqlite:FILE or a postgres:// URL']);
    expect(existsSync(join(cwd, 'mysql:'))).toBe(false);
  });
});
