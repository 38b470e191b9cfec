// The office console's reads on a county of 500 000 residents (issue 14
// "Benchmarks"): resident search and a village's coverage, p50 and p99 per
// request over HTTP (the API router on a real port, as the console calls
// it), and the console's first-load bundle size. `--quick`: 50 000.
//
// Baselines, same run: the bare SQLite query that returns the same rows
// (no router, no JSON, no masking), and an HTTP request that does nothing
// (GET /runs/progress), so that a ratio says what the route adds.
//
// The county: 500 villages of 1 000 residents, born 1940-2005, names from
// common surnames and given names (so a surname prefix matches about a
// tenth of the county), two thirds of those under 60 paid this year.
// Written straight into the registry tables (the reads under test touch no
// ledger account).
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import express from 'express';
import type { BenchResult } from '../../cli/bench.js';
import { consoleDistDir } from '../../console/src/dist-path.js';
import { createApiRouter } from '../src/api/index.js';
import { openDatabase } from '../src/db.js';
import { Ledger } from '../src/ledger/index.js';
import { citizenCheckChar, resolvePolicy } from '../src/policy/index.js';
import { createRegistry } from '../src/registry/index.js';
import { shanghaiMidnightMs } from '../src/registry/time.js';
import { createRuns } from '../src/runs/index.js';

const FULL_RESIDENTS = 500_000;
const QUICK_RESIDENTS = 50_000;
const PER_VILLAGE = 1_000;
const YEAR = 2024;
const TODAY = '2024-09-01';
const SAMPLES = 400;
const QUICK_SAMPLES = 100;
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴'];
const GIVEN = ['德明', '建国', '志强', '国华', '文斌', '永福', '秀英', '桂兰', '玉珍', '淑芬', '春梅', '丽华'];
/** First-load bundle (gzip) the console stays under. */
const FIRST_LOAD_GZIP_TARGET_KB = 150;
/** What a route may add to its bare query plus an empty request, at p99. */
const ROUTE_OVERHEAD_FACTOR = 4;

function citizenNumber(i: number): string {
  const year = 1940 + (i % 66);
  const month = String(1 + (Math.floor(i / 66) % 12)).padStart(2, '0');
  const day = String(1 + (Math.floor(i / 792) % 28)).padStart(2, '0');
  const region = String(510000 + Math.floor(i / 22_176)).padStart(6, '0');
  const serial = String(i % 1000).padStart(3, '0');
  const first17 = `${region}${year}${month}${day}${serial}`;
  return `${first17}${citizenCheckChar(first17)}`;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

async function timed(samples: number, work: (i: number) => Promise<unknown> | unknown): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 10; i++) await work(i); // warm the caches and the JIT
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = process.hrtime.bigint();
    await work(i);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

function seedCounty(db: ReturnType<typeof openDatabase>, residents: number): void {
  const village = db.prepare('INSERT INTO reg_villages (code, name, county_code) VALUES (?, ?, ?)');
  const eligible = db.prepare("INSERT INTO reg_village_eligible_populations (village_code, year, eligible_persons, set_by, set_at) VALUES (?, ?, ?, 'bench', '2024-01-01')");
  const person = db.prepare(
    `INSERT INTO reg_persons (citizen_number, name, birth_date, village_code, registered_at, enrolled_on, bank_account) VALUES (?, ?, ?, ?, '2010-07-01', '2010-07-01', '6222')`,
  );
  const contribution = db.prepare(
    `INSERT INTO reg_contributions (id, citizen_number, year, tier_yuan, payer, channel, paid_at, individual_fen, collective_fen, aid_fen, government_fen)
     VALUES (?, ?, ?, 100, 'individual', 'counter', ?, 10000, 0, 0, 3000)`,
  );
  const villages = Math.ceil(residents / PER_VILLAGE);
  db.transaction(() => {
    for (let v = 0; v < villages; v++) {
      const code = `5100${String(v).padStart(8, '0')}`;
      village.run(code, `第${v}村`, '510000');
      eligible.run(code, YEAR, PER_VILLAGE + 50);
    }
    for (let i = 0; i < residents; i++) {
      const cn = citizenNumber(i);
      const born = `${cn.slice(6, 10)}-${cn.slice(10, 12)}-${cn.slice(12, 14)}`;
      const name = SURNAMES[i % SURNAMES.length]! + GIVEN[Math.floor(i / 10) % GIVEN.length]!;
      person.run(cn, name, born, `5100${String(Math.floor(i / PER_VILLAGE)).padStart(8, '0')}`);
      if (Number(born.slice(0, 4)) > YEAR - 60 && i % 3 !== 0) {
        const paidMs = shanghaiMidnightMs(`${YEAR}-03-01`) + (i % 150) * 86_400_000;
        contribution.run(`bench-${i}`, cn, YEAR, new Date(paidMs).toISOString());
      }
    }
  })();
}

/** The console's first load: index.html and the scripts and styles it names (not the lazily loaded chart). */
function firstLoadBytes(): { raw: number; gzip: number; files: number } | null {
  const index = join(consoleDistDir, 'index.html');
  if (!existsSync(index)) return null;
  const html = readFileSync(index, 'utf8');
  const assets = [...html.matchAll(/(?:src|href)="\/admin\/(assets\/[^"]+)"/g)].map((m) => join(consoleDistDir, m[1]!));
  let raw = Buffer.byteLength(html);
  let gzip = gzipSync(html).length;
  for (const file of assets) {
    raw += statSync(file).size;
    gzip += gzipSync(readFileSync(file)).length;
  }
  return { raw, gzip, files: assets.length + 1 };
}

export default async function consoleBench(ctx: { quick: boolean }): Promise<BenchResult> {
  const residents = ctx.quick ? QUICK_RESIDENTS : FULL_RESIDENTS;
  const samples = ctx.quick ? QUICK_SAMPLES : SAMPLES;
  const dir = mkdtempSync(join(tmpdir(), 'nongbao-console-bench-'));
  let server: Server | undefined;
  try {
    const db = openDatabase(join(dir, 'server.sqlite'));
    const ledger = Ledger.openSqlite(db);
    const policy = resolvePolicy('xinnongbao-2009', {});
    const nowMs = shanghaiMidnightMs(TODAY) + 12 * 3_600_000;
    const registry = createRegistry({ db, ledger, policy, schemeStart: '2010-07-01', now: () => nowMs });
    const runs = createRuns(registry);
    const setupStart = Date.now();
    seedCounty(db, residents);
    db.prepare('ANALYZE').run();
    const setupSeconds = (Date.now() - setupStart) / 1000;
    registry.users.createUser('bench.audit', 'bench-auditor-password-1', 'auditor');
    const app = express();
    app.use('/api/v1', createApiRouter({ db, ledger, policy, schemeStart: '2010-07-01', registry, runs }));
    server = createServer(app);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
    const login = await fetch(`${base}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench.audit', password: 'bench-auditor-password-1' }) });
    const token = ((await login.json()) as { token: string }).token;
    const get = async (path: string): Promise<unknown> => {
      const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return res.json();
    };
    const villages = Math.ceil(residents / PER_VILLAGE);
    const villageCode = (i: number) => `5100${String((i * 37) % villages).padStart(8, '0')}`;
    const prefix = (i: number) => SURNAMES[i % SURNAMES.length]! + GIVEN[(i * 7) % GIVEN.length]!.slice(0, 1);

    const empty = await timed(samples, () => get('/runs/progress'));
    const namePage = await timed(samples, (i) => get(`/persons?q=${encodeURIComponent(prefix(i))}&sort=name&limit=20`));
    const bareName = db.prepare('SELECT citizen_number, name, birth_date, village_code FROM reg_persons WHERE name >= ? AND name < ? ORDER BY name, citizen_number LIMIT 21');
    const bareNamePage = await timed(samples, (i) => bareName.all(prefix(i), `${prefix(i)}\u{10FFFF}`));
    const numberPage = await timed(samples, (i) => get(`/persons?q=${citizenNumber((i * 7919) % residents).slice(0, 14)}&limit=20`));
    // A village browsed in name order, 40 pages deep (keyset: each page one index range).
    const cursors: string[] = [];
    let after: string | null = null;
    for (let p = 0; p < 40; p++) {
      const page = (await get(`/persons?villageCode=${villageCode(3)}&sort=name&limit=20${after ? `&after=${after}` : ''}`)) as { next: string | null };
      after = page.next;
      if (after) cursors.push(after);
    }
    const deepPage = await timed(samples, (i) => get(`/persons?villageCode=${villageCode(3)}&sort=name&limit=20&after=${cursors[cursors.length - 1 - (i % 5)]}`));
    const coverage = await timed(samples, (i) => get(`/villages/${villageCode(i)}/coverage?year=${YEAR}`));
    const bareCoverage = db.prepare(
      `SELECT COUNT(*) AS enrolled, SUM(EXISTS (SELECT 1 FROM reg_contributions c WHERE c.citizen_number = p.citizen_number AND c.year = ?)) AS contributed
       FROM reg_persons p WHERE p.village_code = ?`,
    );
    const bareCoverageTimes = await timed(samples, (i) => bareCoverage.get(YEAR, villageCode(i)));
    const bundle = firstLoadBytes();
    const ms = (name: string, value: number) => ({ name, value, unit: 'ms' });
    const within = (route: { p99: number }, bare: { p99: number }) => route.p99 <= ROUTE_OVERHEAD_FACTOR * (bare.p99 + empty.p99);
    return {
      name: `office console reads, county of ${residents.toLocaleString('en-US')} residents`,
      measurements: [
        ms('search by name prefix, page 1, p50', namePage.p50),
        ms('search by name prefix, page 1, p99', namePage.p99),
        ms('search by citizen-number prefix, p50', numberPage.p50),
        ms('search by citizen-number prefix, p99', numberPage.p99),
        ms('village by name, page 40, p50', deepPage.p50),
        ms('village by name, page 40, p99', deepPage.p99),
        ms('village coverage, p50', coverage.p50),
        ms('village coverage, p99', coverage.p99),
        ...(bundle
          ? [
              { name: 'console first load, raw', value: bundle.raw / 1024, unit: 'KB' },
              { name: 'console first load, gzip', value: bundle.gzip / 1024, unit: 'KB' },
            ]
          : []),
      ],
      baselines: [
        ms('empty request (GET /runs/progress), p50', empty.p50),
        ms('empty request (GET /runs/progress), p99', empty.p99),
        ms('bare SQLite name-prefix page, p50', bareNamePage.p50),
        ms('bare SQLite name-prefix page, p99', bareNamePage.p99),
        ms('bare SQLite village counts, p50', bareCoverageTimes.p50),
        ms('bare SQLite village counts, p99', bareCoverageTimes.p99),
      ],
      targets: [
        { description: `name search p99 <= ${ROUTE_OVERHEAD_FACTOR} x (bare query p99 + empty request p99)`, met: within(namePage, bareNamePage) },
        { description: `page 40 of a village p99 <= ${ROUTE_OVERHEAD_FACTOR} x (bare name-prefix query p99 + empty request p99) (keyset: depth costs nothing)`, met: within(deepPage, bareNamePage) },
        { description: `village coverage p99 <= ${ROUTE_OVERHEAD_FACTOR} x (bare counts p99 + empty request p99)`, met: within(coverage, bareCoverageTimes) },
        { description: `console first load <= ${FIRST_LOAD_GZIP_TARGET_KB} KB gzipped`, met: bundle !== null && bundle.gzip / 1024 <= FIRST_LOAD_GZIP_TARGET_KB },
      ],
      notes: [
        `setup (rows written straight, ANALYZE) ${setupSeconds.toFixed(1)} s; ${samples} requests per measurement`,
        bundle ? `first load: ${bundle.files} files (index.html, script, style); the chart library loads on first use` : 'console not built: run npm run build:console for the bundle size',
      ],
    };
  } finally {
    if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  }
}
