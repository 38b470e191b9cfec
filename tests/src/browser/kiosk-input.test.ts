// The kiosk UI in Chromium with no touch at all, and with bad input (issue
// 12 sections 3 and 6, "Bad input"): the pay journey by keyboard only and by
// the PIN pad only (the card behind the real pcscd), a card pulled on every
// screen, a refused action, a state the UI cannot draw, the short-lived
// screens audited like the others, and the terminal restarted under the UI.
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { DEMO_OFFICE_PASSWORD } from '@nongbao/server';
import { startDemoProcess, waitForKioskState, type DemoProcess, type KioskStateJson } from '../support/demo-process.js';
import { launchChromium } from '../support/browser.js';
import { acquireMachineLock } from '../support/machine-lock.js';
import { LANGUAGES, auditFailures, auditNow, expectPrompt, importTestPrompts, type ScreenAudit } from '../support/kiosk-page.js';
import { county, residentsWhoOwe, residentWithHistory } from '../support/demo-residents.js';

const VIEWPORT = { width: 1920, height: 1080 };
const JOURNEY_TIMEOUT_MS = 180_000;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

function client(demo: () => DemoProcess) {
  const hands = (path: string, body?: unknown, method = 'POST') =>
    fetch(`${demo().kioskUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const state = (predicate: (s: KioskStateJson) => boolean) => waitForKioskState(demo().kioskUrl, predicate);
  return { hands, state };
}

async function onScreen(page: Page, screen: string): Promise<void> {
  await page.locator(`main[data-screen="${screen}"]`).waitFor();
}

describe('the kiosk without touch, and its bad input', () => {
  let demo: DemoProcess;
  let browser: Browser;
  let dataDir: string;
  let ports: string[];
  const { hands, state } = client(() => demo);

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'nb-browser-input-'));
    importTestPrompts(dataDir);
    ports = ['--server-port', String(await freePort()), '--kiosk-port', String(await freePort())];
    [demo, browser] = await Promise.all([startDemoProcess(['--data-dir', dataDir, ...ports, '--card-path', 'in-process']), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  it('takes the pay journey by keyboard alone: digits, Enter, number keys to choose, Escape to leave', async () => {
    const payer = residentsWhoOwe[1]!;
    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.goto(`${demo.kioskUrl}/`);
    await onScreen(page, 'idle');
    await hands('/api/demo/card', { cardNumber: payer.card.cardNumber });
    await onScreen(page, 'pin');
    await page.keyboard.type(payer.card.pin);
    await page.keyboard.press('Enter');
    await onScreen(page, 'menu');
    await page.keyboard.press('2');
    await onScreen(page, 'tiers');
    await page.keyboard.press('1');
    expect((await state((s) => s.screen === 'paying')).progress).toMatchObject({ tierYuan: 100 });
    await hands('/api/demo/note', { yuan: 100 });
    await onScreen(page, 'receipt');
    await page.keyboard.press('1');
    await onScreen(page, 'menu');
    await page.keyboard.press('Escape');
    await onScreen(page, 'take-card');
    await hands('/api/demo/card', undefined, 'DELETE');
    await page.close();
  }, JOURNEY_TIMEOUT_MS);

  it('draws the short-lived screens (reading, loading) in every language, with their prompts', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    let toPage: WebSocketRoute | undefined;
    await page.routeWebSocket(/socket\.io/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((m) => server.send(m));
      server.onMessage((m) => ws.send(m));
      toPage = ws;
    });
    await page.goto(`${demo.kioskUrl}/`);
    await onScreen(page, 'idle');
    const audits: ScreenAudit[] = [];
    const base = { session: 900, countdown: null, serverConnected: true, terminalId: 'demo-kiosk-01', demo: true };
    for (const [screen, extra] of [['reading', {}], ['loading', { holderName: '王*英' }]] as const) {
      for (const language of LANGUAGES) {
        toPage!.send(`42${JSON.stringify(['state', { ...base, screen, language, ...extra }])}`);
        await onScreen(page, screen);
        await page.waitForFunction((l) => document.documentElement.lang === l, language);
        await expectPrompt(page, `screen.${screen}`, language);
        audits.push(await auditNow(page, screen, language));
      }
    }
    expect(auditFailures(audits)).toEqual([]);
    await page.close();
  }, JOURNEY_TIMEOUT_MS);

  it('tells the person about a refused touch in their language, and survives a state it cannot draw', async () => {
    const resident = residentWithHistory;
    const page = await browser.newPage({ viewport: VIEWPORT });
    let toPage: WebSocketRoute | undefined;
    let hold = false;
    await page.routeWebSocket(/socket\.io/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((m) => server.send(m));
      server.onMessage((m) => {
        if (!(hold && typeof m === 'string' && m.startsWith('42'))) ws.send(m);
      });
      toPage = ws;
    });
    await page.goto(`${demo.kioskUrl}/`);
    await hands('/api/demo/card', { cardNumber: resident.card.cardNumber });
    await onScreen(page, 'pin');
    await page.keyboard.type(resident.card.pin);
    await page.keyboard.press('Enter');
    await onScreen(page, 'menu');
    await page.getByTestId('lang-en').click();
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    // The card comes out while the screen has not heard yet: the touch is refused, and said so.
    hold = true;
    await hands('/api/demo/card', undefined, 'DELETE');
    await state((s) => s.screen === 'idle');
    await page.getByTestId('menu-account').click();
    await expect(page.getByTestId('refusal').textContent()).resolves.toBe('Please insert your card first');
    expect(await page.getByTestId('refusal').getAttribute('data-code')).toBe('no-card');
    // A state the UI cannot draw: the screen says so in the person's language, with no stack trace.
    toPage!.send(`42${JSON.stringify(['state', { screen: 'account', session: 901, language: 'en', countdown: null, holderName: 'x', serverConnected: true, terminalId: 'demo-kiosk-01', demo: true }])}`);
    await page.getByTestId('screen-error').waitFor();
    const text = await page.locator('body').innerText();
    expect(text).toContain('The screen had a problem and went back to the start');
    expect(text).not.toMatch(/TypeError|Cannot read|\bat [A-Za-z]+ \(/);
    // The next good state draws again.
    hold = false;
    await hands('/api/demo/card', { cardNumber: resident.card.cardNumber });
    await onScreen(page, 'pin');
    await hands('/api/demo/card', undefined, 'DELETE');
    await page.close();
  }, JOURNEY_TIMEOUT_MS);

  it('goes back to the start, in the default language, when the card is pulled on any screen; stacked cash stays the person\'s credit', async () => {
    const payer = residentsWhoOwe[2]!;
    const staff = county.staff[0]!;
    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.goto(`${demo.kioskUrl}/`);
    const signIn = async (card: { cardNumber: string; pin: string }, expected: string) => {
      await hands('/api/demo/card', { cardNumber: card.cardNumber });
      await onScreen(page, 'pin');
      await page.getByTestId('lang-bo').click();
      await page.keyboard.type(card.pin);
      await page.keyboard.press('Enter');
      await onScreen(page, expected);
    };
    const pull = async (where: string) => {
      await hands('/api/demo/card', undefined, 'DELETE');
      await onScreen(page, 'idle');
      expect(await page.evaluate(() => document.documentElement.lang), where).toBe('zh-Hans');
    };
    const journeys: [string, () => Promise<void>][] = [
      ['pin', async () => {
        await hands('/api/demo/card', { cardNumber: payer.card.cardNumber });
        await onScreen(page, 'pin');
      }],
      ['menu', () => signIn(payer.card, 'menu')],
      ['account', async () => { await signIn(payer.card, 'menu'); await page.getByTestId('menu-account').click(); await onScreen(page, 'account'); }],
      ['tiers', async () => { await signIn(payer.card, 'menu'); await page.getByTestId('menu-pay').click(); await onScreen(page, 'tiers'); }],
      ['publicity', async () => { await signIn(payer.card, 'menu'); await page.getByTestId('menu-publicity').click(); await onScreen(page, 'publicity'); }],
      ['confirm', async () => { await signIn(payer.card, 'menu'); await page.getByTestId('menu-confirm').click(); await onScreen(page, 'confirm'); }],
      ['help', async () => { await signIn(payer.card, 'menu'); await page.getByTestId('help').click(); await onScreen(page, 'help'); }],
      ['take-card', async () => { await signIn(payer.card, 'menu'); await page.getByTestId('finish').click(); await onScreen(page, 'take-card'); }],
      ['staff', () => signIn(staff.card, 'staff')],
      ['paying', async () => {
        await signIn(payer.card, 'menu');
        await page.getByTestId('menu-pay').click();
        await page.getByTestId('tier-200').click();
        await onScreen(page, 'paying');
        await hands('/api/demo/note', { yuan: 50 });
        await state((s) => s.screen === 'paying' && s.progress.stackedFen === 5_000);
      }],
    ];
    for (const [where, reach] of journeys) {
      await reach();
      await pull(where);
    }
    // The 50 yuan stacked before the card came out is the person's credit at the county.
    const login = await fetch(`${demo.serverUrl}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'auditor', password: DEMO_OFFICE_PASSWORD }) });
    const auth = { authorization: `Bearer ${((await login.json()) as { token: string }).token}` };
    let creditFen = 0;
    for (const deadline = Date.now() + 20_000; creditFen === 0 && Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      creditFen = ((await (await fetch(`${demo.serverUrl}/api/v1/persons/${payer.citizenNumber}/statement`, { headers: auth })).json()) as { credits: { balanceFen: number } }).credits.balanceFen;
    }
    expect(creditFen).toBe(5_000);
    await page.close();
  }, JOURNEY_TIMEOUT_MS);

  it('says it is restarting while the terminal restarts under it, and comes back to the start', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.goto(`${demo.kioskUrl}/`);
    await onScreen(page, 'idle');
    expect(await demo.stop()).toBe(0);
    await page.getByTestId('reconnecting').waitFor();
    await expect(page.getByTestId('reconnecting').textContent()).resolves.toBe('机器正在重新启动，请稍候……');
    demo = await startDemoProcess(['--data-dir', dataDir, ...ports, '--card-path', 'in-process']);
    await page.getByTestId('reconnecting').waitFor({ state: 'detached', timeout: 30_000 });
    await onScreen(page, 'idle');
    await page.close();
  }, JOURNEY_TIMEOUT_MS);
});

describe('the kiosk by its PIN pad alone, the card behind pcscd', () => {
  it('takes the pay journey with the pad\'s keys only: PIN, digits to choose, Cancel to leave', async () => {
    const release = await acquireMachineLock('pcsc');
    const payer = residentsWhoOwe[3]!;
    const demo = await startDemoProcess(['--data-dir', mkdtempSync(join(tmpdir(), 'nb-browser-pad-')), '--server-port', '0', '--kiosk-port', '0', '--card-path', 'pcscd', '--pin-pad', 'true']);
    const browser = await launchChromium();
    const { hands } = client(() => demo);
    const pad = async (...keys: string[]) => {
      for (const key of keys) expect((await hands('/api/demo/pinpad', { key })).status).toBe(200);
    };
    try {
      const page = await browser.newPage({ viewport: VIEWPORT });
      await page.goto(`${demo.kioskUrl}/`);
      await onScreen(page, 'idle');
      await hands('/api/demo/card', { cardNumber: payer.card.cardNumber });
      await onScreen(page, 'pin');
      await pad(...payer.card.pin, 'enter');
      await onScreen(page, 'menu');
      await pad('2');
      await onScreen(page, 'tiers');
      await pad('1');
      await onScreen(page, 'paying');
      await hands('/api/demo/note', { yuan: 100 });
      await onScreen(page, 'receipt');
      await pad('1');
      await onScreen(page, 'menu');
      await pad('cancel');
      await onScreen(page, 'take-card');
      await hands('/api/demo/card', undefined, 'DELETE');
      await onScreen(page, 'idle');
    } finally {
      await browser.close();
      expect(await demo.stop()).toBe(0);
      release();
    }
  }, JOURNEY_TIMEOUT_MS);
});
