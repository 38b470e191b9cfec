// The office console (issue 14 "Tests") in Debian's Chromium against the
// running demo county: every page shows the API's numbers, has no serious or
// critical axe-core violation, and leaves a screenshot in artifacts/; an
// auditor sees no write control and the API refuses them anyway; a register
// with a broken row imports nothing; the printed publicity list fits A4 and
// names everyone on the village's list; a real payroll is watched from a
// second browser.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startDemoProcess, type DemoProcess } from '../support/demo-process.js';
import { launchChromium } from '../support/browser.js';
import { county, residentWithHistory, residentsWhoOwe, thisYear, today } from '../support/demo-residents.js';
import { DEMO_PASSWORD, keepScreenshot, loginPage, percentText, seriousViolations, yuanText } from '../support/console-page.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let demo: DemoProcess;
let browser: Browser;
let operator: Page;
let api: (path: string, init?: { method?: string; body?: unknown; token?: string; csv?: string }) => Promise<{ status: number; json: Json }>;
let operatorToken: string;
let auditorToken: string;

async function checkPage(page: Page, name: string): Promise<void> {
  expect(await seriousViolations(page), `${name}: serious or critical axe violations`).toEqual([]);
  await keepScreenshot(page, name);
}

const village = county.villages[0]!;
const REGISTER_HEADER = 'citizenNumber,name,birthDate,villageCode,householdId,hukouInCounty,fullTimeStudent,urbanEmployeePension,severelyDisabled,bankAccount';
/** A valid citizen number of the demo county for a birth date (GB 11643 check character). */
function citizenNumber(birthDate: string, serial: number): string {
  const first17 = `513227${birthDate.replaceAll('-', '')}${String(serial).padStart(3, '0')}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, d, i) => s + Number(d) * weights[i]!, 0);
  return first17 + '10X98765432'[sum % 11]!;
}

beforeAll(async () => {
  demo = await startDemoProcess(['--data-dir', mkdtempSync(join(tmpdir(), 'nb-console-')), '--server-port', '0', '--kiosk-port', '0', '--card-path', 'in-process']);
  browser = await launchChromium();
  api = async (path, init = {}) => {
    const headers: Record<string, string> = {};
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (init.csv !== undefined) headers['content-type'] = 'text/csv';
    const res = await fetch(`${demo.serverUrl}/api/v1${path}`, { method: init.method ?? 'GET', headers, body: init.csv ?? (init.body === undefined ? undefined : JSON.stringify(init.body)) });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  };
  operatorToken = (await api('/login', { method: 'POST', body: { username: 'operator', password: DEMO_PASSWORD } })).json.token;
  auditorToken = (await api('/login', { method: 'POST', body: { username: 'auditor', password: DEMO_PASSWORD } })).json.token;
  operator = await loginPage(browser, demo.consoleUrl, 'operator');
});

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

describe('the office console in Chromium', () => {
  it('is served under /admin with a CSP that allows no inline script, and the login page is accessible', async () => {
    expect(demo.consoleUrl).toBe(`${demo.serverUrl}/admin/`);
    const res = await fetch(demo.consoleUrl);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(demo.consoleUrl);
    await page.getByTestId('login-go').waitFor();
    await checkPage(page, 'login');
    await context.close();
  });

  it('Today shows the campaign, coverage and fleet figures of GET /dashboard', async () => {
    const d = (await api('/dashboard', { token: operatorToken })).json;
    await operator.goto(demo.consoleUrl);
    await operator.getByTestId('campaign-contributions').waitFor();
    expect(await operator.getByTestId('campaign-contributions').textContent()).toBe(String(d.campaign.total.contributions));
    expect(await operator.getByTestId('campaign-target').textContent()).toBe(String(d.campaign.targetContributions));
    expect(await operator.getByTestId('campaign-of-target').textContent()).toBe(percentText(d.campaign.total.ofTarget.basisPoints));
    expect(await operator.getByTestId('coverage-enrolled').textContent()).toBe(String(d.coverage.enrolled));
    expect(await operator.getByTestId('coverage-contribution').textContent()).toBe(percentText(d.coverage.contribution.basisPoints));
    expect(await operator.getByTestId('fleet-online').textContent()).toBe(`${d.fleet.online} / ${d.fleet.terminals}`);
    expect(await operator.locator('[data-testid=villages-behind] tbody tr').count()).toBe(d.behind.length);
    await operator.locator('[data-testid=campaign-chart] canvas').first().waitFor();
    await checkPage(operator, 'today');
  });

  it('Residents pages and sorts on the server, names masked, as GET /persons does', async () => {
    await operator.goto(`${demo.consoleUrl}#/residents`);
    const firstCells = () => operator.locator('[data-testid=residents] tbody tr td:first-child').allTextContents();
    await operator.locator('[data-testid=residents] tbody tr').first().waitFor();
    const page1 = (await api('/persons?limit=20', { token: auditorToken })).json;
    expect(await firstCells()).toEqual(page1.residents.map((r: Json) => r.maskedName));
    expect(await operator.getByTestId('page-summary').textContent()).toContain(String(page1.total));
    for (const r of county.residents.slice(0, 5)) expect(await operator.content()).not.toContain(r.name);
    await operator.getByTestId('page-next').click();
    const page2 = (await api(`/persons?limit=20&after=${page1.next}`, { token: auditorToken })).json;
    await expect.poll(firstCells).toEqual(page2.residents.map((r: Json) => r.maskedName));
    await operator.getByTestId('sort-name').click();
    const byName = (await api('/persons?limit=20&sort=name', { token: auditorToken })).json;
    await expect.poll(firstCells).toEqual(byName.residents.map((r: Json) => r.maskedName));
    await operator.getByTestId('search-text').fill(residentWithHistory.citizenNumber.slice(0, 14));
    await operator.getByTestId('search-go').click();
    await expect.poll(() => operator.locator('[data-testid=residents] tbody tr').count()).toBeLessThan(5);
    await checkPage(operator, 'residents');
  });

  it("a resident's page shows the statement's account, years and proof of life", async () => {
    const cn = residentWithHistory.citizenNumber;
    const s = (await api(`/persons/${cn}/statement`, { token: auditorToken })).json;
    await operator.goto(`${demo.consoleUrl}#/residents/${cn}`);
    await operator.getByTestId('balance-total').waitFor();
    expect(await operator.getByTestId('balance-total').textContent()).toBe(yuanText(s.balanceFen));
    expect(await operator.getByTestId('balance-individual').textContent()).toBe(yuanText(s.balancesFen.individual));
    expect(await operator.getByTestId('balance-government').textContent()).toBe(yuanText(s.balancesFen.government));
    expect(await operator.locator('[data-testid=contributions] tbody tr').count()).toBe(s.contributions.length);
    expect(await operator.getByTestId('contribution-years').textContent()).toContain(String(s.contributionYears));
    expect(await operator.getByTestId('certified-through').textContent()).toBe(s.certification.certifiedThrough ?? '—');
    const kiosk = (await api(`/persons/${cn}/kiosk-payments`, { token: auditorToken })).json.payments;
    expect(await operator.locator('[data-testid=kiosk-payments] tbody tr').count()).toBe(Math.max(1, kiosk.length));
    await operator.locator('[data-testid=account-chart] canvas').first().waitFor();
    await checkPage(operator, 'resident');
  });

  it("takes a counter payment after showing the policy engine's answer", async () => {
    const payer = residentsWhoOwe[0]!;
    await operator.goto(`${demo.consoleUrl}#/residents/${payer.citizenNumber}`);
    await operator.getByTestId('pay-tier').selectOption('200');
    await operator.getByTestId('pay-preview').click();
    await operator.getByTestId('pay-answer').waitFor();
    const answer = await operator.getByTestId('contribution-credits').textContent();
    expect(answer).toContain('200.00');
    expect((await api(`/persons/${payer.citizenNumber}/statement`, { token: auditorToken })).json.contributions.some((c: Json) => c.year === thisYear)).toBe(false);
    await operator.getByTestId('pay-confirm').click();
    await operator.getByTestId('pay-result').waitFor();
    const after = (await api(`/persons/${payer.citizenNumber}/statement`, { token: auditorToken })).json;
    expect(after.contributions.find((c: Json) => c.year === thisYear)).toMatchObject({ tierYuan: 200, channel: 'counter' });
    const audit = (await api('/audit-log?limit=5', { token: auditorToken })).json.entries;
    expect(audit.map((e: Json) => `${e.actor} ${e.action}`)).toContain('operator POST /contributions');
    expect(audit.map((e: Json) => e.action)).not.toContain('POST /contributions/preview');
  });

  it('Villages shows GET /coverage, sortable, and the county total', async () => {
    const c = (await api(`/coverage?year=${thisYear}`, { token: auditorToken })).json;
    await operator.goto(`${demo.consoleUrl}#/villages`);
    await operator.getByTestId('coverage-total').waitFor();
    const total = await operator.getByTestId('coverage-total').locator('td').allTextContents();
    expect(total.slice(0, 6)).toEqual([
      String(c.total.enrolled),
      String(c.total.eligiblePersons),
      percentText(c.total.enrolment.basisPoints),
      String(c.total.enrolledUnder60),
      String(c.total.contributed),
      percentText(c.total.contribution.basisPoints),
    ]);
    await operator.getByTestId('sort-enrolled').click();
    const names = await operator.locator('[data-testid=coverage] tbody tr td:first-child').allTextContents();
    expect(names).toEqual([...c.villages].sort((a: Json, b: Json) => a.enrolled - b.enrolled).map((v: Json) => v.villageName));
    await checkPage(operator, 'villages');
  });

  it('prints a village publicity list on A4, with everyone on the list', async () => {
    const list = (await api(`/villages/${village.code}/publicity?year=${thisYear}`, { token: auditorToken })).json;
    expect(list.contributors.length + list.recipients.length).toBeGreaterThan(5);
    await operator.goto(`${demo.consoleUrl}#/villages/${village.code}/publicity?year=${thisYear}`);
    await operator.getByTestId('publicity-recipients').waitFor();
    await checkPage(operator, 'publicity');
    await operator.emulateMedia({ media: 'print' });
    const dir = mkdtempSync(join(tmpdir(), 'nb-publicity-'));
    const pdf = join(dir, 'publicity.pdf');
    writeFileSync(pdf, await operator.pdf({ preferCSSPageSize: true, printBackground: false }));
    await operator.emulateMedia({ media: 'screen' });
    const info = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' });
    expect(info).toMatch(/Page size:\s+59[45]\.\d+ x 841\.\d+ pts \(A4\)/);
    const pages = Number(/Pages:\s+(\d+)/.exec(info)![1]);
    // A demo village lists under 40 people: one A4 page (a row a person at 10 pt, about 45 rows a page).
    expect(list.contributors.length + list.recipients.length).toBeLessThan(40);
    expect(pages).toBe(1);
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    expect(text).toContain(village.name);
    const count = (haystack: string, needle: string) => haystack.split(needle).length - 1;
    for (const person of [...list.contributors, ...list.recipients]) {
      const expected = [...list.contributors, ...list.recipients].filter((p: Json) => p.name === person.name).length;
      expect(count(text, person.name), person.name).toBeGreaterThanOrEqual(expected);
    }
    // Only the list prints: not the navigation, not the buttons.
    expect(text).not.toContain('退出登录');
    expect(text).not.toContain('打印（A4）');
  });

  it('checks a register with a broken row, lists the row, and imports nothing; a clean one imports all', async () => {
    const before = (await api(`/persons?villageCode=${village.code}&limit=1`, { token: auditorToken })).json.total;
    const good = [citizenNumber('1985-02-03', 901), citizenNumber('1986-04-05', 903)];
    const broken = [REGISTER_HEADER, `${good[0]},刘新民,1985-02-03,${village.code},,1,0,0,0,`, `${good[1]},陈小芳,1986-04-06,${village.code},,1,0,0,0,`].join('\n');
    const dir = mkdtempSync(join(tmpdir(), 'nb-register-'));
    writeFileSync(join(dir, 'broken.csv'), broken);
    await operator.goto(`${demo.consoleUrl}#/import`);
    await operator.getByTestId('import-file').setInputFiles(join(dir, 'broken.csv'));
    await operator.getByTestId('import-check').click();
    await operator.getByTestId('import-errors').waitFor();
    expect(await operator.locator('[data-testid=import-errors] tbody tr td').first().textContent()).toBe('3');
    expect(await operator.getByTestId('import-go').count()).toBe(0);
    await checkPage(operator, 'import');
    // Sent straight to the import, the same file imports nobody either.
    expect((await api('/persons/import', { method: 'POST', token: operatorToken, csv: broken })).status).toBe(400);
    expect((await api(`/persons?villageCode=${village.code}&limit=1`, { token: auditorToken })).json.total).toBe(before);
    writeFileSync(join(dir, 'good.csv'), broken.replace('1986-04-06', '1986-04-05'));
    await operator.getByTestId('import-file').setInputFiles(join(dir, 'good.csv'));
    await operator.getByTestId('import-check').click();
    await operator.getByTestId('import-checked').waitFor();
    expect((await api(`/persons?villageCode=${village.code}&limit=1`, { token: auditorToken })).json.total).toBe(before);
    await operator.getByTestId('import-go').click();
    await operator.getByTestId('import-done').waitFor();
    expect((await api(`/persons?villageCode=${village.code}&limit=1`, { token: auditorToken })).json.total).toBe(before + 2);
  });

  it('runs a payroll: the dry run names who is paid and not, the real run is watched from a second browser', async () => {
    const month = today.slice(0, 7);
    const dry = (await api('/runs/payroll', { method: 'POST', token: operatorToken, body: { month } })).json;
    const watcher = await loginPage(browser, demo.consoleUrl, 'auditor');
    await watcher.goto(`${demo.consoleUrl}#/runs`);
    await watcher.getByTestId('runs-progress').waitFor();
    await operator.goto(`${demo.consoleUrl}#/runs`);
    await operator.getByTestId('payroll-dry-run').click();
    await operator.getByTestId('payroll-dry').waitFor();
    expect(await operator.locator('[data-testid=payroll-lines] tbody tr').count()).toBe(Math.max(1, dry.lines.length));
    expect(await operator.getByTestId('payroll-paid').textContent()).toContain(yuanText(dry.totalFen));
    expect(await operator.locator('[data-testid=payroll-not-paid] tbody tr').count()).toBe(Math.max(1, dry.notPaid.length));
    await checkPage(operator, 'runs');
    await operator.getByTestId('payroll-run').click();
    await operator.getByTestId('payroll-real').waitFor();
    const progress = (await api('/runs/progress', { token: auditorToken })).json;
    expect(progress.last).toMatchObject({ runKey: `payroll:${month}`, state: 'finished', startedBy: 'operator' });
    await watcher.locator(`[data-testid=run-progress][data-run-key="payroll:${month}"][data-state=finished]`).waitFor();
    expect(await watcher.getByTestId('run-progress-count').textContent()).toBe(`${progress.last.donePersons} / ${progress.last.totalPersons}`);
    // The watcher's run log follows without a reload.
    await watcher.getByTestId('run-log').getByText(`payroll:${month}`).waitFor();
    const download = operator.waitForEvent('download');
    await operator.getByTestId('bank-file').click();
    const file = await (await download).path();
    const lines = readFileSync(file, 'utf8').split('\r\n').filter(Boolean);
    expect(lines[0]).toContain('paymentId,citizenNumber');
    expect(lines.length - 1).toBe(dry.lines.length);
    await watcher.context().close();
  });

  it('Kiosks shows the fleet, enrols a kiosk with a one-time code and revokes it', async () => {
    const fleet = (await api('/terminals', { token: auditorToken })).json.terminals;
    await operator.goto(`${demo.consoleUrl}#/kiosks`);
    await operator.locator('[data-testid=fleet] tbody tr').first().waitFor();
    expect(await operator.locator('[data-testid=fleet] tbody tr').count()).toBe(fleet.length);
    expect(await operator.getByTestId('state-demo-kiosk-01').textContent()).toBe(fleet.find((t: Json) => t.terminalId === 'demo-kiosk-01').online ? '在线' : '离线');
    await operator.getByTestId('enrol-id').fill('kiosk-test-02');
    await operator.getByTestId('enrol-village').selectOption(village.code);
    await operator.getByTestId('enrol-location').fill('村委会一楼');
    await operator.getByTestId('enrol-go').click();
    await operator.getByTestId('enrol-code').waitFor();
    expect(await operator.locator('[data-testid=enrol-code] .code').textContent()).toMatch(/\S{6,}/);
    await operator.getByTestId('state-kiosk-test-02').waitFor();
    expect((await api('/terminals/kiosk-test-02', { token: auditorToken })).json).toMatchObject({ villageCode: village.code, location: '村委会一楼' });
    await checkPage(operator, 'kiosks');
    operator.once('dialog', (d) => void d.accept());
    await operator.getByTestId('revoke-demo-kiosk-01').click();
    await expect.poll(async () => (await api('/terminals/demo-kiosk-01', { token: auditorToken })).json.revoked).toBe(true);
  });

  it('shows the audit log with who and when, as GET /audit-log does', async () => {
    const entries = (await api('/audit-log?limit=50', { token: auditorToken })).json.entries;
    await operator.goto(`${demo.consoleUrl}#/audit`);
    await operator.locator('[data-testid=audit-log] tbody tr').first().waitFor();
    expect(await operator.locator('[data-testid=audit-log] tbody tr td:first-child').allTextContents()).toEqual(entries.map((e: Json) => String(e.seq)));
    expect(await operator.locator('[data-testid=audit-log] tbody').textContent()).toContain('POST /terminals/:terminalId/revoke');
    await checkPage(operator, 'audit');
  });

  it('gives an auditor no write control on any page, and the API refuses their writes', async () => {
    const auditor = await loginPage(browser, demo.consoleUrl, 'auditor');
    expect(await auditor.getByTestId('nav-import').count()).toBe(0);
    const writeControls = '[data-testid$=-preview], [data-testid$=-confirm], [data-testid^=revoke-], [data-testid=enrol-go], [data-testid=payroll-dry-run], [data-testid=payroll-run], [data-testid=interest-dry-run], [data-testid=import-check], form.inline button';
    const pages: Array<[string, string]> = [
      ['', 'campaign-contributions'],
      ['#/residents', 'residents'],
      [`#/residents/${residentsWhoOwe[1]!.citizenNumber}`, 'balance-total'],
      ['#/villages', 'coverage'],
      [`#/villages/${village.code}/publicity`, 'publicity'],
      ['#/runs', 'runs-progress'],
      ['#/kiosks', 'fleet'],
      ['#/audit', 'audit-log'],
    ];
    for (const [path, ready] of pages) {
      await auditor.goto(`${demo.consoleUrl}${path}`);
      await auditor.getByTestId(ready).first().waitFor();
      expect(await auditor.locator(writeControls).count(), path).toBe(0);
    }
    const refused = await api('/contributions', {
      method: 'POST',
      token: auditorToken,
      body: { id: '01939a7e-8a3c-7def-8123-456789abcdef', citizenNumber: residentsWhoOwe[1]!.citizenNumber, year: thisYear, tierYuan: 100, paidAt: new Date().toISOString() },
    });
    expect(refused.status).toBe(403);
    expect((await api('/terminals', { method: 'POST', token: auditorToken, body: { terminalId: 'kiosk-x-01', villageCode: village.code, location: 'x' } })).status).toBe(403);
    await auditor.context().close();
  });

  it('speaks English when asked, ends the session at logout and at expiry', async () => {
    const page = await loginPage(browser, demo.consoleUrl, 'auditor');
    await page.getByTestId('language').selectOption('en');
    expect(await page.getByTestId('nav-today').textContent()).toBe('Today');
    const token = await page.evaluate(() => (JSON.parse(sessionStorage.getItem('nongbao.console.session')!) as { token: string }).token);
    await page.getByTestId('logout').click();
    await page.getByTestId('login-go').waitFor();
    expect((await api('/dashboard', { token })).status).toBe(401);
    const again = await loginPage(browser, demo.consoleUrl, 'auditor');
    await again.evaluate(() => {
      const s = JSON.parse(sessionStorage.getItem('nongbao.console.session')!) as { expiresAt: string };
      s.expiresAt = new Date(Date.now() + 1_500).toISOString();
      sessionStorage.setItem('nongbao.console.session', JSON.stringify(s));
    });
    await again.reload();
    await again.getByTestId('logout').waitFor();
    await again.getByTestId('session-expired').waitFor({ timeout: 10_000 });
    await page.context().close();
    await again.context().close();
  });
});
