// Test support: everything a database holds, as one comparable value, so a
// test can say "nothing was written" without knowing which tables a route
// would have touched. Rows are sorted, so only content counts, not order.
import type { SqlDatabase } from '../sql/types.js';
import { tableNames } from '../sql/schema.js';

export function databaseSnapshot(db: SqlDatabase): Record<string, string[]> {
  const snapshot: Record<string, string[]> = {};
  for (const name of tableNames(db)) {
    const rows = db.prepare(`SELECT * FROM "${name.replaceAll('"', '""')}"`).all();
    snapshot[name] = rows.map((row) => JSON.stringify(row)).sort();
  }
  return snapshot;
}
