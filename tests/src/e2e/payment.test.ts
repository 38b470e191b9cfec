// Cash at the kiosk, end to end through real parts: the demo as a child
// process, the ccTalk and ESC/POS simulators speaking the devices' bytes, the
// kiosk journal, the outbox over socket.io, the ledger in the server's SQLite
// file, checked through the office API.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { DEMO_OFFICE_PASSWORD, type DemoResident } from '@nongbao/server';
import { startDemoProcess, waitForKioskState, type DemoProcess } from '../support/demo-process.js';
import { residentsWhoOwe, thisYear } from '../support/demo-residents.js';

const payers = residentsWhoOwe;

type State = Record<string, any>;

const dataDir = mkdtempSync(join(tmpdir(), 'nb-pay-'));

/** What the ledger holds as the person's kiosk credit, read straight from the server's SQLite file. */
function creditFen(citizenNumber: string): number {
  const db = new Database(join(dataDir, 'server.sqlite'), { readonly: true });
  try {
    const row = db.prepare('SELECT COALESCE(SUM(amount_fen), 0) AS s FROM ledger_transfers WHERE credit_account_id = ?').get(`credit:${citizenNumber}`) as { s: number };
    return row.s;
  } finally {
    db.close();
  }
}

describe('paying the contribution in cash at the kiosk', () => {
  let demo: DemoProcess;
  let token: string;
  const post = (path: string, body?: unknown, method = 'POST') =>
    fetch(`${demo.kioskUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });

  async function signIn(resident: DemoResident): Promise<State> {
    await post('/api/demo/card', { cardNumber: resident.card.cardNumber });
    await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'pin');
    await post('/api/pin', { pin: resident.card.pin });
    await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'menu');
    await post('/api/action', { action: 'account' });
    const account = await waitForKioskState<State>(demo.kioskUrl, (s) => s.screen === 'account');
    await post('/api/action', { action: 'back' });
    await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'menu');
    return account;
  }

  async function statement(citizenNumber: string): Promise<State> {
    const response = await fetch(`${demo.serverUrl}/api/v1/persons/${citizenNumber}/statement`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    return (await response.json()) as State;
  }

  beforeAll(async () => {
    expect(payers.length).toBeGreaterThanOrEqual(3);
    demo = await startDemoProcess(['--data-dir', dataDir, '--server-port', '0', '--kiosk-port', '0', '--card-path', 'in-process']);
    await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'idle' && s.serverConnected === true);
    const login = await fetch(`${demo.serverUrl}/api/v1/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'auditor', password: DEMO_OFFICE_PASSWORD }),
    });
    token = ((await login.json()) as { token: string }).token;
  });
  afterAll(async () => {
    await demo?.stop();
  });

  it('takes the notes for a tier, prints the receipt, and the ledger books the contribution once', async () => {
    const resident = payers[0]!;
    const account = await signIn(resident);
    expect(account.summary.payment).not.toBeNull();
    const tier = (account.summary.payment.tiers as Array<{ tierYuan: number; dueFen: number; creditedFen: number }>).find((t) => t.tierYuan === 200)!;
    const before = await statement(resident.citizenNumber);

    expect((await post('/api/action', { action: 'pay' })).status).toBe(200);
    const offered = await waitForKioskState<State>(demo.kioskUrl, (s) => s.screen === 'tiers');
    expect(offered).toMatchObject({ refusal: null, year: thisYear });
    // "Pay more, get more": the policy engine's projection for every tier, higher for more.
    const monthly = (offered.tiers as Array<{ projection: { monthlyFen: number } }>).map((t) => t.projection.monthlyFen);
    expect(monthly.length).toBeGreaterThan(1);
    expect(monthly).toEqual([...monthly].sort((a, b) => a - b));
    expect(monthly.at(-1)!).toBeGreaterThan(monthly[0]!);
    expect((await post('/api/pay', { tierYuan: 200 })).status).toBe(200);
    await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'paying');

    // A 100 and a 50 fit; a second 100 would be more than is due and comes back.
    expect(await (await post('/api/demo/note', { yuan: 100 })).json()).toEqual({ outcome: 'escrow' });
    await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'paying' && s.progress.stackedFen === 10_000);
    await post('/api/demo/note', { yuan: 50 });
    await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'paying' && s.progress.stackedFen === 15_000);
    await post('/api/demo/note', { yuan: 100 });
    await new Promise((r) => setTimeout(r, 600));
    expect(await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'paying')).toMatchObject({ progress: { stackedFen: 15_000 } });
    await post('/api/demo/note', { yuan: 50 });

    const done = await waitForKioskState<State>(demo.kioskUrl, (s) => s.screen === 'receipt');
    expect(done.outcome).toMatchObject({ outcome: 'paid', stackedFen: 20_000, dueFen: 20_000, printed: true });
    expect(done.outcome.receipt.text).toContain('缴费凭条');
    expect(done.outcome.receipt.text).toContain('200.00元');
    expect(done.outcome.receipt.text).toContain(done.outcome.paymentId.slice(0, 20));

    // The outbox relays it; the office statement shows the year paid and the credits.
    const deadline = Date.now() + 20_000;
    let after = await statement(resident.citizenNumber);
    while (!after.contributions.some((c: { year: number }) => c.year === thisYear) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      after = await statement(resident.citizenNumber);
    }
    expect(after.contributions.find((c: { year: number }) => c.year === thisYear)).toMatchObject({ tierYuan: 200, channel: 'kiosk' });
    expect(after.balanceFen - before.balanceFen).toBe(tier.creditedFen);

    // Back on the menu, this year is paid: no second payment is offered.
    await post('/api/action', { action: 'done' });
    await waitForKioskState<State>(demo.kioskUrl, (s) => s.screen === 'menu');
    await post('/api/action', { action: 'pay' });
    const again = await waitForKioskState<State>(demo.kioskUrl, (s) => s.screen === 'tiers');
    expect(again).toMatchObject({ tiers: [], refusal: 'payment.refused.already-paid' });
    await post('/api/demo/card', undefined, 'DELETE');
  });

  it('refuses to take cash when the printer is out of paper', async () => {
    await post('/api/demo/printer', { paper: 'out' });
    await signIn(payers[1]!);
    expect((await post('/api/action', { action: 'pay' })).status).toBe(200);
    expect(await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'tiers')).toMatchObject({ tiers: [], refusal: 'payment.noPaper' });
    expect((await post('/api/pay', { tierYuan: 100 })).status).toBe(409);
    await post('/api/demo/printer', { paper: 'ok' });
    await post('/api/demo/card', undefined, 'DELETE');
    await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'idle');
  });

  it('stops intake at a jam, keeps what was stacked as the person\'s credit and prints it', async () => {
    const resident = payers[2]!;
    await signIn(resident);
    await post('/api/action', { action: 'pay' });
    await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'tiers');
    await post('/api/pay', { tierYuan: 300 });
    await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'paying');
    await post('/api/demo/note', { yuan: 100 });
    await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'paying' && s.progress.stackedFen === 10_000);
    await post('/api/demo/fault', { fault: 'jam' });

    const ended = await waitForKioskState<State>(demo.kioskUrl, (s) => s.screen === 'receipt');
    expect(ended.outcome).toMatchObject({ outcome: 'short', reason: 'device-fault', stackedFen: 10_000, printed: true });
    expect(ended.outcome.fault).toMatch(/jam/i);
    expect(ended.outcome.receipt.text).toContain('现金暂存凭条');
    expect(ended.outcome.receipt.text).toContain('100.00元');

    // The year stays unpaid; the 100 yuan is booked as the person's credit.
    const after = await statement(resident.citizenNumber);
    expect(after.contributions.some((c: { year: number }) => c.year === thisYear)).toBe(false);
    const deadline = Date.now() + 20_000;
    while (creditFen(resident.citizenNumber) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(creditFen(resident.citizenNumber)).toBe(10_000);
    await post('/api/demo/fault', { fault: 'clearJam' });
    await post('/api/demo/card', undefined, 'DELETE');
  });
});
