// What the browser tests check on every kiosk screen in every language
// (issue 12 section 6): a screenshot kept as an artifact, an axe-core audit
// (no serious or critical violation, AAA contrast), the smallest text and
// touch target, and that the screen played its prompt in that language.
// The demo's device panel stands in for the person's hands and is not part
// of the kiosk: it is left out of the audits.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from './demo-process.js';

export const KIOSK_ARTIFACTS = join(REPO_ROOT, 'artifacts', 'kiosk');
export const LANGUAGES = ['zh-Hans', 'zh-Hant', 'bo', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
/** Issue 12 section 3. */
export const MIN_TEXT_PX = 28;
export const MIN_TARGET_PX = 64;
const DEMO_PANEL = '[data-testid="demo-panel"]';
const PROMPT_TIMEOUT_MS = 10_000;

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface ScreenAudit {
  name: string;
  language: Language;
  violations: { id: string; impact: string | null; nodes: string[] }[];
  smallestTextPx: number;
  smallestText: string;
  smallestTargetPx: number;
  smallestTarget: string;
}

/** axe-core in the page, WCAG A/AA/AAA and best practice; serious and critical violations (AAA contrast is serious). */
async function axe(page: Page): Promise<ScreenAudit['violations']> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  return page.evaluate(async (exclude) => {
    const run = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[] }> } }).axe.run;
    const result = await run(
      { exclude: [[exclude]] },
      { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag2aaa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] }, resultTypes: ['violations'] },
    );
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical' || v.id === 'color-contrast-enhanced')
      .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  }, DEMO_PANEL);
}

/** The smallest visible text and touch target on the page, outside the demo panel. */
async function sizes(page: Page): Promise<Pick<ScreenAudit, 'smallestTextPx' | 'smallestText' | 'smallestTargetPx' | 'smallestTarget'>> {
  return page.evaluate((demoPanel) => {
    const shown = (el: Element) => {
      if (el.closest(demoPanel)) return false;
      const box = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      return box.width > 1 && box.height > 1 && style.visibility !== 'hidden' && style.display !== 'none';
    };
    let smallestTextPx = Infinity;
    let smallestText = '';
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!node.textContent?.trim() || !el || !shown(el)) continue;
      const px = parseFloat(getComputedStyle(el).fontSize);
      if (px < smallestTextPx) [smallestTextPx, smallestText] = [px, el.outerHTML.slice(0, 160)];
    }
    let smallestTargetPx = Infinity;
    let smallestTarget = '';
    for (const el of Array.from(document.querySelectorAll('button, a[href], input, select, [role="button"]'))) {
      if (!shown(el)) continue;
      const box = el.getBoundingClientRect();
      const px = Math.min(box.width, box.height);
      if (px < smallestTargetPx) [smallestTargetPx, smallestTarget] = [px, el.outerHTML.slice(0, 160)];
    }
    return { smallestTextPx, smallestText, smallestTargetPx, smallestTarget };
  }, DEMO_PANEL);
}

/** Waits until the page played (or is playing) prompt `key` in `language`; throws with what it played instead. */
export async function expectPrompt(page: Page, key: string, language: Language): Promise<void> {
  const want = `${language}:${key}`;
  try {
    await page.waitForFunction(
      (w) => document.documentElement.dataset.prompt === w && ['playing', 'ended'].includes(document.documentElement.dataset.promptState ?? ''),
      want,
      { timeout: PROMPT_TIMEOUT_MS },
    );
  } catch {
    const got = await page.evaluate(() => `${document.documentElement.dataset.prompt} (${document.documentElement.dataset.promptState})`);
    throw new Error(`the page did not play ${want}; it shows ${got}`);
  }
}

/** Switches the kiosk's language with its own button and waits until the page is in it. */
export async function switchLanguage(page: Page, language: Language): Promise<void> {
  await page.getByTestId(`lang-${language}`).click();
  await page.waitForFunction((l) => document.documentElement.lang === l, language);
  await page.evaluate(() => document.fonts.ready);
}

/** Screenshot, axe, sizes for the page as it is now. */
export async function auditNow(page: Page, name: string, language: Language): Promise<ScreenAudit> {
  mkdirSync(KIOSK_ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(KIOSK_ARTIFACTS, `${name}.${language}.png`), fullPage: true });
  return { name, language, violations: await axe(page), ...(await sizes(page)) };
}

/**
 * The screen in every language, each switched to with the language buttons:
 * its prompt played, then screenshot, axe and sizes. Ends in zh-Hans.
 */
export async function auditScreen(page: Page, name: string, promptKey: string | null): Promise<ScreenAudit[]> {
  const audits: ScreenAudit[] = [];
  for (const language of [...LANGUAGES.slice(1), LANGUAGES[0]]) {
    await switchLanguage(page, language);
    if (promptKey) await expectPrompt(page, promptKey, language);
    audits.push(await auditNow(page, name, language));
  }
  return audits;
}

/** What failed the audits, one line each (empty when all passed). */
export function auditFailures(audits: readonly ScreenAudit[]): string[] {
  return audits.flatMap((a) => [
    ...a.violations.map((v) => `${a.name} ${a.language}: axe ${v.id} (${v.impact}) at ${v.nodes.join(', ')}`),
    ...(a.smallestTextPx < MIN_TEXT_PX ? [`${a.name} ${a.language}: text ${a.smallestTextPx}px < ${MIN_TEXT_PX}px: ${a.smallestText}`] : []),
    ...(a.smallestTargetPx < MIN_TARGET_PX ? [`${a.name} ${a.language}: target ${a.smallestTargetPx}px < ${MIN_TARGET_PX}px: ${a.smallestTarget}`] : []),
  ]);
}

/** Installs the repository's recorded test prompts into a demo's data folder, as a county would (`nongbao prompts import`). */
export function importTestPrompts(dataDir: string): string {
  const cli = join(REPO_ROOT, 'bin/nongbao.mjs');
  return execFileSync(process.execPath, [cli, 'prompts', 'import', join(REPO_ROOT, 'kiosk-ui/prompts/recorded-test'), '--prompts-dir', join(dataDir, 'prompts')], { encoding: 'utf8' });
}
