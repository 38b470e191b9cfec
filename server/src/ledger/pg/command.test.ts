// `nongbao ledger migrate` and `ledger verify --db postgres://...` over the
// run's throwaway PostgreSQL cluster and real SQLite files (issue #15
// section 2 and "Bad input").
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../../sql/pg-cluster.js';
import { PgDatabase } from '../../sql/pg-database.js';
import { freshPgDatabase } from '../../sql/test-pg.js';
import { FUND } from '../chart.js';
import { ledgerCommand, type LedgerCommandIo } from '../command.js';
import { A_IND, B_IND, CASH, tempLedger, testId, transfer, type TempLedger } from '../test-support.js';
import { openPgLedger } from './store.js';

const REPO_ROOT = resolve(import.meta.dirname, '../../../..');

function io(): LedgerCommandIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), env: {} };
}

/** An empty database of the cluster: its URL (the test's connection closed). */
function emptyDatabaseUrl(): string {
  const db = freshPgDatabase('ledger_cli');
  db.close();
  return db.url;
}

function countTransfers(url: string): number {
  const db = new PgDatabase(url);
  try {
    return db.query("SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'ledger_transfers'", []).rows[0]!.n === 0 ? 0 : (db.query('SELECT count(*) AS n FROM ledger_transfers', []).rows[0]!.n as number);
  } finally {
    db.close();
  }
}

let t: TempLedger;
beforeEach(() => {
  t = tempLedger();
  // Three batches: a linked pair, meta and a reference, a correction.
  const results = [
    ...t.ledger.createTransfers([
      transfer(1, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 10_000, linked: true, meta: { year: 2024, terminalId: 'kiosk-01' } }),
      transfer(2, { debitAccountId: CASH, creditAccountId: B_IND, amountFen: 20_000 }),
    ]),
    ...t.ledger.createTransfers([transfer(3, { debitAccountId: FUND.inTransit, creditAccountId: CASH, amountFen: 30_000, code: 'collection', reference: 'slip-7' })]),
    ...t.ledger.createTransfers([transfer(4, { debitAccountId: A_IND, creditAccountId: FUND.payout, amountFen: 100, code: 'correction', reference: testId(1) })]),
  ];
  expect(results.map((r) => r.result)).toEqual(['created', 'created', 'created', 'created']);
});
afterEach(() => t.cleanup());

describe('nongbao ledger migrate --from sqlite:FILE --to postgres://...', () => {
  it('moves the ledger as it stands, verifies both ends to the same head, and the ledger goes on there', async () => {
    const url = emptyDatabaseUrl();
    const source = t.ledger.verify();
    const o = io();
    expect(await ledgerCommand(['migrate', '--from', `sqlite:${t.path}`, '--to', url], o)).toBe(0);
    const out = JSON.parse(o.stdout.join('\n')) as { ok: boolean; transfers: number; blocks: number; source: { headHash: string; ok: boolean }; target: { headHash: string; ok: boolean } };
    expect(out).toMatchObject({ ok: true, transfers: 4, blocks: 3, source: { ok: true, headHash: source.headHash }, target: { ok: true, headHash: source.headHash } });
    expect(o.stderr).toEqual([]);

    const v = io();
    expect(await ledgerCommand(['verify', '--db', url], v)).toBe(0);
    expect(JSON.parse(v.stdout.join('\n'))).toMatchObject({ ok: true, transfers: 4, blocks: 3, headHash: source.headHash, totalDebitsFen: source.totalDebitsFen });

    const db = new PgDatabase(url);
    const pg = openPgLedger(db);
    try {
      for (const id of [A_IND, B_IND, CASH, FUND.inTransit, FUND.payout]) expect(pg.balance(id)).toEqual(t.ledger.balance(id));
      expect(pg.getTransfer(testId(1))).toEqual(t.ledger.getTransfer(testId(1)));
      expect(pg.getAccount(A_IND)).toEqual(t.ledger.getAccount(A_IND));
      // A retry of a migrated transfer is still recognised; new ones chain on the migrated head.
      expect(pg.createTransfers([transfer(2, { debitAccountId: CASH, creditAccountId: B_IND, amountFen: 20_000 })])[0]!.result).toBe('exists');
      expect(pg.createTransfers([transfer(5, { debitAccountId: CASH, creditAccountId: B_IND, amountFen: 5 })])[0]).toEqual({ id: testId(5), result: 'created', seq: 5 });
      expect([...pg.store.scanBlocks()][3]!.prevHash).toBe(source.headHash);
      expect(pg.verify()).toMatchObject({ ok: true, transfers: 5 });
    } finally {
      pg.close();
      db.close();
    }
  });

  it('refuses a target that is not empty with one line naming it, and leaves it as it was', async () => {
    const url = emptyDatabaseUrl();
    expect(await ledgerCommand(['migrate', '--from', `sqlite:${t.path}`, '--to', url], io())).toBe(0);
    const again = io();
    expect(await ledgerCommand(['migrate', '--from', `sqlite:${t.path}`, '--to', url], again)).toBe(2);
    expect(again.stderr).toHaveLength(1);
    expect(again.stderr[0]).toMatch(/^postgres:\/\/\S+ledger_cli\S*: the target database is not empty \(public\.ledger_\w+ holds rows\)/);
    expect(countTransfers(url)).toBe(4);
    // Any table with rows, not only a ledger's.
    const other = freshPgDatabase('ledger_cli');
    other.exec("CREATE TABLE persons (id TEXT); INSERT INTO persons VALUES ('p1')");
    other.close();
    const refused = io();
    expect(await ledgerCommand(['migrate', '--from', `sqlite:${t.path}`, '--to', other.url], refused)).toBe(2);
    expect(refused.stderr.join('\n')).toMatch(/not empty \(public\.persons holds rows\)/);
    expect(countTransfers(other.url)).toBe(0);
  });

  it('refuses a source that does not verify and copies nothing', async () => {
    t.db.exec(`UPDATE ledger_balances SET debits_fen = debits_fen + 1 WHERE num = (SELECT num FROM ledger_accounts WHERE id = '${CASH}')`);
    const url = emptyDatabaseUrl();
    const o = io();
    expect(await ledgerCommand(['migrate', '--from', `sqlite:${t.path}`, '--to', url], o)).toBe(1);
    expect(o.stderr).toEqual([expect.stringMatching(/^sqlite:\S+: the source ledger does not verify \(\d+ problems, first: balance_mismatch\); nothing was migrated/)]);
    expect(countTransfers(url)).toBe(0);
  });

  it('needs sqlite:FILE and a postgres:// URL', async () => {
    const url = emptyDatabaseUrl();
    for (const args of [['--from', t.path, '--to', url], ['--from', `sqlite:${t.path}`], ['--from', `sqlite:${join(t.dir, 'nope.sqlite')}`, '--to', url], ['--from', `sqlite:${t.path}`, '--to', t.path]]) {
      const o = io();
      expect(await ledgerCommand(['migrate', ...args], o), args.join(' ')).toBe(2);
      expect(o.stderr.join('\n')).not.toBe('');
    }
    expect(countTransfers(url)).toBe(0);
  });
});

describe('a malformed or unreachable PostgreSQL URL', () => {
  it.each([
    ['postgres://nongbao@127.0.0.1:notaport/x', /^postgres:\/\/nongbao@127\.0\.0\.1:notaport\/x is not a valid URL$/],
    ['postgres:/nongbao@127.0.0.1/x', /^postgres:\/nongbao@127\.0\.0\.1\/x lacks the \/\/ after postgres:$/],
    ['postgresql://127.0.0.1/a/b', /^postgresql:\/\/127\.0\.0\.1\/a\/b names more than one database in its path$/],
    ['mysql://127.0.0.1/x', /^mysql:\/\/127\.0\.0\.1\/x is not a postgres:\/\/ URL$/],
  ])('%s: one line naming it, never taken for a file path', async (url, message) => {
    for (const argv of [['verify', '--db', url], ['migrate', '--from', `sqlite:${t.path}`, '--to', url]]) {
      const o = io();
      expect(await ledgerCommand(argv, o)).toBe(2);
      expect(o.stderr).toEqual([expect.stringMatching(message)]);
      expect(o.stdout).toEqual([]);
    }
    expect(existsSync(url)).toBe(false);
  });

  it('unreachable: one line naming the URL, its password hidden', async () => {
    const port = await freePort();
    const url = `postgres://nongbao:s3cret@127.0.0.1:${port}/county`;
    for (const argv of [['verify', '--db', url], ['migrate', '--from', `sqlite:${t.path}`, '--to', url]]) {
      const o = io();
      expect(await ledgerCommand(argv, o)).toBe(2);
      expect(o.stderr).toHaveLength(1);
      expect(o.stderr[0]).toMatch(new RegExp(`^cannot connect to postgres://nongbao:\\*\\*\\*@127\\.0\\.0\\.1:${port}/county\\?connect_timeout=10: .*refused`));
      expect(o.stderr[0]).not.toMatch(/s3cret|\n/);
    }
  });

  it('a database that holds no ledger: verify says so', async () => {
    const o = io();
    expect(await ledgerCommand(['verify', '--db', emptyDatabaseUrl()], o)).toBe(2);
    expect(o.stderr).toEqual([expect.stringMatching(/: the database holds no ledger \(ledger tables missing\) \(ledger error 5007\)$/)]);
  });
});

describe('nongbao ledger verify --db postgres://... (the real command)', () => {
  it('prints nothing but the JSON report on stdout, and exits 1 for a tampered ledger', async () => {
    const url = emptyDatabaseUrl();
    expect(await ledgerCommand(['migrate', '--from', `sqlite:${t.path}`, '--to', url], io())).toBe(0);
    const run = promisify(execFile);
    const { stdout } = await run(process.execPath, [join(REPO_ROOT, 'bin', 'nongbao.mjs'), 'ledger', 'verify', '--db', url], { cwd: REPO_ROOT });
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, transfers: 4 });
    const db = new PgDatabase(url);
    db.exec('ALTER TABLE ledger_transfers DISABLE TRIGGER USER; UPDATE ledger_transfers SET amount_fen = 1 WHERE seq = 2');
    db.close();
    const failed = await run(process.execPath, [join(REPO_ROOT, 'bin', 'nongbao.mjs'), 'ledger', 'verify', '--db', url], { cwd: REPO_ROOT }).then(
      () => ({ code: 0, stdout: '' }),
      (e: { code: number; stdout: string }) => e,
    );
    expect(failed.code).toBe(1);
    expect((JSON.parse(failed.stdout) as { problems: { kind: string }[] }).problems).toContainEqual(expect.objectContaining({ kind: 'block_digest_mismatch' }));
  });
});
