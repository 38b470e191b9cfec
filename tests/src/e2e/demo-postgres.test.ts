// `npm start -- --db postgres` (issue 15 section 2): the demo village with its
// server on a throwaway PostgreSQL cluster in the data folder, started by the
// demo and stopped when it stops (Ctrl-C). Runs `nongbao demo` as a child
// process, as demo.test.ts does, and reads the ledger straight from the
// cluster over the URL the demo prints.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PgDatabase } from '../../../server/src/sql/pg-database.js';
import { pgClusterRunning } from '../../../server/src/sql/pg-cluster.js';
import { demoClusterDir } from '../../../cli/demo.js';
import { startDemoProcess, waitForKioskState, type DemoProcess } from '../support/demo-process.js';
import { expectedMaskedName, residentWithHistory } from '../support/demo-residents.js';

const dataDir = join(mkdtempSync(join(tmpdir(), 'nb-demo-pg-')), 'demo');
const resident = residentWithHistory;

/** The personal accounts' balance as the ledger on PostgreSQL holds it. */
function ledgerBalanceFen(url: string, citizenNumber: string): number {
  const db = new PgDatabase(url);
  try {
    const row = db
      .prepare(
        `SELECT COALESCE(SUM(CASE WHEN credit_account_id LIKE @person THEN amount_fen ELSE 0 END), 0)
              - COALESCE(SUM(CASE WHEN debit_account_id LIKE @person THEN amount_fen ELSE 0 END), 0) AS balance_fen
         FROM ledger_transfers WHERE credit_account_id LIKE @person OR debit_account_id LIKE @person`,
      )
      .get({ person: `person:${citizenNumber}:%` }) as { balance_fen: number };
    return row.balance_fen;
  } finally {
    db.close();
  }
}

async function post(url: string, body?: unknown, method = 'POST'): Promise<Response> {
  return fetch(url, { method, headers: { 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
}

describe('the demo village on PostgreSQL', () => {
  let demo: DemoProcess | undefined;
  afterAll(async () => {
    await demo?.stop();
  });

  it('seeds the county into the cluster, shows a card holder the balance the ledger there holds, and stops the cluster at Ctrl-C', async () => {
    demo = await startDemoProcess(['--data-dir', dataDir, '--server-port', '0', '--kiosk-port', '0', '--card-path', 'in-process', '--db', 'postgres']);
    const url = /Server database:\s+(postgres:\/\/\S+)/.exec(demo.output())?.[1];
    expect(url, demo.output()).toBeDefined();
    expect(pgClusterRunning(demoClusterDir(dataDir))).toBe(true);

    await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'idle' && s.serverConnected === true);
    expect((await post(`${demo.kioskUrl}/api/demo/card`, { cardNumber: resident.card.cardNumber })).status).toBe(200);
    await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'pin');
    expect((await post(`${demo.kioskUrl}/api/pin`, { pin: resident.card.pin })).status).toBe(200);
    await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'menu');
    expect((await post(`${demo.kioskUrl}/api/action`, { action: 'account' })).status).toBe(200);
    const account = await waitForKioskState<{ holderName: string; summary: { balanceFen: number; contributionYears: number } }>(demo.kioskUrl, (s) => s.screen === 'account');
    expect(account.holderName).toBe(expectedMaskedName(resident.name));
    expect(account.summary.contributionYears).toBe(resident.contributions.length);
    expect(account.summary.balanceFen).toBeGreaterThan(0);
    expect(account.summary.balanceFen).toBe(ledgerBalanceFen(url!, resident.citizenNumber));

    expect(await demo.stop()).toBe(0);
    expect(pgClusterRunning(demoClusterDir(dataDir))).toBe(false);
    rmSync(demoClusterDir(dataDir), { recursive: true, force: true });
  });
});
