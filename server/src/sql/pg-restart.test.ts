// A PostgreSQL restart while a kiosk money batch is in flight (issue 15 "Bad
// input": "the batch commits whole or not at all and the gateway retries").
// A group of the gateway's group commit (shared/group-commit.ts) books
// transfers and a row per event, as the kiosk money path does, and the
// cluster is restarted (pg_ctl restart, fast, and immediate: a crash and
// recovery) from inside it, between two of its events. The group must fail
// whole, nothing of it stored; the connection comes back by itself; the
// events sent again, as a kiosk's outbox resends them, are booked once, and
// once more answer `exists`. Its own cluster: restarting the run's shared one
// would break the other test files' connections.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPgCluster, type PgCluster } from './pg-cluster.js';
import { PgDatabase } from './pg-database.js';
import { openServerLedger } from './open.js';
import { GroupCommit } from '../shared/group-commit.js';
import { FUND_ACCOUNT_SPECS, cashBoxAccountSpec, personAccountSpecs } from '../ledger/chart.js';
import { A_IND, CASH, CITIZEN_A, TERMINAL, testId, transfer } from '../ledger/test-support.js';
import type { TransferResult } from '../ledger/types.js';

let cluster: PgCluster;
let url: string;

beforeAll(async () => {
  cluster = await startPgCluster({ dataDir: mkdtempSync(join(tmpdir(), 'nongbao-pg-restart-')), removeOnStop: true });
  url = cluster.createDatabase('restart');
});

afterAll(() => {
  cluster?.stop();
});

describe.each(['fast', 'immediate'] as const)('a PostgreSQL restart (%s) in the middle of a money batch', (mode) => {
  it('fails the whole batch, stores none of it, reconnects, and books the batch sent again exactly once', async () => {
    const db = new PgDatabase(url);
    const ledger = openServerLedger(db);
    ledger.ensureAccounts([...FUND_ACCOUNT_SPECS, ...personAccountSpecs(CITIZEN_A), cashBoxAccountSpec(TERMINAL)]);
    db.exec('CREATE TABLE IF NOT EXISTS kiosk_events (id TEXT PRIMARY KEY)');
    const ids = [1, 2, 3].map((n) => (mode === 'fast' ? n : 100 + n));
    const storedBefore = ledger.verify().transfers;
    const stored = () => (db.prepare(`SELECT COUNT(*) AS n FROM kiosk_events WHERE id IN (${ids.map(() => '?').join(', ')})`).get(...ids.map(testId)) as { n: number }).n;
    const group = new GroupCommit(db);
    /** One kiosk event: its transfer and its row, in the group's transaction; the restart, if asked, after both. */
    const event = (n: number, restart: boolean) => (): TransferResult => {
      const [result] = ledger.createTransfers([transfer(n, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 100 })]);
      db.prepare('INSERT OR IGNORE INTO kiosk_events (id) VALUES (?)').run(testId(n));
      if (restart) cluster.restart(mode);
      return result!;
    };

    const inFlight = await Promise.allSettled(ids.map((n, i) => group.submit(event(n, i === 1))));
    expect(inFlight.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(stored()).toBe(0);
    expect(ledger.verify()).toMatchObject({ ok: true, transfers: storedBefore });

    const resent = await Promise.all(ids.map((n) => group.submit(event(n, false))));
    expect(resent.map((r) => r.result)).toEqual(['created', 'created', 'created']);
    const again = await Promise.all(ids.map((n) => group.submit(event(n, false))));
    expect(again.map((r) => r.result)).toEqual(['exists', 'exists', 'exists']);
    expect(stored()).toBe(3);
    expect(ledger.verify()).toMatchObject({ ok: true, transfers: storedBefore + 3 });
    ledger.close();
    db.close();
  });
});
