// The kiosk UI in real Chromium against the running demo: a person inserts a
// card from the demo panel, types the PIN on the screen keypad and sees their
// balance. The screenshot is kept as an artifact (artifacts/kiosk-balance.png).
import { mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { REPO_ROOT, startDemoProcess, type DemoProcess } from '../support/demo-process.js';
import { launchChromium } from '../support/browser.js';
import { expectedMaskedName, residentWithHistory, residentsWhoOwe } from '../support/demo-residents.js';

const ARTIFACTS = join(REPO_ROOT, 'artifacts');
const resident = residentWithHistory;
const payer = residentsWhoOwe[0]!;

function yuan(fen: number): string {
  return `${Math.floor(fen / 100).toLocaleString('en-US')}.${String(fen % 100).padStart(2, '0')}`;
}

describe('the kiosk UI in Chromium', () => {
  let demo: DemoProcess;
  let browser: Browser;

  beforeAll(async () => {
    demo = await startDemoProcess(['--data-dir', mkdtempSync(join(tmpdir(), 'nb-browser-')), '--server-port', '0', '--kiosk-port', '0', '--card-path', 'in-process']);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  it('shows the balance of the inserted card after the PIN is typed on the screen keypad', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${demo.kioskUrl}/`);
    await page.getByText('请插入社保卡').waitFor();

    await page.getByTestId(`insert-${resident.card.cardNumber}`).click();
    await page.getByText('请输入 6 位密码').waitFor();
    for (const digit of resident.card.pin) await page.locator('.keypad button', { hasText: new RegExp(`^${digit}$`) }).click();
    await page.getByTestId('pin-ok').click();

    const balance = page.getByTestId('balance');
    await balance.waitFor();
    const state = (await (await fetch(`${demo.kioskUrl}/api/state`)).json()) as { summary: { balanceFen: number; contributionYears: number } };
    expect(await balance.textContent()).toBe(`${yuan(state.summary.balanceFen)} 元`);
    expect(await page.getByTestId('years').textContent()).toContain(`已缴费 ${resident.contributions.length} 年`);

    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = join(ARTIFACTS, 'kiosk-balance.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(10_000);

    // Tibetan is one touch away, and the balance stays.
    await page.getByRole('button', { name: 'བོད་ཡིག' }).click();
    await page.getByText('སྒེར་གྱི་རྩིས་ཐོའི་ལྷག་མ།').waitFor();
    await page.evaluate(() => document.fonts.ready);
    expect(await page.evaluate(() => document.fonts.check('24px "Noto Serif Tibetan"', 'སྒེར'))).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'kiosk-balance-bo.png'), fullPage: true });

    await page.getByTestId('remove-card').click();
    await page.getByText('སྤྱི་ཚོགས་ཉེན་འགོག་ཤོག་བྱང་ནང་དུ་འཇུག་རོགས།').waitFor();
    expect(await page.getByTestId('balance').count()).toBe(0);
  });

  it('takes a cash payment by touch: tier, notes, receipt on screen; then the village list shows the payer', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${demo.kioskUrl}/`);
    await page.getByTestId(`insert-${payer.card.cardNumber}`).click();
    await page.getByText('请输入 6 位密码').waitFor();
    for (const digit of payer.card.pin) await page.locator('.keypad button', { hasText: new RegExp(`^${digit}$`) }).click();
    await page.getByTestId('pin-ok').click();

    await page.getByTestId('pay').click();
    await page.getByTestId('tier-100').click();
    await page.getByText('请放入纸币').waitFor();
    await page.getByTestId('note-50').click();
    await page.getByTestId('inserted').getByText('50.00').waitFor();
    await page.getByTestId('note-50').click();

    await page.getByText('缴费成功').waitFor();
    const receipt = await page.getByTestId('receipt-text').textContent();
    expect(receipt).toContain('缴费凭条');
    expect(receipt).toContain('100.00元');
    await page.screenshot({ path: join(ARTIFACTS, 'kiosk-receipt.png'), fullPage: true });

    await page.getByRole('button', { name: '完成' }).click();
    await page.getByTestId('publicity').click();
    await page.getByText('缴费名单').waitFor();
    expect(await page.getByTestId('publicity-contributors').textContent()).toContain(expectedMaskedName(payer.name));
    await page.screenshot({ path: join(ARTIFACTS, 'kiosk-publicity.png'), fullPage: true });
    await page.getByTestId('remove-card').click();
  });
});
