// `nongbao bench [--quick] [FILTER]`: runs every `*/bench/*.bench.ts`, writes
// each result as JSON under bench-results/ and prints one table.
//
// A bench file's default export is a BenchFn. Targets are stated as ratios
// against a baseline measured in the same run, since the machines are shared.
import { readdirSync, mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface BenchMeasurement {
  name: string;
  value: number;
  unit: string;
}

export interface BenchTarget {
  /** What is promised, e.g. "batched transfers >= 50% of raw inserts". */
  description: string;
  met: boolean;
}

export interface BenchResult {
  name: string;
  measurements: BenchMeasurement[];
  /** The same-run baseline(s) the targets are relative to. */
  baselines: BenchMeasurement[];
  targets: BenchTarget[];
  notes?: string[];
}

export type BenchFn = (ctx: { quick: boolean }) => Promise<BenchResult | BenchResult[]>;

const PACKAGES = ['drivers', 'server', 'terminal', 'tests'];

function findBenchFiles(root: string, filter: string | undefined): string[] {
  const files: string[] = [];
  for (const pkg of PACKAGES) {
    const dir = join(root, pkg, 'bench');
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir).sort()) {
      if (!entry.endsWith('.bench.ts')) continue;
      if (filter && !entry.includes(filter)) continue;
      files.push(join(dir, entry));
    }
  }
  return files;
}

/** How this process was started: the V8 settings change the numbers (bin/nongbao.mjs explains the one we set). */
function runtime(): { node: string; nodeFlags: string[] } {
  const fromEnv = (process.env.NODE_OPTIONS ?? '').split(/\s+/).filter((f) => f.startsWith('--'));
  return { node: process.version, nodeFlags: [...process.execArgv.filter((f) => f.startsWith('--') && !f.startsWith('--import')), ...fromEnv] };
}

function formatValue(m: BenchMeasurement): string {
  const digits = Math.abs(m.value) >= 100 ? 0 : Math.abs(m.value) >= 1 ? 2 : 4;
  return `${m.value.toFixed(digits)} ${m.unit}`;
}

export async function runBench(argv: string[]): Promise<number> {
  const quick = argv.includes('--quick');
  const filter = argv.find((a) => !a.startsWith('--'));
  const root = resolve(import.meta.dirname, '..');
  const outDir = join(root, 'bench-results');
  mkdirSync(outDir, { recursive: true });
  const files = findBenchFiles(root, filter);
  if (files.length === 0) {
    console.error(`no bench files found${filter ? ` matching ${filter}` : ''}`);
    return 1;
  }
  const env = runtime();
  if (!env.nodeFlags.some((f) => f.startsWith('--max-semi-space-size'))) {
    console.error('note: started without --max-semi-space-size, unlike the server (npm run bench or ./bin/nongbao.mjs set it)');
  }
  const all: BenchResult[] = [];
  for (const file of files) {
    console.error(`running ${file}`);
    const mod = (await import(pathToFileURL(file).href)) as { default: BenchFn };
    const result = await mod.default({ quick });
    const results = Array.isArray(result) ? result : [result];
    for (const r of results) {
      writeFileSync(join(outDir, `${r.name}.json`), JSON.stringify({ ...r, at: new Date().toISOString(), quick, runtime: env }, null, 2));
      all.push(r);
    }
  }
  const lines: string[] = [];
  lines.push('| bench | measurement | value |', '|---|---|---|');
  for (const r of all) {
    for (const m of r.baselines) lines.push(`| ${r.name} | baseline: ${m.name} | ${formatValue(m)} |`);
    for (const m of r.measurements) lines.push(`| ${r.name} | ${m.name} | ${formatValue(m)} |`);
    for (const t of r.targets) lines.push(`| ${r.name} | target: ${t.description} | ${t.met ? 'met' : 'NOT MET'} |`);
  }
  lines.push('', `node ${env.node}, flags: ${env.nodeFlags.join(' ') || '(none)'}`);
  const table = lines.join('\n');
  writeFileSync(join(outDir, 'summary.md'), `${table}\n`);
  console.log(table);
  return 0;
}
