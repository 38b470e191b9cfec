// The walking skeleton end to end, through real parts: `nongbao demo` as a
// child process (server + terminal on free ports, SQLite files, socket.io over
// a real port), driven through the terminal's local API like the UI does.
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { startDemoProcess, waitForKioskState, type DemoProcess } from '../support/demo-process.js';
import { acquireMachineLock } from '../support/machine-lock.js';
import { OWNED_PCSCD_PID_FILE, pcscdPids, startPcscd, stopPcscd } from '../global-setup.js';
import { county, expectedMaskedName, residentWithHistory } from '../support/demo-residents.js';

// A folder the demo makes itself, so that its mode is the demo's choice.
const dataDir = join(mkdtempSync(join(tmpdir(), 'nb-demo-e2e-')), 'demo');
const resident = residentWithHistory;

/** The personal account's balance as the ledger holds it, read straight from the server's SQLite file. */
function ledgerBalanceFen(citizenNumber: string): number {
  const db = new Database(join(dataDir, 'server.sqlite'), { readonly: true });
  try {
    const rows = db.prepare("SELECT id FROM ledger_accounts WHERE id LIKE ?").all(`person:${citizenNumber}:%`) as Array<{ id: string }>;
    let total = 0;
    for (const { id } of rows) {
      const credits = db.prepare('SELECT COALESCE(SUM(amount_fen), 0) AS s FROM ledger_transfers WHERE credit_account_id = ?').get(id) as { s: number };
      const debits = db.prepare('SELECT COALESCE(SUM(amount_fen), 0) AS s FROM ledger_transfers WHERE debit_account_id = ?').get(id) as { s: number };
      total += credits.s - debits.s;
    }
    return total;
  } finally {
    db.close();
  }
}

function transferCount(): number {
  const db = new Database(join(dataDir, 'server.sqlite'), { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM ledger_transfers').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

async function post(url: string, body?: unknown, method = 'POST'): Promise<Response> {
  return fetch(url, { method, headers: { 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
}

/**
 * A wrong PIN, the card pulled out and put back, a wrong PIN again: a real
 * card counts both (3, 2, then 1 try left), so the virtual one must too.
 * Ends on the account screen with the right PIN, which resets the count.
 */
async function expectTriesKeptAcrossReinsertion(kioskUrl: string, cardNumber: string, pin: string, timeoutMs?: number): Promise<void> {
  await post(`${kioskUrl}/api/demo/card`, { cardNumber });
  await waitForKioskState(kioskUrl, (s) => s.screen === 'pin', timeoutMs);
  await post(`${kioskUrl}/api/pin`, { pin: '000000' });
  expect(await waitForKioskState(kioskUrl, (s) => s.screen === 'pin' && s.wrongPin === true, timeoutMs)).toMatchObject({ triesLeft: 2 });
  await post(`${kioskUrl}/api/demo/card`, undefined, 'DELETE');
  await waitForKioskState(kioskUrl, (s) => s.screen === 'idle', timeoutMs);
  await post(`${kioskUrl}/api/demo/card`, { cardNumber });
  await waitForKioskState(kioskUrl, (s) => s.screen === 'pin' && s.wrongPin === false, timeoutMs);
  await post(`${kioskUrl}/api/pin`, { pin: '000000' });
  expect(await waitForKioskState(kioskUrl, (s) => s.screen === 'pin' && s.wrongPin === true, timeoutMs)).toMatchObject({ triesLeft: 1 });
  await post(`${kioskUrl}/api/pin`, { pin });
  await waitForKioskState(kioskUrl, (s) => s.screen === 'menu', timeoutMs);
  await post(`${kioskUrl}/api/action`, { action: 'account' });
  await waitForKioskState(kioskUrl, (s) => s.screen === 'account', timeoutMs);
}

describe('the demo village, end to end', () => {
  let demo: DemoProcess | undefined;
  afterAll(async () => {
    await demo?.stop();
  });

  it('shows an inserted card holder their masked name, balance and contribution years, and returns to idle when the card is removed', async () => {
    demo = await startDemoProcess(['--data-dir', dataDir, '--server-port', '0', '--kiosk-port', '0', '--card-path', 'in-process']);
    expect(demo.output()).toContain('virtual cards in-process');

    expect(await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'idle' && s.serverConnected === true)).toMatchObject({ demo: true });
    expect((await post(`${demo.kioskUrl}/api/demo/card`, { cardNumber: resident.card.cardNumber })).status).toBe(200);
    await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'pin');
    expect((await post(`${demo.kioskUrl}/api/pin`, { pin: resident.card.pin })).status).toBe(200);
    await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'menu');
    expect((await post(`${demo.kioskUrl}/api/action`, { action: 'account' })).status).toBe(200);
    const account = await waitForKioskState<{ holderName: string; offline: boolean; summary: { balanceFen: number; contributionYears: number; contributions: unknown[] } }>(
      demo.kioskUrl,
      (s) => s.screen === 'account',
    );
    expect(account.holderName).toBe(expectedMaskedName(resident.name));
    expect(account.offline).toBe(false);
    expect(account.summary.contributionYears).toBe(resident.contributions.length);
    expect(account.summary.balanceFen).toBe(ledgerBalanceFen(resident.citizenNumber));
    expect(account.summary.balanceFen).toBeGreaterThan(0);

    expect((await post(`${demo.kioskUrl}/api/demo/card`, undefined, 'DELETE')).status).toBe(200);
    await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'idle');
  });

  it('keeps its data and logs readable by their owner only (citizen and card numbers are in them)', () => {
    const modeOf = (path: string) => statSync(join(dataDir, path)).mode & 0o777;
    for (const dir of ['.', 'logs', 'demo-kiosk-01']) expect(modeOf(dir), dir).toBe(0o700);
    const files = ['logs/demo.log', 'server.sqlite', 'server.sqlite-wal', 'server.sqlite-shm', 'demo-kiosk-01/journal.sqlite', 'demo-kiosk-01/journal.sqlite-wal', 'demo-kiosk-01/terminal-key.pem'];
    for (const file of files) expect(modeOf(file), file).toBe(0o600);
  });

  it('refuses a wrong PIN with the tries left, an expired card and a clone card', async () => {
    const kioskUrl = demo!.kioskUrl;
    await post(`${kioskUrl}/api/demo/card`, { cardNumber: resident.card.cardNumber });
    await waitForKioskState(kioskUrl, (s) => s.screen === 'pin');
    await post(`${kioskUrl}/api/pin`, { pin: '000000' });
    expect(await waitForKioskState(kioskUrl, (s) => s.screen === 'pin' && s.wrongPin === true)).toMatchObject({ triesLeft: 2 });
    await post(`${kioskUrl}/api/pin`, { pin: resident.card.pin }); // resets the card's counter
    await waitForKioskState(kioskUrl, (s) => s.screen === 'menu');

    const expired = county.residents.find((r) => r.card.expiryDate < '2026-01-01')!;
    await post(`${kioskUrl}/api/demo/card`, { cardNumber: expired.card.cardNumber });
    expect(await waitForKioskState(kioskUrl, (s) => s.screen === 'message')).toMatchObject({ messageKey: 'card.expired' });

    await post(`${kioskUrl}/api/demo/card`, { cardNumber: 'X99999999' });
    expect(await waitForKioskState(kioskUrl, (s) => s.screen === 'message')).toMatchObject({ messageKey: 'card.notAuthentic' });
    await post(`${kioskUrl}/api/demo/card`, undefined, 'DELETE');
  });

  it('keeps a card\'s PIN tries when it is pulled out and put back, as a real card does', async () => {
    await expectTriesKeptAcrossReinsertion(demo!.kioskUrl, resident.card.cardNumber, resident.card.pin);
    await post(`${demo!.kioskUrl}/api/demo/card`, undefined, 'DELETE');
  });

  it('opens the maintenance screen with the kiosk diagnostics for a staff card', async () => {
    const kioskUrl = demo!.kioskUrl;
    const staff = county.staff[0]!;
    await post(`${kioskUrl}/api/demo/card`, { cardNumber: staff.card.cardNumber });
    await waitForKioskState(kioskUrl, (s) => s.screen === 'pin');
    await post(`${kioskUrl}/api/pin`, { pin: staff.card.pin });
    const screen = await waitForKioskState(kioskUrl, (s) => s.screen === 'staff');
    expect(screen.diagnostics).toMatchObject({ terminalId: 'demo-kiosk-01', serverConnected: true, outboxPending: 0, openPayments: 0 });
    // Issue 13: the card reader is listed too, and the resources come with the devices.
    expect(screen.diagnostics.devices.map((d: { name: string; state: string }) => [d.name, d.state])).toEqual([
      ['cardReader', 'online'],
      ['billAcceptor', 'online'],
      ['printer', 'online'],
    ]);
    expect(screen.diagnostics.resources).toMatchObject({ network: { connected: true }, outboxPending: 0, problems: [] });
    await post(`${kioskUrl}/api/demo/card`, undefined, 'DELETE');
  });

  it('stops cleanly on Ctrl-C and reuses its data on the next start', async () => {
    const before = transferCount();
    expect(before).toBeGreaterThan(0);
    expect(await demo!.stop()).toBe(0);
    demo = await startDemoProcess(['--data-dir', dataDir, '--server-port', '0', '--kiosk-port', '0', '--card-path', 'in-process']);
    await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'idle' && s.serverConnected === true);
    expect(transferCount()).toBe(before);
    await post(`${demo.kioskUrl}/api/demo/card`, { cardNumber: resident.card.cardNumber });
    await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'pin');
  });
});

describe('the demo village through the real PC/SC stack', () => {
  it('reads a virtual card behind pcscd + vpcd, keeps its PIN tries across re-insertion, and shows the account', async () => {
    const release = await acquireMachineLock('pcsc');
    const pcscDir = mkdtempSync(join(tmpdir(), 'nb-demo-pcsc-'));
    const demo = await startDemoProcess(['--data-dir', pcscDir, '--server-port', '0', '--kiosk-port', '0', '--card-path', 'pcscd']);
    try {
      expect(demo.output()).toContain('behind the real pcscd');
      await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'idle' && s.serverConnected === true);
      // The card answers from the vpcd worker, which must keep the card between insertions too.
      await expectTriesKeptAcrossReinsertion(demo.kioskUrl, resident.card.cardNumber, resident.card.pin, 30_000);
      const account = await waitForKioskState<{ summary: { contributionYears: number } }>(demo.kioskUrl, (s) => s.screen === 'account');
      expect(account.summary.contributionYears).toBe(resident.contributions.length);
      await post(`${demo.kioskUrl}/api/demo/card`, undefined, 'DELETE');
      await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'idle', 30_000);
    } finally {
      expect(await demo.stop()).toBe(0);
      release();
    }
  });

  it('stops on Ctrl-C when it started pcscd itself and the Ctrl-C reached pcscd too', async () => {
    // In a terminal, Ctrl-C goes to the whole foreground process group: the
    // pcscd the demo started dies at the same moment as the demo. The demo
    // once waited for that pcscd's 'exit' event, which had already fired,
    // and never exited.
    const release = await acquireMachineLock('pcsc');
    const suitePcscd = existsSync(OWNED_PCSCD_PID_FILE) ? Number(readFileSync(OWNED_PCSCD_PID_FILE, 'utf8')) : pcscdPids()[0];
    expect(suitePcscd).toBeGreaterThan(0);
    await stopPcscd(suitePcscd!);
    const pcscDir = mkdtempSync(join(tmpdir(), 'nb-demo-own-pcscd-'));
    try {
      const demo = await startDemoProcess(['--data-dir', pcscDir, '--server-port', '0', '--kiosk-port', '0', '--card-path', 'pcscd'], { ownProcessGroup: true });
      let demoPcscd: number | undefined;
      try {
        expect(demo.output()).toContain('behind the real pcscd');
        expect(pcscdPids()).toHaveLength(1);
        demoPcscd = pcscdPids()[0];
        await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'idle' && s.serverConnected === true);
        await post(`${demo.kioskUrl}/api/demo/card`, { cardNumber: resident.card.cardNumber });
        await waitForKioskState(demo.kioskUrl, (s) => s.screen === 'pin', 30_000);
      } finally {
        expect(await demo.stop()).toBe(0);
      }
      expect(readFileSync(join(pcscDir, 'logs', 'demo.log'), 'utf8')).toContain('"server.stopped"');
      expect(pcscdPids()).not.toContain(demoPcscd);
    } finally {
      // A demo killed after a failed stop leaves its pcscd behind: stop it so the suite's can start.
      for (const pid of pcscdPids()) await stopPcscd(pid);
      writeFileSync(OWNED_PCSCD_PID_FILE, String(await startPcscd()));
      release();
    }
  });
});
