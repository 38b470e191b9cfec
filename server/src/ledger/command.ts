// `nongbao ledger verify [--db FILE]` (issue #5 section 1): prints the verify
// report as JSON; exit 0 when the ledger is sound, 1 when it is not, 2 for bad
// usage or a file that holds no ledger. Opens the file read-only, so verifying
// never changes what it verifies.
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { Ledger } from './ledger.js';
import { isLedgerError } from './errors.js';

export const LEDGER_USAGE = 'usage: nongbao ledger verify [--db FILE]   (default: $NONGBAO_DB or data/nongbao.sqlite)';
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

export async function ledgerCommand(argv: string[], io: LedgerCommandIo = defaultIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'verify') {
    io.err(sub === undefined ? LEDGER_USAGE : `unknown ledger command ${JSON.stringify(sub)}\n${LEDGER_USAGE}`);
    return 2;
  }
  let dbPath = io.env.NONGBAO_DB ?? 'data/nongbao.sqlite';
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--db' && i + 1 < rest.length) {
      dbPath = rest[++i]!;
    } else if (arg.startsWith('--db=') && arg.length > 5) {
      dbPath = arg.slice(5);
    } else {
      io.err(`unexpected argument ${JSON.stringify(arg)}\n${LEDGER_USAGE}`);
      return 2;
    }
  }
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
