// The history's row writer (history-rows.ts) on the run's engine
// (NONGBAO_TEST_DB): every row arrives as given, text that needs quoting in a
// PostgreSQL array and NULLs included, across more than one statement's worth.
import { describe, expect, it } from 'vitest';
import { openTestServerDatabase } from '../sql/test-db.js';
import { ROWS_PER_STATEMENT, rowWriter } from './history-rows.js';

describe('the history row writer', () => {
  it('writes every row as given, in statements of ROWS_PER_STATEMENT rows and a last one at flush', () => {
    const db = openTestServerDatabase();
    db.exec('CREATE TABLE t (k INTEGER PRIMARY KEY, s TEXT, n INTEGER)');
    const rows = ROWS_PER_STATEMENT + 7;
    const text = (k: number) => (k % 3 === 0 ? null : `测试 "${k}" \\ {a,b} '${k}'`);
    db.transaction(() => {
      const writer = rowWriter(db, 't', [['k', 'bigint'], ['s', 'text'], ['n', 'bigint']]);
      for (let k = 0; k < rows; k++) writer.add(k, text(k), -k * 1_000_003);
      writer.flush();
      writer.flush();
    })();
    const stored = db.prepare('SELECT k, s, n FROM t ORDER BY k').all() as { k: number; s: string | null; n: number }[];
    expect(stored.length).toBe(rows);
    const wrong = stored.filter((r, k) => r.k !== k || r.s !== text(k) || r.n !== -k * 1_000_003);
    expect(wrong).toEqual([]);
    db.close();
  });
});
