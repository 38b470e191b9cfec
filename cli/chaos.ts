// `nongbao chaos`: money exactly once, proven under faults (issue 11 section 7).
//
//   nongbao chaos --seed N [--terminals K] [--payments P] [--json] [--keep] [--data-dir DIR]
//                 [--db sqlite|postgres] [--gateways G]   G gateways on PostgreSQL behind a balancer
//   nongbao chaos --seed N --schedule          print the schedule only (and its digest)
//   nongbao chaos --backlog [--seed N] [--terminals 50] [--events 10000] [--json]
//
// Runs the real server process, K real terminal processes with their bill
// acceptor and printer simulators on socat pseudo-terminals (in a process of
// their own that outlives every kill), and a proxy per kiosk; a seeded
// schedule of residents' payments with faults; then checks
// the money from every source and exits non-zero on any violation, naming it
// and the fault behind it. The code lives in cli/chaos/ (one job per module:
// schedule, processes, proxy, faults, visits, checks, report, backlog).
//
// `nongbao chaos server-process`, `terminal-process` and `devices-process`
// are the processes a run starts (cli/chaos/entries.ts, devices.ts): chaos
// only, never a kiosk's.
import { z } from 'zod';
import { booleanField, loadConfig, parseFlags } from '@nongbao/server/config';
import { PRINTER_SIMULATOR_RECEIPT_LIMIT } from '@nongbao/drivers/escpos';
import { buildSchedule, faultLabel } from './chaos/schedule.js';
import { formatReport, reportJson } from './chaos/report.js';
import { CHAOS_GATEWAYS_LIMIT } from './chaos/gateways.js';

const seedField = z.coerce.number().int().min(0).max(0xffff_ffff);

const chaosSchema = z.object({
  seed: seedField,
  terminals: z.coerce.number().int().min(1).max(16).default(3),
  payments: z.coerce.number().int().min(1).max(2_000).default(24),
  json: booleanField(false),
  keep: booleanField(false),
  dataDir: z.string().min(1).optional(),
  /** Gateway processes behind a balancer (issue 15 section 3); more than one needs --db postgres. */
  gateways: z.coerce.number().int().min(1).max(CHAOS_GATEWAYS_LIMIT).default(1),
  /** The server's database: the run's SQLite file, or a throwaway PostgreSQL cluster the run starts and stops. */
  db: z.enum(['sqlite', 'postgres']).default('sqlite'),
  /** Print the schedule and its digest, run nothing. */
  schedule: booleanField(false),
});

const backlogSchema = z.object({
  backlog: booleanField(true),
  seed: seedField.default(1),
  terminals: z.coerce.number().int().min(1).max(100).default(50),
  events: z.coerce.number().int().min(1).max(50_000).default(10_000),
  json: booleanField(false),
  keep: booleanField(false),
  dataDir: z.string().min(1).optional(),
});

export async function chaosCommand(argv: string[]): Promise<number> {
  const { positional, flags } = parseFlags(argv);
  const rest = argv.slice(1);
  if (positional[0] === 'server-process') return (await import('./chaos/entries.js')).chaosServerProcess(rest);
  if (positional[0] === 'terminal-process') return (await import('./chaos/entries.js')).chaosTerminalProcess(rest);
  if (positional[0] === 'devices-process') return (await import('./chaos/devices.js')).chaosDevicesProcess(rest);
  if (positional.length > 0) {
    process.stderr.write(`nongbao chaos: unknown argument "${positional[0]}"\n`);
    return 2;
  }
  const startedMs = Date.now();
  const progress = (line: string) => process.stderr.write(`chaos [${((Date.now() - startedMs) / 1000).toFixed(1).padStart(5)} s]: ${line}\n`);
  if (flags.has('--backlog')) {
    const config = loadConfig(backlogSchema, argv);
    const { runBacklog, formatBacklog } = await import('./chaos/backlog.js');
    const report = await runBacklog({ ...config, progress }).catch(couldNotRun);
    if (!report) return 2;
    process.stdout.write(config.json ? `${JSON.stringify(report, null, 2)}\n` : formatBacklog(report));
    return report.passed ? 0 : 1;
  }
  const config = loadConfig(chaosSchema, argv);
  if (config.gateways > 1 && config.db !== 'postgres') {
    process.stderr.write('nongbao chaos: several gateways share a PostgreSQL database: add --db postgres\n');
    return 2;
  }
  if (Math.ceil(config.payments / config.terminals) > PRINTER_SIMULATOR_RECEIPT_LIMIT) {
    // The printer simulator keeps its last receipts only: a provisional receipt must not fall out of the evidence.
    process.stderr.write(`nongbao chaos: at most ${PRINTER_SIMULATOR_RECEIPT_LIMIT} payments per terminal (a printer simulator keeps that many receipts)\n`);
    return 2;
  }
  if (config.schedule) {
    const schedule = buildSchedule(config);
    if (config.json) process.stdout.write(`${JSON.stringify(schedule, null, 2)}\n`);
    else {
      process.stdout.write(`seed ${schedule.seed}, ${schedule.terminals} terminal(s), ${schedule.payments} payment(s): schedule ${schedule.digest}\n`);
      for (const v of schedule.visits) process.stdout.write(`  #${v.index} kiosk ${v.terminal + 1} resident ${v.resident} tier ${v.tierIndex} ${v.ending}: ${faultLabel(v.fault)}\n`);
    }
    return 0;
  }
  const { runChaos } = await import('./chaos/run.js');
  const { db: engine, ...options } = config;
  const report = await runChaos({ ...options, engine, progress }).catch(couldNotRun);
  if (!report) return 2;
  process.stdout.write(config.json ? reportJson(report) : formatReport(report));
  return report.passed ? 0 : 1;
}

/** The harness itself failed (a process that would not start, a port taken): exit 2, not a verdict on the money. */
function couldNotRun(error: unknown): undefined {
  process.stderr.write(`nongbao chaos: the run could not be carried out: ${error instanceof Error ? error.message : String(error)}\n`);
  return undefined;
}
