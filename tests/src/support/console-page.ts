// Helpers for the office console in Chromium: log in through the login form,
// check a page with axe-core (the npm package's own script, evaluated in the
// page through the DevTools protocol, which the console's CSP does not
// govern), and keep a screenshot of every page under artifacts/.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { REPO_ROOT } from './demo-process.js';

export const ARTIFACTS = join(REPO_ROOT, 'artifacts');
export const DEMO_PASSWORD = 'nongbao-demo';
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** A new browser context logged in as `username` through the form; waits for the navigation. */
export async function loginPage(browser: Browser, consoleUrl: string, username: 'operator' | 'auditor'): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(consoleUrl);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(DEMO_PASSWORD);
  await page.getByTestId('login-go').click();
  await page.getByTestId('logout').waitFor();
  return page;
}

/** The serious and critical axe-core violations of the page as it stands. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const result = (await page.evaluate(() => (window as unknown as { axe: { run(): Promise<unknown> } }).axe.run())) as { violations: AxeViolation[] };
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** A full-page screenshot, artifacts/console-<name>.png. */
export async function keepScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `console-${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Yuan as the console writes fen (app/format.ts), worked out here independently. */
export function yuanText(fen: number): string {
  return `${Math.floor(fen / 100).toLocaleString('en-US')}.${String(fen % 100).padStart(2, '0')}`;
}

/** Basis points as the console writes them. */
export function percentText(basisPoints: number | null): string {
  return basisPoints === null ? '—' : `${(basisPoints / 100).toFixed(2)}%`;
}
