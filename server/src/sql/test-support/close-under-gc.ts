// Run by pg-close.test.ts in its own node process with --expose-gc: opens
// and closes connections with garbage collections between them, in one
// synchronous stretch (no loop iteration in between), as a test file's
// afterEach does. Exits 0 when the process survives to its natural end.
import { PgDatabase } from '../pg-database.js';

const url = process.argv[2];
if (!url) throw new Error('usage: close-under-gc.ts POSTGRES_URL');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
for (let i = 0; i < 200; i++) {
  const db = new PgDatabase(url);
  db.prepare('SELECT ? AS n').get(i);
  db.close();
  if (i % 10 === 0) gc();
}
gc();
process.stdout.write('closed 200\n');
