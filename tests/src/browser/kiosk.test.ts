// The kiosk UI in Debian's chromium against the running demo (issue 12
// section 6): every journey, every screen in every language with a
// screenshot (artifacts/kiosk/<screen>.<language>.png), an axe-core audit,
// the smallest text and touch target, and the prompt each screen plays
// (Tibetan from the repository's recorded test set, imported with
// `nongbao prompts import`). The person's hands (card slot, notes) are the
// demo's device routes; every button on screen is tapped twice (a double
// tap must act once).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { DEMO_OFFICE_PASSWORD } from '@nongbao/server';
import { startDemoProcess, waitForKioskState, type DemoProcess, type KioskStateJson } from '../support/demo-process.js';
import { launchChromium } from '../support/browser.js';
import { auditFailures, auditNow, auditScreen, expectPrompt, importTestPrompts, switchLanguage, type ScreenAudit } from '../support/kiosk-page.js';
import { county, pensionersLapsed, residentWithHistory, residentsWhoOwe, thisYear } from '../support/demo-residents.js';

const VIEWPORT = { width: 1920, height: 1080 };
const JOURNEY_TIMEOUT_MS = 240_000;
const staffCard = county.staff[0]!;
/** A pensioner whose proof of life holds: the months shown were paid. */
const pensionerPaid = county.residents.find(
  (r) => Number(r.birthDate.slice(0, 4)) + 62 < thisYear && r.certifications.length > 0 && Number(r.certifications.at(-1)!.slice(0, 4)) >= thisYear - 1 && r.card.expiryDate > `${thisYear + 1}-01-01` && r !== county.residents[0],
)!;

describe('the kiosk UI in Chromium', () => {
  let demo: DemoProcess;
  let browser: Browser;
  let page: Page;
  const audits: ScreenAudit[] = [];
  const posts: string[] = [];

  const hands = (path: string, body?: unknown, method = 'POST') =>
    fetch(`${demo.kioskUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const state = (predicate: (s: KioskStateJson) => boolean) => waitForKioskState(demo.kioskUrl, predicate);
  const onScreen = async (screen: string) => {
    await page.locator(`main[data-screen="${screen}"]`).waitFor();
    return state((s) => s.screen === screen);
  };
  /** A double tap on a button of the kiosk: one call reaches the terminal. */
  async function doubleTap(target: Locator, calls = 1): Promise<void> {
    const name = await target.getAttribute('data-testid');
    const before = posts.length;
    await target.dblclick();
    await page.waitForTimeout(150);
    expect(posts.length - before, `calls for a double tap on ${name}`).toBe(calls);
  }
  async function signIn(resident: { card: { cardNumber: string; pin: string } }): Promise<void> {
    await hands('/api/demo/card', { cardNumber: resident.card.cardNumber });
    await onScreen('pin');
    for (const digit of resident.card.pin) await page.locator('.keypad button', { hasText: new RegExp(`^${digit}$`) }).click();
    await doubleTap(page.getByTestId('pin-ok'));
  }
  async function cardOut(): Promise<void> {
    await hands('/api/demo/card', undefined, 'DELETE');
    await onScreen('idle');
  }

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nb-browser-'));
    expect(importTestPrompts(dataDir)).toContain('installed 20 recorded prompt(s)');
    [demo, browser] = await Promise.all([
      startDemoProcess(['--data-dir', dataDir, '--server-port', '0', '--kiosk-port', '0', '--card-path', 'in-process', '--idle-countdown-ms', '3000']),
      launchChromium(),
    ]);
    page = await browser.newPage({ viewport: VIEWPORT });
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().includes('/api/') && !r.url().includes('/api/demo/')) posts.push(r.url());
    });
    await page.goto(`${demo.kioskUrl}/`);
    await onScreen('idle');
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  it('takes a resident through pay this year in every language: tiers with projections, notes, receipt, take your card', async () => {
    const payer = residentsWhoOwe[0]!;
    audits.push(...(await auditScreen(page, 'idle', 'screen.idle')));
    await doubleTap(page.getByTestId('help'));
    await onScreen('help');
    await expect(page.getByTestId('agent').textContent()).resolves.toContain('李建国');
    audits.push(...(await auditScreen(page, 'help', 'screen.help')));
    await doubleTap(page.getByTestId('back'));
    await onScreen('idle');

    await hands('/api/demo/card', { cardNumber: payer.card.cardNumber });
    await onScreen('pin');
    audits.push(...(await auditScreen(page, 'pin', 'screen.pin')));
    for (const digit of payer.card.pin) await page.locator('.keypad button', { hasText: new RegExp(`^${digit}$`) }).click();
    await doubleTap(page.getByTestId('pin-ok'));
    await onScreen('menu');
    audits.push(...(await auditScreen(page, 'menu', 'screen.menu')));

    await doubleTap(page.getByTestId('menu-account'));
    await onScreen('account');
    audits.push(...(await auditScreen(page, 'account', 'screen.account')));
    await doubleTap(page.getByTestId('back'));
    await onScreen('menu');

    await doubleTap(page.getByTestId('menu-pay'));
    const tiers = await onScreen('tiers');
    expect(tiers.tiers.length).toBeGreaterThan(1);
    await page.getByTestId('projection-chart').waitFor();
    await expect(page.getByTestId('no-change').textContent()).resolves.toBe('本机不找零，请准备正好的钱');
    audits.push(...(await auditScreen(page, 'tiers', 'screen.tiers')));

    await doubleTap(page.getByTestId('tier-100'));
    const paying = await onScreen('paying');
    expect(paying.progress).toMatchObject({ tierYuan: 100, stackedFen: 0 });
    await hands('/api/demo/note', { yuan: 50 });
    await page.getByTestId('inserted').getByText('50.00').waitFor();
    audits.push(...(await auditScreen(page, 'paying', 'screen.paying')));
    await hands('/api/demo/note', { yuan: 50 });
    await onScreen('receipt');
    await expect(page.getByTestId('receipt-text').textContent()).resolves.toContain('100.00元');
    audits.push(...(await auditScreen(page, 'receipt', 'screen.receipt')));

    await doubleTap(page.getByTestId('done'));
    await onScreen('menu');
    await doubleTap(page.getByTestId('menu-publicity'));
    await onScreen('publicity');
    await page.getByTestId('publicity-page').waitFor();
    audits.push(...(await auditScreen(page, 'publicity', 'screen.publicity')));
    // Paging is the page's own: a double tap turns one page.
    await doubleTap(page.getByTestId('page-next'), 0);
    await expect(page.getByTestId('publicity-page').textContent()).resolves.toMatch(/第 2 页/);
    await doubleTap(page.getByTestId('back'));
    await onScreen('menu');

    // The countdown, in every language, spoken; a touch answers it.
    for (const language of ['zh-Hant', 'bo', 'en', 'zh-Hans'] as const) {
      await switchLanguage(page, language);
      await hands('/api/demo/walk-away');
      await page.getByTestId('countdown').waitFor();
      await expectPrompt(page, 'countdown', language);
      audits.push(await auditNow(page, 'countdown', language));
      await doubleTap(page.getByTestId('still-here'));
      await page.getByTestId('countdown').waitFor({ state: 'detached' });
    }

    await switchLanguage(page, 'bo');
    await doubleTap(page.getByTestId('finish'));
    await onScreen('take-card');
    await expectPrompt(page, 'screen.take-card', 'bo');
    audits.push(...(await auditScreen(page, 'take-card', 'screen.take-card')));
    await switchLanguage(page, 'en');
    await cardOut();
    // The session ended: back to the default language.
    await page.waitForFunction(() => document.documentElement.lang === 'zh-Hans');
  }, JOURNEY_TIMEOUT_MS);

  it('lets a pensioner confirm with a photo from the camera, and file a complaint the office sees', async () => {
    await signIn(pensionerPaid);
    await onScreen('menu');
    await doubleTap(page.getByTestId('menu-confirm'));
    const confirm = await onScreen('confirm');
    const paid = (confirm.months as { month: string; status: string; totalFen: number }[]).find((m) => m.status === 'paid')!;
    expect(paid, 'a paid month to confirm').toBeDefined();
    audits.push(...(await auditScreen(page, 'confirm', 'screen.confirm')));

    // The camera is a step of its own: the double tap opens it once and sends nothing yet.
    await doubleTap(page.getByTestId(`received-${paid.month}`), 0);
    await page.getByTestId('camera-preview').waitFor();
    await page.waitForFunction(() => (document.querySelector('[data-testid="camera-preview"]') as HTMLVideoElement).readyState >= 2);
    audits.push(await auditNow(page, 'camera', 'zh-Hans'));
    await doubleTap(page.getByTestId('take-photo'));
    const certified = await onScreen('certified');
    expect(certified.photo).toBe(true);
    audits.push(...(await auditScreen(page, 'certified', 'screen.certified')));

    // The office reads the photo the server opened: a JPEG.
    const login = await fetch(`${demo.serverUrl}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'auditor', password: DEMO_OFFICE_PASSWORD }) });
    const auth = { authorization: `Bearer ${((await login.json()) as { token: string }).token}` };
    let photos: { certificationId: string; citizenNumber: string; problem: string | null }[] = [];
    for (const deadline = Date.now() + 20_000; photos.length === 0 && Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      photos = ((await (await fetch(`${demo.serverUrl}/api/v1/certification-photos`, { headers: auth })).json()) as { photos: typeof photos }).photos;
    }
    expect(photos[0]).toMatchObject({ citizenNumber: pensionerPaid.citizenNumber, problem: null });
    const photo = (await (await fetch(`${demo.serverUrl}/api/v1/certification-photos/${photos[0]!.certificationId}`, { headers: auth })).json()) as { jpegBase64: string };
    expect(Buffer.from(photo.jpegBase64, 'base64').subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));

    await doubleTap(page.getByTestId('done'));
    await onScreen('menu');
    await doubleTap(page.getByTestId('menu-confirm'));
    await onScreen('confirm');
    await doubleTap(page.getByTestId(`not-received-${paid.month}`));
    const filed = await onScreen('complaint-filed');
    expect(filed).toMatchObject({ month: paid.month, amountFen: paid.totalFen });
    audits.push(...(await auditScreen(page, 'complaint-filed', 'screen.complaint-filed')));
    let requests: { kind: string; month: string | null; amountFen: number | null; state: string }[] = [];
    for (const deadline = Date.now() + 20_000; requests.length === 0 && Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      requests = ((await (await fetch(`${demo.serverUrl}/api/v1/kiosk-requests?kind=pension-complaint`, { headers: auth })).json()) as { requests: typeof requests }).requests;
    }
    expect(requests[0]).toMatchObject({ kind: 'pension-complaint', month: paid.month, amountFen: paid.totalFen, state: 'open' });
    await cardOut();
  }, JOURNEY_TIMEOUT_MS);

  it('shows a blocked card, an unreadable state and the staff shell with its alarm list, translated', async () => {
    const expired = county.residents.find((r) => r.card.expiryDate < '2026-01-01')!;
    await hands('/api/demo/card', { cardNumber: expired.card.cardNumber });
    await onScreen('message');
    audits.push(...(await auditScreen(page, 'message', 'screen.message')));
    await cardOut();

    // A note on the wrong screen: the acceptor is disabled, the note comes back, nothing is taken.
    expect(await (await hands('/api/demo/note', { yuan: 10 })).json()).not.toEqual({ outcome: 'escrow' });

    await signIn(staffCard);
    await onScreen('staff');
    await page.getByTestId('device-billAcceptor').waitFor();
    await expect(page.getByTestId('device-billAcceptor').textContent()).resolves.toBe('收款机正常');
    audits.push(...(await auditScreen(page, 'staff-devices', 'screen.staff')));
    for (const section of ['cash', 'updates', 'alarms'] as const) {
      await doubleTap(page.getByTestId(`staff-${section}`));
      await page.locator(`[data-section="${section}"]`).waitFor();
      audits.push(await auditNow(page, `staff-${section}`, 'zh-Hans'));
    }
    await expect(page.getByTestId('staff-section').textContent()).resolves.toMatch(/没有报警|报警/);
    await cardOut();
  }, JOURNEY_TIMEOUT_MS);

  it('has no serious or critical axe violation, no text under 28 px and no target under 64 px on any screen in any language', () => {
    const screens = new Set(audits.map((a) => a.name));
    for (const name of ['idle', 'help', 'pin', 'menu', 'account', 'tiers', 'paying', 'receipt', 'publicity', 'countdown', 'take-card', 'confirm', 'camera', 'certified', 'complaint-filed', 'message', 'staff-devices', 'staff-alarms']) {
      expect(screens.has(name), name).toBe(true);
    }
    expect(auditFailures(audits)).toEqual([]);
  });

  it('never fell back to another language on any screen', async () => {
    expect(await page.evaluate(() => (window as unknown as { nongbaoMissingTranslations: () => string[] }).nongbaoMissingTranslations())).toEqual([]);
  });
});
