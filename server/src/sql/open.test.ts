// The server's --db value (sql/open.ts; issue 15 "Bad input": a URL that is
// malformed or unreachable gets a one-line error naming it, at start, with
// the password hidden; a URL is never taken for a file path).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from './pg-cluster.js';
import { openServerDatabase, parseDatabaseSpec } from './open.js';
import { DatabaseOpenErrorCode, isDatabaseOpenError, type DatabaseOpenError } from './errors.js';
import { sqlEngine } from './types.js';

async function refusal(text: string): Promise<DatabaseOpenError> {
  const error = await openServerDatabase(text).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isDatabaseOpenError(error)) throw new Error(`expected a DatabaseOpenError for ${text}, got ${String(error)}`);
  expect(error.message).not.toContain('\n');
  expect(error.message).not.toContain('s3cret');
  return error;
}

describe('a --db value', () => {
  it('is a SQLite file as a path or sqlite:FILE, and PostgreSQL as postgres:// or postgresql://', () => {
    expect(parseDatabaseSpec('data/nongbao.sqlite')).toEqual({ engine: 'sqlite', path: 'data/nongbao.sqlite' });
    expect(parseDatabaseSpec('sqlite:/var/lib/nongbao/county.sqlite')).toEqual({ engine: 'sqlite', path: '/var/lib/nongbao/county.sqlite' });
    expect(parseDatabaseSpec('postgres://nongbao@db.example:5432/county')).toMatchObject({ engine: 'postgres', url: expect.stringMatching(/^postgres:\/\/nongbao@db\.example:5432\/county\?connect_timeout=\d+$/) });
    expect(parseDatabaseSpec('postgresql://nongbao@db.example/county')).toMatchObject({ engine: 'postgres' });
  });

  it('opens a SQLite file by path', async () => {
    const db = await openServerDatabase(`sqlite:${join(mkdtempSync(join(tmpdir(), 'nb-open-')), 'server.sqlite')}`);
    expect(sqlEngine(db)).toBe('sqlite');
    db.close();
  });

  it('refuses another scheme in one line naming it, never making a file of it', async () => {
    const error = await refusal('mysql://root:s3cret@db.example/county');
    expect(error.code).toBe(DatabaseOpenErrorCode.UnknownScheme);
    expect(error.message).toContain('mysql://root:***@db.example/county');
  });

  it('refuses a malformed postgres URL in one line saying what is wrong', async () => {
    const port = await refusal('postgres://nongbao:s3cret@db.example:54x2/county');
    expect(port.code).toBe(DatabaseOpenErrorCode.MalformedUrl);
    expect(port.message).toMatch(/^database URL postgres:\/\/nongbao:\*\*\*@db\.example:54x2\/county (is not a valid URL|has a port that is not a number)$/);
    const slashes = await refusal('postgres:nongbao@db.example/county');
    expect(slashes.code).toBe(DatabaseOpenErrorCode.MalformedUrl);
    expect((await refusal('sqlite:')).code).toBe(DatabaseOpenErrorCode.EmptyPath);
  });

  it('fails at once, in one line naming the URL, when no PostgreSQL answers there', async () => {
    const port = await freePort();
    const error = await refusal(`postgres://nongbao:s3cret@127.0.0.1:${port}/county`);
    expect(error.code).toBe(DatabaseOpenErrorCode.Unreachable);
    expect(error.message).toContain(`cannot connect to postgres://nongbao:***@127.0.0.1:${port}/county`);
  });
});
