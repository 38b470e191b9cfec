// Small releases for the update tests: a payload whose entry speaks the
// supervisor's IPC protocol like the terminal does, behaves as its (signed)
// behaviour.json says, and leaves traces a test can read in the kiosk's data
// folder: `ran.log` (every start, with its version and whether on trial) and
// the journal, a real SQLite file each version opens, migrates the
// expand-then-contract way and reads. A switch is asked for by dropping
// `switch-request.json` in the data folder (the stand-in for a session
// boundary).
import { mkdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export interface Behaviour {
  /** ok: passes its gate; fail: reports a final journal failure; silent: never reports; crash: exits at once. */
  health: 'ok' | 'fail' | 'silent' | 'crash';
  /** The journal schema version it migrates to (expand only: a table per version). */
  journalSchema: number;
}

const ENTRY = `
import { appendFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

const version = process.env.NONGBAO_RELEASE_VERSION;
const trial = process.env.NONGBAO_RELEASE_TRIAL === '1';
const behaviour = JSON.parse(readFileSync(new URL('./behaviour.json', import.meta.url), 'utf8'));
const dataDir = process.argv[2];
const log = (line) => appendFileSync(join(dataDir, 'ran.log'), line + '\\n');
log('start ' + behaviour.version + ' ' + process.pid + ' trial=' + trial + ' env=' + version);

// The journal: this version's expand-only migration, then a read of every row.
const db = new Database(join(dataDir, 'journal.sqlite'));
db.pragma('journal_mode = WAL');
db.exec('CREATE TABLE IF NOT EXISTS payment (id TEXT PRIMARY KEY, amount_fen INTEGER NOT NULL)');
const before = db.pragma('user_version', { simple: true });
if (before < behaviour.journalSchema) {
  db.transaction(() => {
    for (let v = Math.max(before, 3) + 1; v <= behaviour.journalSchema; v++) db.exec('CREATE TABLE IF NOT EXISTS expand_v' + v + ' (note TEXT)');
    db.pragma('user_version = ' + behaviour.journalSchema);
  })();
}
db.prepare('INSERT INTO payment (id, amount_fen) VALUES (?, ?)').run(behaviour.version + '-' + process.pid, 10000);
const rows = db.prepare('SELECT COUNT(*) AS n FROM payment').get().n;
const quick = db.pragma('quick_check', { simple: true });
log('journal ' + behaviour.version + ' schema=' + db.pragma('user_version', { simple: true }) + ' rows=' + rows + ' quick_check=' + quick);

process.on('message', (m) => log('message ' + behaviour.version + ' ' + JSON.stringify(m)));
process.on('disconnect', () => { log('disconnected ' + behaviour.version); process.exit(0); });
process.on('SIGTERM', () => { log('stopped ' + behaviour.version); db.close(); process.exit(0); });

const checks = (ok) => [{ name: 'journal', ok, detail: ok ? 'quick_check ok' : 'simulated journal failure' }];
if (behaviour.health === 'ok') process.send({ type: 'health', version, ok: quick === 'ok', final: false, checks: checks(quick === 'ok') });
if (behaviour.health === 'fail') process.send({ type: 'health', version, ok: false, final: true, checks: checks(false) });
if (behaviour.health === 'crash') { log('crash ' + behaviour.version); process.exit(1); }

setInterval(() => {
  const request = join(dataDir, 'switch-request.json');
  if (!existsSync(request)) return;
  const body = JSON.parse(readFileSync(request, 'utf8'));
  rmSync(request);
  log('asks ' + behaviour.version + ' -> ' + body.version);
  process.send({ type: 'switch', version: body.version, rolloutId: body.rolloutId ?? null, gatewayRequired: false });
}, 50);
`;

/** Writes a release folder for `version` behaving as `behaviour` says. */
export function syntheticPayload(dir: string, version: string, behaviour: Behaviour): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'release.json'), JSON.stringify({ entry: 'main.mjs' }));
  writeFileSync(join(dir, 'main.mjs'), ENTRY);
  writeFileSync(join(dir, 'behaviour.json'), JSON.stringify({ ...behaviour, version }));
  return dir;
}

export interface RanLog {
  lines: string[];
  /** Versions started, in order, with whether on trial. */
  starts: { version: string; pid: number; trial: boolean }[];
}

export function readRanLog(dataDir: string): RanLog {
  const path = join(dataDir, 'ran.log');
  const lines = existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n').filter(Boolean) : [];
  const starts = lines
    .filter((l) => l.startsWith('start '))
    .map((l) => {
      const [, version, pid, trial] = l.split(' ');
      return { version: version!, pid: Number(pid), trial: trial === 'trial=true' };
    });
  return { lines, starts };
}
