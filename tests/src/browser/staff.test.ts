// The staff screens (issue 13 sections 1 and 2, the kiosk's side) in
// Debian's chromium against the running demo: live device status that
// changes while the screen is open, self-tests with plain results in the
// register's words, emptying the cash box (start, slip, reprint, finish) and
// the alarms with recent errors. Every screen in every language gets an
// axe-core audit and the size checks of the resident screens.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { startDemoProcess, waitForKioskState, type DemoProcess, type KioskStateJson } from '../support/demo-process.js';
import { launchChromium } from '../support/browser.js';
import { auditFailures, auditNow, auditScreen, type ScreenAudit } from '../support/kiosk-page.js';
import { county, residentsWhoOwe } from '../support/demo-residents.js';

const VIEWPORT = { width: 1920, height: 1080 };
const JOURNEY_TIMEOUT_MS = 240_000;
const staffCard = county.staff[0]!;

describe('the staff screens in Chromium', () => {
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
  /** A double tap on a button: one call reaches the terminal. */
  async function doubleTap(target: Locator, calls = 1): Promise<void> {
    const name = await target.getAttribute('data-testid');
    const before = posts.length;
    await target.dblclick();
    await page.waitForTimeout(150);
    expect(posts.length - before, `calls for a double tap on ${name}`).toBe(calls);
  }
  /** A resident pays 100 yuan in two 50s through the local API (the hands and the touches, without the page). */
  async function residentPays(): Promise<void> {
    const payer = residentsWhoOwe[0]!;
    await hands('/api/demo/card', { cardNumber: payer.card.cardNumber });
    await state((s) => s.screen === 'pin');
    await hands('/api/pin', { pin: payer.card.pin });
    await state((s) => s.screen === 'menu');
    await hands('/api/action', { action: 'pay' });
    await state((s) => s.screen === 'tiers');
    await hands('/api/pay', { tierYuan: 100 });
    await state((s) => s.screen === 'paying');
    await hands('/api/demo/note', { yuan: 50 });
    await state((s) => s.screen === 'paying' && s.progress.stackedFen === 5000);
    await hands('/api/demo/note', { yuan: 50 });
    await state((s) => s.screen === 'receipt');
    await hands('/api/demo/card', undefined, 'DELETE');
    await onScreen('idle');
  }
  async function signInStaff(): Promise<void> {
    await hands('/api/demo/card', { cardNumber: staffCard.card.cardNumber });
    await onScreen('pin');
    for (const digit of staffCard.card.pin) await page.locator('.keypad button', { hasText: new RegExp(`^${digit}$`) }).click();
    await doubleTap(page.getByTestId('pin-ok'));
    await onScreen('staff');
  }
  const text = (testId: string) => page.getByTestId(testId).textContent();

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nb-browser-staff-'));
    [demo, browser] = await Promise.all([
      startDemoProcess(['--data-dir', dataDir, '--server-port', '0', '--kiosk-port', '0', '--card-path', 'in-process']),
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

  it('shows live device status and resources, runs each self-test once per double tap, and says in plain words what failed and what to do', async () => {
    await signInStaff();
    await page.getByTestId('devices').waitFor();
    await expect(text('device-printer')).resolves.toBe('凭条打印机正常');
    await expect(page.getByTestId('printer-paper').getAttribute('data-paper')).resolves.toBe('ok');
    await expect(text('disk-free')).resolves.toMatch(/\d+ MB/);
    for (const test of ['printer', 'acceptor', 'card', 'gateway'] as const) {
      await doubleTap(page.getByTestId(`self-test-${test}`));
      await page.locator(`[data-testid="self-test-result-${test}"][data-result="pass"]`).waitFor();
      await expect(text(`self-test-result-${test}`)).resolves.toBe('正常');
    }
    audits.push(...(await auditScreen(page, 'staff-devices', null)));

    // The paper runs out: the printer test fails in words, and the paper row follows.
    await hands('/api/demo/printer', { paper: 'out' });
    await doubleTap(page.getByTestId('self-test-printer'));
    await page.locator('[data-testid="self-test-result-printer"][data-result="fail"]').waitFor();
    await expect(text('self-test-result-printer')).resolves.toBe('打印机没纸了怎么办：装上新的打印纸');
    await page.locator('[data-testid="printer-paper"][data-paper="out"]').waitFor();
    audits.push(...(await auditScreen(page, 'staff-devices-failed', null)));
    await hands('/api/demo/printer', { paper: 'ok' });

    await doubleTap(page.getByTestId('staff-alarms'));
    await page.locator('[data-section="alarms"]').waitFor();
    // Twice: the printer reported it, and the self-test failed on it.
    await page.getByTestId('recent-error-paperOut').first().waitFor();
    await expect(page.getByTestId('recent-error-paperOut').first().textContent()).resolves.toContain('装上新的打印纸');
    audits.push(...(await auditScreen(page, 'staff-alarms-errors', null)));
    await hands('/api/demo/card', undefined, 'DELETE');
    await onScreen('idle');
  }, JOURNEY_TIMEOUT_MS);

  it('empties the cash box: what it holds, start (the slip), reprint, finish, each from the staff cash screen', async () => {
    await residentPays();
    await signInStaff();
    await doubleTap(page.getByTestId('staff-cash'));
    await page.getByTestId('box-total').waitFor();
    await expect(text('box-total')).resolves.toBe('100.00 元');
    await expect(text('box-note-50')).resolves.toContain('50 元 × 2 张');
    audits.push(...(await auditScreen(page, 'staff-cash', null)));

    await doubleTap(page.getByTestId('collection-start'));
    await page.getByTestId('collection-open').waitFor();
    await expect(page.getByTestId('slip').getAttribute('data-printed')).resolves.toBe('true');
    const collectionId = await text('collection-id');
    expect(collectionId).toMatch(/^[0-9a-f-]{36}$/);
    await expect(text('collection-total')).resolves.toBe('100.00 元');
    audits.push(...(await auditScreen(page, 'staff-cash-open', null)));
    // Started twice is refused: the box is out, the kiosk takes no cash.
    expect(await (await hands('/api/staff/collection/start', {})).json()).toMatchObject({ error: { code: 'collection-in-progress' } });

    await doubleTap(page.getByTestId('collection-reprint'));
    await page.getByTestId('slip').waitFor();
    await doubleTap(page.getByTestId('collection-finish'));
    await page.locator('[data-testid="cash"][data-open="no"]').waitFor();
    await expect(text('box-total')).resolves.toBe('0.00 元');
    await expect(text('collection-id')).resolves.toBe(collectionId);
    audits.push(await auditNow(page, 'staff-cash-finished', 'zh-Hans'));
    await hands('/api/demo/card', undefined, 'DELETE');
    await onScreen('idle');
  }, JOURNEY_TIMEOUT_MS);

  it('has no serious or critical axe violation, no text under 28 px and no target under 64 px on any staff screen in any language', () => {
    const screens = new Set(audits.map((a) => a.name));
    for (const name of ['staff-devices', 'staff-devices-failed', 'staff-alarms-errors', 'staff-cash', 'staff-cash-open']) expect(screens.has(name), name).toBe(true);
    expect(auditFailures(audits)).toEqual([]);
  });

  it('never fell back to another language on any staff screen', async () => {
    expect(await page.evaluate(() => (window as unknown as { nongbaoMissingTranslations: () => string[] }).nongbaoMissingTranslations())).toEqual([]);
  });
});
