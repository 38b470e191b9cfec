// The office console's pages over what kiosks send (issue 14 "Complaints and
// help", "Residents": photos to review, "Kiosks": reconciliation,
// collections to count, update rollouts), in Debian's Chromium against the
// running demo county after residents and staff used its kiosk: every page
// shows the API's numbers, has no serious or critical axe-core violation and
// leaves a screenshot in artifacts/; an auditor sees no write control on
// these pages either, and the API refuses their writes.
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { REPO_ROOT, startDemoProcess, type DemoProcess } from '../support/demo-process.js';
import { launchChromium } from '../support/browser.js';
import { county, residentsWhoOwe, thisYear, today } from '../support/demo-residents.js';
import { DEMO_PASSWORD, keepScreenshot, loginPage, seriousViolations, yuanText } from '../support/console-page.js';
import { DemoKioskVisits } from '../support/demo-kiosk-visits.js';
import { makeKioskFixture } from '../updates/kiosk-fixture.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const TERMINAL = 'demo-kiosk-01';
const ROLLOUT_TERMINALS = ['kiosk-roll-01', 'kiosk-roll-02'];
/** A pensioner whose proof of life holds (months were paid to confirm), with a valid card. */
const pensioner = county.residents.find(
  (r) => Number(r.birthDate.slice(0, 4)) + 62 < thisYear && r.certifications.length > 0 && Number(r.certifications.at(-1)!.slice(0, 4)) >= thisYear - 1 && r.card.expiryDate > `${thisYear + 1}-01-01` && r !== county.residents[0],
)!;
const payer = residentsWhoOwe[0]!;

let demo: DemoProcess;
let dataDir: string;
let browser: Browser;
let operator: Page;
let complaintMonth: string;
let operatorToken: string;
let auditorToken: string;

async function api(path: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<{ status: number; json: Json; text: string }> {
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${demo.serverUrl}/api/v1${path}`, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const text = await res.text();
  return { status: res.status, json: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined, text };
}

/** Polls the API until `done` holds for its answer (kiosks relay through their outbox). */
async function untilApi(path: string, done: (json: Json) => boolean): Promise<Json> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { json } = await api(path, { token: auditorToken });
    if (done(json)) return json;
    if (Date.now() > deadline) throw new Error(`${path} never answered as expected: ${JSON.stringify(json)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function checkPage(page: Page, name: string): Promise<void> {
  expect(await seriousViolations(page), `${name}: serious or critical axe violations`).toEqual([]);
  await keepScreenshot(page, name);
}

/** A real JPEG, as a kiosk camera would give one: drawn and encoded by Chromium. */
async function jpegFromChromium(page: Page): Promise<string> {
  return page.evaluate(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 96;
    canvas.height = 128;
    const g = canvas.getContext('2d')!;
    g.fillStyle = '#d9b48f';
    g.fillRect(0, 0, 96, 128);
    g.fillStyle = '#333';
    g.beginPath();
    g.arc(48, 52, 26, 0, Math.PI * 2);
    g.fill();
    return canvas.toDataURL('image/jpeg', 0.8).split(',')[1]!;
  });
}

/** Makes a terminal and enrols it with a key of its own over HTTP, as a kiosk does once; it never connects. */
async function enrolOfflineTerminal(terminalId: string): Promise<void> {
  const created = await api('/terminals', { method: 'POST', token: operatorToken, body: { terminalId, villageCode: county.villages[0]!.code, location: '乡镇仓库' } });
  expect(created.status, created.text).toBe(201);
  const publicKey = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const enrolled = await api('/terminals/enrol', { method: 'POST', body: { terminalId, code: created.json.code, publicKey } });
  expect(enrolled.status, enrolled.text).toBe(201);
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'nb-console-kiosks-'));
  demo = await startDemoProcess(['--data-dir', dataDir, '--server-port', '0', '--kiosk-port', '0', '--card-path', 'in-process']);
  browser = await launchChromium();
  operatorToken = (await api('/login', { method: 'POST', body: { username: 'operator', password: DEMO_PASSWORD } })).json.token;
  auditorToken = (await api('/login', { method: 'POST', body: { username: 'auditor', password: DEMO_PASSWORD } })).json.token;
  operator = await loginPage(browser, demo.consoleUrl, 'operator');
  const kiosk = new DemoKioskVisits(demo.kioskUrl);
  await kiosk.helpRequest();
  complaintMonth = await kiosk.certifyAndComplain(pensioner, await jpegFromChromium(operator));
  await kiosk.payCash(payer);
  await kiosk.emptyCashBox(county.staff[0]!);
  await untilApi('/kiosk-requests?state=open', (j) => j.requests.length === 2);
  await untilApi(`/certification-photos?citizenNumber=${pensioner.citizenNumber}`, (j) => j.photos.length === 1);
  await untilApi(`/collections?terminalId=${TERMINAL}`, (j) => j.collections.length === 1);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

describe('the console over what kiosks send, in Chromium', () => {
  it('Today counts the complaints and help requests waiting, as GET /dashboard does', async () => {
    const d = (await api('/dashboard', { token: auditorToken })).json;
    expect(d.requests).toEqual({ 'pension-complaint': { open: 1, inHand: 0 }, 'help-request': { open: 1, inHand: 0 } });
    await operator.goto(demo.consoleUrl);
    await operator.getByTestId('waiting-pension-complaint').waitFor();
    for (const kind of ['pension-complaint', 'help-request']) {
      expect(await operator.getByTestId(`waiting-${kind}`).textContent()).toBe(`待处理 ${d.requests[kind].open} · 处理中 ${d.requests[kind].inHand}`);
    }
    await checkPage(operator, 'today-requests');
  });

  it('Complaints and help lists GET /kiosk-requests; an operator takes one in hand, then settles it', async () => {
    const open = (await api('/kiosk-requests?state=open', { token: auditorToken })).json.requests;
    await operator.goto(`${demo.consoleUrl}#/requests`);
    await operator.locator('[data-testid=requests] tbody tr').first().waitFor();
    expect(await operator.locator('[data-testid=requests] tbody tr').count()).toBe(open.length);
    const complaint = open.find((r: Json) => r.kind === 'pension-complaint');
    expect(complaint).toMatchObject({ citizenNumber: pensioner.citizenNumber, month: complaintMonth });
    expect(await operator.getByTestId(`request-what-${complaint.id}`).textContent()).toBe(`${complaintMonth} 养老金未收到（发放记录 ${yuanText(complaint.amountFen)} 元）`);
    expect(await operator.locator('[data-testid=requests] tbody').textContent()).not.toContain(pensioner.citizenNumber);
    await checkPage(operator, 'requests');

    await operator.getByTestId(`request-note-${complaint.id}`).fill('已电话联系村协办员');
    await operator.getByTestId(`request-in-hand-${complaint.id}`).click();
    await expect.poll(async () => (await api('/kiosk-requests?kind=pension-complaint', { token: auditorToken })).json.requests[0].state).toBe('in-hand');
    // It left the open list; shown among those in hand, it can only be settled now.
    // The open list stays on screen until the in-hand one has loaded (the same row is in both): poll, not one look.
    await operator.getByTestId('requests-state').selectOption('in-hand');
    await operator.getByTestId(`request-state-${complaint.id}`).waitFor();
    await expect.poll(() => operator.getByTestId(`request-in-hand-${complaint.id}`).count()).toBe(0);
    await operator.getByTestId(`request-note-${complaint.id}`).fill('银行已补发，居民确认收到');
    await operator.getByTestId(`request-settled-${complaint.id}`).click();
    await expect.poll(async () => (await api('/kiosk-requests?kind=pension-complaint', { token: auditorToken })).json.requests[0]).toMatchObject({ state: 'settled', stateBy: 'operator', note: '银行已补发，居民确认收到' });
    await operator.getByTestId('requests-state').selectOption('settled');
    await operator.getByTestId(`request-state-${complaint.id}`).waitFor();
    await expect.poll(() => operator.getByTestId(`request-state-${complaint.id}`).textContent()).toBe('已办结');
    expect(await operator.getByTestId(`request-move-${complaint.id}`).count()).toBe(0);
  });

  it("a resident's page shows the proof-of-life photo the kiosk took, opened by the server", async () => {
    const [photo] = (await api(`/certification-photos?citizenNumber=${pensioner.citizenNumber}`, { token: auditorToken })).json.photos;
    expect(photo.problem).toBeNull();
    await operator.goto(`${demo.consoleUrl}#/residents/${pensioner.citizenNumber}`);
    const figure = operator.getByTestId(`photo-${photo.certificationId}`);
    await figure.locator('img').waitFor();
    expect(await figure.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(96);
    expect(await figure.locator('figcaption').textContent()).toContain(photo.certifiedOn);
    expect(await operator.locator('[data-testid=resident-photos] figure').count()).toBe(1);
    await checkPage(operator, 'resident-photos');
  });

  it('Kiosks: the collection to count shows the API figures; a short count by denomination is recorded and highlighted', async () => {
    const [c] = (await api(`/collections?terminalId=${TERMINAL}`, { token: auditorToken })).json.collections;
    expect(c).toMatchObject({ status: 'in-transit', journalFen: 10_000, ledgerFen: 10_000, countedFen: null });
    await operator.goto(`${demo.consoleUrl}#/kiosks/cash`);
    await operator.getByTestId(`collection-journal-${c.collectionId}`).waitFor();
    expect(await operator.getByTestId(`collection-journal-${c.collectionId}`).textContent()).toBe(yuanText(c.journalFen));
    expect(await operator.getByTestId(`collection-ledger-${c.collectionId}`).textContent()).toBe(yuanText(c.ledgerFen));
    await operator.getByTestId(`collection-open-${c.collectionId}`).click();
    await operator.getByTestId('count-form').waitFor();
    await checkPage(operator, 'kiosk-cash');
    // The office finds two 20-yuan notes and a 50 where the journal says one 100-yuan note.
    await operator.getByTestId('count-2000').fill('2');
    await operator.getByTestId('count-5000').fill('1');
    expect(await operator.getByTestId('count-total').textContent()).toBe('90.00');
    await operator.getByTestId('count-go').click();
    await operator.getByTestId('collection-counted').waitFor();
    const report = (await api(`/reconciliation?collectionId=${c.collectionId}`, { token: auditorToken })).json;
    expect(report).toMatchObject({ status: 'counted', countedFen: 9_000, explained: false });
    const unexplained = report.differences.filter((d: Json) => !d.explained).length;
    expect(unexplained).toBeGreaterThan(0);
    await expect.poll(() => operator.locator('[data-testid=collection-differences] tbody tr.diff-unexplained').count()).toBe(unexplained);
    expect(await operator.locator('[data-testid=collection-differences] tbody tr').count()).toBe(report.differences.length);
    // Counted once: the list no longer offers it to count; the API refuses a second count.
    await expect.poll(() => operator.getByTestId(`collection-open-${c.collectionId}`).count()).toBe(0);
    expect((await api(`/collections/${c.collectionId}/count`, { method: 'POST', token: operatorToken, body: { notes: [{ denominationFen: 10000, count: 1 }] } })).status).toBe(409);
  });

  it("Kiosks: a kiosk's day reconciled as GET /reconciliation says, differences highlighted, with its CSV", async () => {
    const day = (await api(`/reconciliation?terminalId=${TERMINAL}&date=${today}`, { token: auditorToken })).json;
    // The short count above left unexplained differences on this day.
    expect(day.differences.filter((d: Json) => !d.explained).length).toBeGreaterThan(0);
    await operator.goto(`${demo.consoleUrl}#/kiosks/cash`);
    await operator.getByTestId('day-terminal').selectOption(TERMINAL);
    await operator.getByTestId('day-go').click();
    await operator.getByTestId('day-figures').waitFor();
    expect(await operator.getByTestId('day-journal').textContent()).toBe(yuanText(day.journal.amountFen));
    expect(await operator.getByTestId('day-ledger-in').textContent()).toBe(yuanText(day.ledger.inFen));
    expect(await operator.getByTestId('day-collected').textContent()).toBe(yuanText(day.ledger.collectedFen));
    expect(await operator.getByTestId('day-counted').textContent()).toBe(yuanText(day.countedFen));
    expect(await operator.locator('[data-testid=day-differences] tbody tr.diff-unexplained').count()).toBe(day.differences.filter((d: Json) => !d.explained).length);
    expect(await operator.locator('[data-testid=day-differences] tbody tr.diff-explained').count()).toBe(day.differences.filter((d: Json) => d.explained).length);
    await checkPage(operator, 'kiosk-day');
    const download = operator.waitForEvent('download');
    await operator.getByTestId('day-csv').click();
    const csv = readFileSync(await (await download).path(), 'utf8');
    // The file the console saves is the API's (UTF-8 with BOM, which fetch's text() drops).
    expect(csv.startsWith('\ufeffsection,terminalId,date')).toBe(true);
    expect(csv.slice(1)).toBe((await api(`/reconciliation.csv?terminalId=${TERMINAL}&date=${today}`, { token: auditorToken })).text);
  });

  it('Kiosks: lists the alarms the short count raised, as the fleet does, and an operator resolves one', async () => {
    const alarms = (await api(`/terminals/${TERMINAL}`, { token: auditorToken })).json.reconciliationAlarms;
    expect(alarms.length).toBeGreaterThan(0);
    await operator.goto(`${demo.consoleUrl}#/kiosks/cash`);
    await operator.getByTestId(`alarm-amount-${alarms[0].id}`).waitFor();
    expect(await operator.locator('[data-testid=alarms] tbody tr').count()).toBe(alarms.length);
    for (const a of alarms) expect(await operator.getByTestId(`alarm-amount-${a.id}`).textContent()).toBe(yuanText(a.amountFen));
    await operator.getByTestId(`alarm-note-${alarms[0].id}`).fill('清点复核：少一张百元，收款员已补交');
    await operator.getByTestId(`alarm-go-${alarms[0].id}`).click();
    await expect.poll(() => operator.locator('[data-testid=alarms] tbody tr').count()).toBe(alarms.length - 1);
    const after = (await api(`/terminals/${TERMINAL}`, { token: auditorToken })).json.reconciliationAlarms;
    expect(after.map((a: Json) => a.id)).toEqual(alarms.slice(1).map((a: Json) => a.id));
  });

  it('Kiosks: a rollout starts with a canary share, shows each terminal as the API does, refuses promotion and halts', async () => {
    for (const id of ROLLOUT_TERMINALS) await enrolOfflineTerminal(id);
    // Published on the server machine as an operator does it.
    const fixture = makeKioskFixture();
    const bundle = await fixture.bundle('9.9.0');
    await promisify(execFile)(process.execPath, [join(REPO_ROOT, 'bin/nongbao.mjs'), 'release', 'publish', '--trusted-keys', fixture.keys.trustedDir, '--db', join(dataDir, 'server.sqlite'), bundle], { cwd: REPO_ROOT });
    await operator.goto(`${demo.consoleUrl}#/kiosks/updates`);
    await operator.locator('[data-testid=releases] tbody tr').getByText('9.9.0').waitFor();
    await operator.getByTestId('rollout-version').selectOption('9.9.0');
    await operator.getByTestId('rollout-canary').fill('50');
    await operator.getByTestId('rollout-chosen').check();
    for (const id of ROLLOUT_TERMINALS) await operator.getByTestId(`rollout-terminal-${id}`).check();
    await operator.getByTestId('rollout-go').click();
    const rollout = (await untilApi('/rollouts', (j) => j.rollouts.length === 1)).rollouts[0];
    expect(rollout).toMatchObject({ version: '9.9.0', canaryPercent: 50, phase: 'canary', createdBy: 'operator' });
    expect(rollout.terminals.map((t: Json) => t.terminalId).sort()).toEqual(ROLLOUT_TERMINALS);
    await operator.getByTestId(`rollout-${rollout.rolloutId}`).waitFor();
    for (const t of rollout.terminals) {
      expect(await operator.getByTestId(`rollout-state-${t.terminalId}`).textContent()).toBe(t.state === 'offered' ? '已通知' : '等待');
    }
    expect(rollout.terminals.filter((t: Json) => t.wave === 'canary')).toHaveLength(1);
    expect(await operator.getByTestId(`rollout-progress-${rollout.rolloutId}`).textContent()).toBe(`已正常运行 ${rollout.counts.healthy} / ${rollout.terminals.length} 台`);
    await checkPage(operator, 'kiosk-updates');
    // The canary never reported healthy: the server refuses to promote, and the page says why.
    await operator.getByTestId(`promote-${rollout.rolloutId}`).click();
    await operator.locator('[data-testid=error][data-code=canary-not-healthy]').waitFor();
    await operator.getByTestId(`halt-reason-${rollout.rolloutId}`).fill('试点终端离线，暂停推送');
    await operator.getByTestId(`halt-${rollout.rolloutId}`).click();
    await expect.poll(async () => (await api(`/rollouts/${rollout.rolloutId}`, { token: auditorToken })).json).toMatchObject({ phase: 'halted', haltReason: '试点终端离线，暂停推送' });
    await expect.poll(() => operator.getByTestId(`halt-${rollout.rolloutId}`).count()).toBe(0);
    expect(await operator.getByTestId(`rollout-${rollout.rolloutId}`).locator('h2').textContent()).toBe('版本 9.9.0：已停止');
  });

  it('gives an auditor no write control on these pages, and the API refuses their writes', async () => {
    const auditor = await loginPage(browser, demo.consoleUrl, 'auditor');
    const writeControls =
      '[data-testid^=request-move-], [data-testid=count-form], [data-testid=count-go], [data-testid=rollout-start], [data-testid=rollout-go], [data-testid^=promote-], [data-testid^=halt-], form.inline button, [data-testid=enrol-go], [data-testid^=alarm-resolve-]';
    const [photo] = (await api(`/certification-photos?citizenNumber=${pensioner.citizenNumber}`, { token: auditorToken })).json.photos;
    // A rollout in its canary phase (an operator would see promote and halt on it); a help request still open.
    const live = await api('/rollouts', { method: 'POST', token: operatorToken, body: { version: '9.9.0', terminalIds: ROLLOUT_TERMINALS, canaryPercent: 50 } });
    expect(live.status, live.text).toBe(201);
    expect((await api('/kiosk-requests?state=open', { token: auditorToken })).json.requests).toHaveLength(1);
    const pages: Array<[string, string]> = [
      ['#/requests', 'requests'],
      [`#/residents/${pensioner.citizenNumber}`, `photo-${photo.certificationId}`],
      ['#/kiosks/cash', 'alarms'],
      ['#/kiosks/updates', `rollout-${live.json.rolloutId}`],
    ];
    for (const [path, ready] of pages) {
      await auditor.goto(`${demo.consoleUrl}${path}`);
      await auditor.getByTestId(ready).first().waitFor();
      expect(await auditor.locator(writeControls).count(), path).toBe(0);
    }
    // The collection list shows its rows to an auditor, and opening one shows no count form.
    await auditor.goto(`${demo.consoleUrl}#/kiosks/cash`);
    await auditor.getByTestId('collections-to-count').uncheck();
    await auditor.locator('[data-testid^=collection-open-]').first().click();
    await auditor.getByTestId('collection-detail').waitFor();
    expect(await auditor.locator(writeControls).count()).toBe(0);
    await checkPage(auditor, 'kiosk-cash-auditor');
    const help = (await api('/kiosk-requests?kind=help-request', { token: auditorToken })).json.requests[0];
    expect((await api(`/kiosk-requests/${help.id}/state`, { method: 'POST', token: auditorToken, body: { state: 'in-hand', note: 'not mine to do' } })).status).toBe(403);
    const [c] = (await api('/collections', { token: auditorToken })).json.collections;
    expect((await api(`/collections/${c.collectionId}/count`, { method: 'POST', token: auditorToken, body: { notes: [] } })).status).toBe(403);
    expect((await api('/rollouts', { method: 'POST', token: auditorToken, body: { version: '9.9.0' } })).status).toBe(403);
    await auditor.context().close();
  });
});
