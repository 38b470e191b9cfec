// `nongbao ledger verify|migrate` (issue #5 section 1, issue #15 section 2).
// verify prints the verify report as JSON; exit 0 when the ledger is sound, 1
// when it is not, 2 for bad usage or a database that cannot be read or holds
// no ledger. It opens the database read-only, so verifying never changes what
// it verifies. --db is a file path or a postgres:// URL; anything shaped like
// a URL is never taken for a path (sql/pg-url.ts). migrate and the
// PostgreSQL side live in pg/command.ts, loaded only when named, so the
// SQLite path never loads libpq.
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { Ledger } from './ledger.js';
import { isLedgerError } from './errors.js';
import { looksLikeUrl } from '../sql/pg-url.js';

export const LEDGER_USAGE = [
  'usage: nongbao ledger verify [--db FILE|postgres://URL]   (default: $NONGBAO_DB or data/nongbao.sqlite)',
  '       nongbao ledger migrate --from sqlite:FILE --to postgres://URL',
].join('\n');
/** How long verify waits for a writer's lock before it gives up. */
export const VERIFY_BUSY_TIMEOUT_MS = 5_000;

export interface LedgerCommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
}

const defaultIo: LedgerCommandIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
};

/** `--name value` / `--name=value` options among `allowed`; a string is the usage error. */
export function parseOptions(args: string[], allowed: readonly string[]): Map<string, string> | string {
  const out = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (!allowed.includes(name)) return `unexpected argument ${JSON.stringify(arg)}`;
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined || value === '') return `${name} needs a value`;
    out.set(name, value);
  }
  return out;
}

export async function ledgerCommand(argv: string[], io: LedgerCommandIo = defaultIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'migrate') return (await import('./pg/command.js')).migrateCommand(rest, io);
  if (sub !== 'verify') {
    io.err(sub === undefined ? LEDGER_USAGE : `unknown ledger command ${JSON.stringify(sub)}\n${LEDGER_USAGE}`);
    return 2;
  }
  const options = parseOptions(rest, ['--db']);
  if (typeof options === 'string') {
    io.err(`${options}\n${LEDGER_USAGE}`);
    return 2;
  }
  const db = options.get('--db') ?? io.env.NONGBAO_DB ?? 'data/nongbao.sqlite';
  if (looksLikeUrl(db)) return (await import('./pg/command.js')).verifyPgCommand(db, io);
  return verifySqlite(db.startsWith('sqlite:') ? db.slice('sqlite:'.length) : db, io);
}

function verifySqlite(dbPath: string, io: LedgerCommandIo): number {
  if (!existsSync(dbPath)) {
    io.err(`no database at ${dbPath}`);
    return 2;
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(dbPath, { readonly: true, fileMustExist: true, timeout: VERIFY_BUSY_TIMEOUT_MS });
    const ledger = Ledger.openSqlite(db, { readonly: true });
    const report = ledger.verify();
    ledger.close();
    io.out(JSON.stringify({ db: dbPath, ...report }, null, 2));
    return report.ok ? 0 : 1;
  } catch (error) {
    if (isLedgerError(error)) {
      io.err(`${dbPath}: ${error.message} (ledger error ${error.code})`);
      return 2;
    }
    // A damaged database file is a ledger that is not sound.
    if (error instanceof Database.SqliteError && error.code.startsWith('SQLITE_CORRUPT')) {
      io.err(`${dbPath}: the database is damaged: ${error.message}`);
      return 1;
    }
    // Not an SQLite database, unreadable file, ...: the file cannot be verified.
    io.err(`${dbPath}: cannot read the ledger: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  } finally {
    db?.close();
  }
}
