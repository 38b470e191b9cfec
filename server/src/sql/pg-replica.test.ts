// Replication as it runs here (issue 15 section 4): a replica started from
// the primary by the project's own code, synchronous for money. A row
// committed with synchronous_commit = remote_apply is visible on the replica
// when the commit returns; with the replica stopped, such a commit does not
// return (it waits), which is what makes it safe to acknowledge to a kiosk.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresBinDir, startPgCluster, startPgReplica, synchronousPrimarySettings, type PgCluster } from './pg-cluster.js';
import { PgDatabase } from './pg-database.js';

describe('a synchronous streaming replica', () => {
  let primary: PgCluster;
  let replica: PgCluster;

  beforeAll(async () => {
    primary = await startPgCluster({ dataDir: mkdtempSync(join(tmpdir(), 'nb-pg-primary-')), removeOnStop: true, settings: synchronousPrimarySettings(['replica1']) });
    replica = await startPgReplica(primary, { dataDir: mkdtempSync(join(tmpdir(), 'nb-pg-replica-')), name: 'replica1', removeOnStop: true });
  }, 120_000);
  afterAll(() => {
    replica?.stop();
    primary?.stop();
  });

  it('shows a remote_apply commit on the replica by the time the commit returns', () => {
    const db = new PgDatabase(primary.url());
    const standby = new PgDatabase(replica.url());
    try {
      // The walreceiver reports in shortly after the replica starts.
      const deadline = Date.now() + 30_000;
      const state = () => db.prepare("SELECT sync_state FROM pg_stat_replication WHERE application_name = 'replica1'").get();
      while ((state() as { sync_state?: string } | undefined)?.sync_state !== 'sync' && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
      expect(state()).toEqual({ sync_state: 'sync' });
      db.exec('CREATE TABLE IF NOT EXISTS money (id TEXT PRIMARY KEY, amount_fen INTEGER NOT NULL)');
      db.exec('SET synchronous_commit = remote_apply');
      for (let i = 0; i < 20; i++) {
        db.transaction(() => db.prepare('INSERT INTO money (id, amount_fen) VALUES (?, ?)').run(`batch-${i}`, 100 * i))();
        // Read on the replica at once: no wait, no retry.
        expect(standby.prepare('SELECT amount_fen FROM money WHERE id = ?').get(`batch-${i}`)).toEqual({ amount_fen: 100 * i });
      }
      expect(standby.prepare('SELECT pg_is_in_recovery() AS replica').get()).toEqual({ replica: true });
    } finally {
      standby.close();
      db.close();
    }
  });

  it('does not return a remote_apply commit while the replica has not applied it (a local commit returns at once)', async () => {
    const standby = new PgDatabase(replica.url());
    const commit = (mode: string, id: string) => {
      const child = spawn(join(postgresBinDir(), 'psql'), ['-X', '-q', '-h', '127.0.0.1', '-p', String(primary.port), '-U', 'nongbao', '-d', 'postgres', '-c', `SET synchronous_commit = ${mode}; INSERT INTO money (id, amount_fen) VALUES ('${id}', 1)`]);
      return new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? -1)));
    };
    const settle = (ms: number) => new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), ms));
    try {
      standby.prepare('SELECT pg_wal_replay_pause()').get();
      // local: returns although the replica has not applied it.
      expect(await Promise.race([commit('local', 'while-paused-local'), settle(10_000)])).toBe(0);
      expect(standby.prepare('SELECT id FROM money WHERE id = ?').get('while-paused-local')).toBeUndefined();
      // remote_apply: waits for the replica.
      const waiting = commit('remote_apply', 'while-paused-apply');
      expect(await Promise.race([waiting, settle(2_000)])).toBe('pending');
      standby.prepare('SELECT pg_wal_replay_resume()').get();
      expect(await waiting).toBe(0);
      expect(standby.prepare('SELECT id FROM money WHERE id = ?').get('while-paused-apply')).toEqual({ id: 'while-paused-apply' });
    } finally {
      standby.prepare('SELECT pg_wal_replay_resume()').get();
      standby.close();
    }
  });
});
