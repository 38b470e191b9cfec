// The PostgreSQL side of `nongbao ledger` (issue #15 section 2): verify of a
// postgres:// URL, and `migrate --from sqlite:FILE --to postgres://URL`.
// Every refusal is one line on stderr naming what it refuses (issue #15 "Bad
// input"); reports are JSON on stdout. Exit 0 sound, 1 not sound, 2 bad
// usage, an unreachable or malformed URL, a refused migration.
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { PgDatabase, PgError } from '../../sql/pg-database.js';
import { checkPgUrl, redactPgUrl } from '../../sql/pg-url.js';
import { LEDGER_USAGE, VERIFY_BUSY_TIMEOUT_MS, parseOptions, type LedgerCommandIo } from '../command.js';
import { isLedgerError } from '../errors.js';
import { Ledger } from '../ledger.js';
import { SqliteLedgerStore } from '../sqlite/store.js';
import { migrateLedgerToPg } from './migrate.js';
import { PgLedgerStore } from './store.js';

/** One line: a message never spans lines on the operator's terminal. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Connects to a checked URL; on failure writes the one-line reason and returns undefined. */
function connect(text: string, io: LedgerCommandIo): PgDatabase | undefined {
  const shown = redactPgUrl(text);
  const checked = checkPgUrl(text);
  if (!checked.ok) {
    io.err(`${shown} ${checked.reason}`);
    return undefined;
  }
  try {
    return new PgDatabase(checked.url);
  } catch (error) {
    // PgDatabase's message names the URL (password hidden) and libpq's reason, on one line.
    io.err(oneLine(error instanceof Error ? error.message : String(error)));
    return undefined;
  }
}

function reportError(where: string, error: unknown, io: LedgerCommandIo): number {
  if (isLedgerError(error)) io.err(oneLine(`${where}: ${error.message} (ledger error ${error.code})`));
  else if (error instanceof PgError) io.err(oneLine(`${where}: ${error.message} (SQLSTATE ${error.code})`));
  else throw error;
  return 2;
}

export function verifyPgCommand(text: string, io: LedgerCommandIo): number {
  const db = connect(text, io);
  if (db === undefined) return 2;
  const shown = redactPgUrl(text);
  try {
    // Verify never writes: the connection refuses to.
    db.exec('SET default_transaction_read_only = on');
    const ledger = new Ledger(new PgLedgerStore(db, { readonly: true }));
    const report = ledger.verify();
    ledger.close();
    io.out(JSON.stringify({ db: shown, ...report }, null, 2));
    return report.ok ? 0 : 1;
  } catch (error) {
    return reportError(shown, error, io);
  } finally {
    db.close();
  }
}

/** The SQLite source of a migration: `sqlite:FILE`, which must exist. */
function sourcePath(from: string, io: LedgerCommandIo): string | undefined {
  if (!from.startsWith('sqlite:') || from.length === 'sqlite:'.length) {
    io.err(`--from ${JSON.stringify(from)} is not sqlite:FILE\n${LEDGER_USAGE}`);
    return undefined;
  }
  const path = from.slice('sqlite:'.length);
  if (!existsSync(path)) {
    io.err(`no database at ${path}`);
    return undefined;
  }
  return path;
}

export function migrateCommand(args: string[], io: LedgerCommandIo): number {
  const options = parseOptions(args, ['--from', '--to']);
  if (typeof options === 'string' || !options.has('--from') || !options.has('--to')) {
    io.err(`${typeof options === 'string' ? options : 'migrate needs --from and --to'}\n${LEDGER_USAGE}`);
    return 2;
  }
  const path = sourcePath(options.get('--from')!, io);
  if (path === undefined) return 2;
  const to = options.get('--to')!;
  const target = connect(to, io);
  if (target === undefined) return 2;
  let source: Database.Database | undefined;
  try {
    source = new Database(path, { readonly: true, fileMustExist: true, timeout: VERIFY_BUSY_TIMEOUT_MS });
    const sourceStore = new SqliteLedgerStore(source, { readonly: true });
    const m = migrateLedgerToPg(sourceStore, target);
    sourceStore.close();
    const summary = (r: typeof m.source) => ({ ok: r.ok, transfers: r.transfers, blocks: r.blocks, accounts: r.accounts, headBlock: r.headBlock, headHash: r.headHash, totalDebitsFen: r.totalDebitsFen, problems: r.problems });
    io.out(JSON.stringify({ from: `sqlite:${path}`, to: redactPgUrl(to), ok: m.ok, accounts: m.accounts, transfers: m.transfers, blocks: m.blocks, source: summary(m.source), target: summary(m.target) }, null, 2));
    return m.ok ? 0 : 1;
  } catch (error) {
    if (isLedgerError(error) && error.details?.reason === 'source_unsound') {
      io.err(oneLine(`sqlite:${path}: ${error.message}`));
      return 1;
    }
    if (error instanceof Database.SqliteError) {
      io.err(oneLine(`sqlite:${path}: cannot read the ledger: ${error.message}`));
      return 2;
    }
    return reportError(isLedgerError(error) && error.details?.reason === 'target_not_empty' ? redactPgUrl(to) : `migrate sqlite:${path} to ${redactPgUrl(to)}`, error, io);
  } finally {
    source?.close();
    target.close();
  }
}
