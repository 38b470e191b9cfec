// The kiosk's journal (better-sqlite3, WAL, synchronous=FULL): the only place
// on the kiosk where money or account data lives. This first part holds the
// offline cache of account summaries, so a resident still sees their account
// while the village's network is down (ARCHITECTURE.md journey 1).
import { openDatabase, type SqliteDatabase } from '@nongbao/server/db';
import { accountSummarySchema, type AccountSummary } from '@nongbao/server/protocol';

/** Cached summaries kept at most; the oldest are dropped first. */
export const ACCOUNT_CACHE_LIMIT = 5_000;

export class Journal {
  readonly db: SqliteDatabase;

  constructor(path: string) {
    this.db = openDatabase(path);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS account_cache (
        citizen_number TEXT PRIMARY KEY,
        summary_json TEXT NOT NULL,
        cached_at TEXT NOT NULL
      );
    `);
  }

  cacheSummary(summary: AccountSummary, nowIso = new Date().toISOString()): void {
    this.db.transaction(() => {
      this.db
        .prepare('INSERT OR REPLACE INTO account_cache (citizen_number, summary_json, cached_at) VALUES (?, ?, ?)')
        .run(summary.citizenNumber, JSON.stringify(summary), nowIso);
      this.db
        .prepare(
          `DELETE FROM account_cache WHERE citizen_number IN (
             SELECT citizen_number FROM account_cache ORDER BY cached_at DESC LIMIT -1 OFFSET ?)`,
        )
        .run(ACCOUNT_CACHE_LIMIT);
    })();
  }

  cachedSummary(citizenNumber: string): AccountSummary | undefined {
    const row = this.db.prepare('SELECT summary_json FROM account_cache WHERE citizen_number = ?').get(citizenNumber) as
      | { summary_json: string }
      | undefined;
    if (!row) return undefined;
    // The cache is ours, but a summary from an older software version may no
    // longer fit the schema: treat it as absent rather than show wrong data.
    const parsed = accountSummarySchema.safeParse(JSON.parse(row.summary_json));
    return parsed.success ? parsed.data : undefined;
  }

  close(): void {
    this.db.close();
  }
}
