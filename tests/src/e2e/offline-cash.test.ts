// Offline cash (issue 11 section 5): a village without network still pays.
// A real server and a real terminal in this process, a TCP proxy between them
// that the test cuts; the card is virtual, the acceptor and printer are the
// simulators speaking the devices' bytes. While cut, the kiosk shows the
// account from its cache, takes the payment within its limits and prints a
// provisional receipt; the account shows it provisional and does not offer
// the year again; when the network is back the payment reaches the ledger once.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { DEMO_ISSUER_KEY, InProcessCardReader, VirtualCardWallet, makeVirtualCardProfile } from '@nongbao/drivers/card';
import { createInProcessBillAcceptor } from '@nongbao/drivers/cctalk';
import { createInProcessPrinter } from '@nongbao/drivers/escpos';
import { createServerServices, startServer, type RunningServer } from '@nongbao/server';
import { enrol, loadOrCreateIdentity, startTerminal, type RunningTerminal } from '@nongbao/terminal';
import { parseReceiptQr, type KioskState } from '@nongbao/protocol';
import { county, residentsWhoOwe, thisYear } from '../support/demo-residents.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const silent = pino({ level: 'silent' });
const payer = residentsWhoOwe.find((r) => r.card.expiryDate > `${thisYear + 1}`)!;

async function until<S extends KioskState>(terminal: RunningTerminal, predicate: (s: KioskState) => s is S, what: string, timeoutMs?: number): Promise<S>;
async function until(terminal: RunningTerminal, predicate: (s: KioskState) => boolean, what: string, timeoutMs?: number): Promise<KioskState>;
async function until(terminal: RunningTerminal, predicate: (s: KioskState) => boolean, what: string, timeoutMs = 15_000): Promise<KioskState> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate(terminal.session.state)) {
    if (Date.now() > deadline) throw new Error(`kiosk never reached ${what}; last ${JSON.stringify(terminal.session.state).slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return terminal.session.state;
}

describe('cash while the village has no network', () => {
  let server: RunningServer;
  let proxy: TcpProxy;
  let terminal: RunningTerminal;
  const reader = new InProcessCardReader();
  const wallet = new VirtualCardWallet();
  const acceptor = createInProcessBillAcceptor({ pollIntervalMs: 20 });
  const printer = createInProcessPrinter();
  const card = makeVirtualCardProfile({
    citizenNumber: payer.citizenNumber,
    name: payer.name,
    pin: payer.card.pin,
    cardNumber: payer.card.cardNumber,
    cardIdentifier: payer.card.cardIdentifier,
    issueDate: payer.card.issueDate,
    expiryDate: payer.card.expiryDate,
    issuerKey: DEMO_ISSUER_KEY,
  });

  type Account = Extract<KioskState, { screen: 'account' }>;
  type Tiers = Extract<KioskState, { screen: 'tiers' }>;

  /** From the menu: the account screen, then what "pay this year" offers; back at the menu. */
  async function accountAndTiers(): Promise<{ account: Account; tiers: Tiers }> {
    expect(await terminal.session.act('account')).toEqual({ accepted: true });
    const account = await until(terminal, (s): s is Account => s.screen === 'account', 'the account');
    expect(await terminal.session.act('back')).toEqual({ accepted: true });
    await until(terminal, (s) => s.screen === 'menu', 'the menu');
    expect(await terminal.session.act('pay')).toEqual({ accepted: true });
    const tiers = await until(terminal, (s): s is Tiers => s.screen === 'tiers', 'the tiers');
    expect(await terminal.session.act('back')).toEqual({ accepted: true });
    await until(terminal, (s) => s.screen === 'menu', 'the menu');
    return { account, tiers };
  }

  async function signIn(): Promise<{ account: Account; tiers: Tiers }> {
    await reader.insert(wallet.card(card));
    await until(terminal, (s) => s.screen === 'pin', 'the PIN screen');
    await terminal.session.enterPin(payer.card.pin);
    await until(terminal, (s) => s.screen === 'menu', 'the menu');
    return accountAndTiers();
  }

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nb-offline-cash-'));
    server = await startServer({
      db: join(dir, 'server.sqlite'),
      host: '127.0.0.1',
      port: 0,
      logger: silent,
      services: (db, gateway) => createServerServices(db, { logger: silent, seedDemo: county, issuerKey: DEMO_ISSUER_KEY }, gateway),
    });
    proxy = await startTcpProxy(server.port);
    const serverUrl = `http://127.0.0.1:${proxy.port}`;
    const identity = loadOrCreateIdentity(join(dir, 'kiosk'), 'kiosk-offline-cash');
    const { code } = server.terminals.createTerminal({ terminalId: 'kiosk-offline-cash', villageCode: payer.villageCode, location: 'test' }, 'test');
    await enrol(join(dir, 'kiosk'), serverUrl, identity, code);
    terminal = await startTerminal({
      identity,
      serverUrl,
      dataDir: join(dir, 'kiosk'),
      host: '127.0.0.1',
      port: 0,
      uiDir: join(dir, 'no-ui'),
      logger: silent,
      cardReader: reader,
      cashDevices: { acceptor: acceptor.driver, printer: printer.printer },
      requestTimeoutMs: 2_000,
      outboxRetryIntervalMs: 200,
    });
    await until(terminal, () => terminal.uplink.connected, 'a connection');
  });
  afterAll(async () => {
    await terminal?.stop();
    await proxy?.close();
    await server?.close();
  });

  it('takes a provisional payment offline and books it once when the network is back', async () => {
    // Online first: the account is cached on the kiosk.
    const online = await signIn();
    expect(online.account).toMatchObject({ offline: false });
    expect(online.tiers).toMatchObject({ offline: false, year: thisYear, refusal: null });
    await reader.remove();

    proxy.cut();
    await until(terminal, () => !terminal.uplink.connected, 'the link down');
    const offline = await signIn();
    expect(offline.account).toMatchObject({ offline: true, provisional: [] });
    expect(offline.tiers).toMatchObject({ offline: true, year: thisYear, refusal: null });

    expect(await terminal.session.act('pay')).toEqual({ accepted: true });
    await until(terminal, (s) => s.screen === 'tiers' && s.offline, 'the tiers, offline');
    expect(await terminal.session.payTier(100)).toEqual({ accepted: true });
    await until(terminal, (s) => s.screen === 'paying' && s.progress.offline, 'paying offline');
    await acceptor.simulator.insertNote(100);
    const receipt = await until(terminal, (s): s is Extract<KioskState, { screen: 'receipt' }> => s.screen === 'receipt', 'the receipt');
    expect(receipt.outcome).toMatchObject({ outcome: 'paid', offline: true, printed: true });
    expect(receipt.outcome.receipt!.text).toContain('临时缴费凭条');
    const qr = /\[QR: (NBR1\|[^\]]+)\]/.exec(printer.simulator.receipts.at(-1)!.render().text)![1]!;
    expect(parseReceiptQr(qr)).toMatchObject({ ok: true, receipt: { paymentId: receipt.outcome.paymentId, amountFen: 10_000, year: thisYear } });

    // Back on the account: the payment is provisional, and the year is not offered again.
    await terminal.session.act('done');
    await until(terminal, (s) => s.screen === 'menu', 'the menu again');
    const after = await accountAndTiers();
    expect(after.account.provisional).toEqual([expect.objectContaining({ paymentId: receipt.outcome.paymentId, year: thisYear, cashFen: 10_000 })]);
    // The year this kiosk took cash for is not offered again before the gateway confirms it.
    expect(after.tiers).toMatchObject({ tiers: [], refusal: 'payment.refused.provisional' });
    expect(server.db.prepare('SELECT COUNT(*) AS n FROM kiosk_money_events WHERE id = ?').get(receipt.outcome.paymentId)).toEqual({ n: 0 });
    await reader.remove();

    // The network comes back: the outbox delivers, the ledger books it once, as a contribution.
    proxy.restore();
    const deadline = Date.now() + 20_000;
    while (terminal.journal.outbox.get(receipt.outcome.paymentId)?.state !== 'done' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(terminal.journal.outbox.get(receipt.outcome.paymentId)).toMatchObject({ state: 'done', result: 'created', booking: 'contribution' });
    expect(server.db.prepare("SELECT COUNT(*) AS n FROM reg_contributions WHERE id = ? AND channel = 'kiosk'").get(receipt.outcome.paymentId)).toEqual({ n: 1 });
    const confirmed = await signIn();
    expect(confirmed.account).toMatchObject({ offline: false, provisional: [], summary: { paymentRefusal: 'already-paid' } });
    expect(confirmed.tiers).toMatchObject({ year: null, tiers: [] });
    expect(confirmed.tiers.refusal).not.toBeNull();
    await reader.remove();
  });
});
