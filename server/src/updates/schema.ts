// The tables of releases and rollouts, in the server's database.
import type { SqlDatabase } from '../sql/types.js';

const STATEMENTS = [
  `CREATE TABLE IF NOT EXISTS software_release (
     version TEXT PRIMARY KEY,
     model TEXT NOT NULL,
     min_version TEXT NOT NULL,
     expires TEXT NOT NULL,
     bundle_path TEXT NOT NULL,
     bundle_sha256 TEXT NOT NULL,
     bundle_size INTEGER NOT NULL,
     signed_by_json TEXT NOT NULL,
     published_at TEXT NOT NULL,
     published_by TEXT NOT NULL
   ) STRICT`,
  `CREATE TABLE IF NOT EXISTS rollout (
     id TEXT PRIMARY KEY,
     version TEXT NOT NULL REFERENCES software_release(version),
     canary_percent INTEGER NOT NULL,
     phase TEXT NOT NULL CHECK (phase IN ('canary', 'everyone', 'halted')),
     created_at TEXT NOT NULL,
     created_by TEXT NOT NULL,
     promoted_at TEXT,
     halted_at TEXT,
     halt_reason TEXT
   ) STRICT`,
  `CREATE TABLE IF NOT EXISTS rollout_terminal (
     rollout_id TEXT NOT NULL REFERENCES rollout(id),
     terminal_id TEXT NOT NULL,
     wave TEXT NOT NULL CHECK (wave IN ('canary', 'everyone')),
     state TEXT NOT NULL CHECK (state IN ('waiting', 'offered', 'downloading', 'staged', 'switched', 'healthy', 'rolled-back', 'failed')),
     reason TEXT,
     detail TEXT,
     downloaded_bytes INTEGER,
     token_hash TEXT,
     updated_at TEXT NOT NULL,
     PRIMARY KEY (rollout_id, terminal_id)
   ) STRICT`,
  'CREATE INDEX IF NOT EXISTS rollout_terminal_by_terminal ON rollout_terminal (terminal_id, state)',
];

export function migrateUpdates(db: SqlDatabase): void {
  for (const sql of STATEMENTS) db.exec(sql);
}
