// `nongbao kiosk ...`: a kiosk's software under its supervisor (issue 13
// section 3; docs/updates.md).
//   kiosk install --root DIR --trusted-keys DIR --model M [--threshold 2] BUNDLE
//   kiosk run --root DIR [--health-gate-timeout-ms N] -- <the release's arguments, e.g. terminal --server-url ...>
//   kiosk status --root DIR
import { z } from 'zod';
import { loadConfig, logLevelField, parseFlags } from '@nongbao/server/config';
import { createLogger } from '@nongbao/server/log';
import { isReleaseError, kioskModelSchema } from '@nongbao/protocol/release';
import { HEALTH_GATE_TIMEOUT_MS, KioskRoot, Supervisor, installKiosk, readSupervisorState } from '@nongbao/terminal/updates';
import { thresholdField } from './release.js';

const installSchema = z.object({ root: z.string().min(1), trustedKeys: z.string().min(1), model: kioskModelSchema, threshold: thresholdField });
const runSchema = z.object({
  root: z.string().min(1),
  healthGateTimeoutMs: z.coerce.number().int().min(1_000).max(600_000).default(HEALTH_GATE_TIMEOUT_MS),
  logLevel: logLevelField(),
});
const statusSchema = z.object({ root: z.string().min(1) });

async function install(argv: string[], positional: string[]): Promise<number> {
  if (positional.length !== 1) {
    process.stderr.write('usage: nongbao kiosk install --root DIR --trusted-keys DIR --model M [--threshold 2] BUNDLE\n');
    return 2;
  }
  const c = loadConfig(installSchema, argv);
  const result = await installKiosk(c.root, c.trustedKeys, { model: c.model, threshold: c.threshold }, positional[0]!);
  if (!result.ok) {
    process.stdout.write(`${result.reason}: ${result.detail}\n`);
    return 1;
  }
  process.stdout.write(`installed ${result.version} in ${c.root}; start it with: nongbao kiosk run --root ${c.root} -- terminal ...\n`);
  return 0;
}

async function run(argv: string[], releaseArgs: string[]): Promise<number> {
  const c = loadConfig(runSchema, argv);
  const logger = createLogger({ name: 'supervisor', level: c.logLevel });
  const supervisor = new Supervisor({ root: new KioskRoot(c.root), args: releaseArgs, logger, healthGateTimeoutMs: c.healthGateTimeoutMs });
  const onSignal = (signal: NodeJS.Signals): void => {
    logger.info({ event: 'supervisor.stopping', signal });
    void supervisor.stop();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  await supervisor.start();
  return supervisor.done;
}

function status(argv: string[]): number {
  const c = loadConfig(statusSchema, argv);
  const state = readSupervisorState(new KioskRoot(c.root));
  if (!state) {
    process.stderr.write(`${c.root} is not an installed kiosk\n`);
    return 1;
  }
  process.stdout.write(`${JSON.stringify({ current: state.current, previous: state.previous, highestTrusted: state.highestTrusted, trial: state.trial, lastSwitch: state.switches.at(-1) ?? null }, null, 2)}\n`);
  return 0;
}

export async function kioskCommand(argv: string[]): Promise<number> {
  const split = argv.indexOf('--');
  const own = split >= 0 ? argv.slice(0, split) : argv;
  const releaseArgs = split >= 0 ? argv.slice(split + 1) : [];
  const { positional } = parseFlags(own);
  const [name, ...rest] = positional;
  const args = own.filter((a) => a !== name);
  try {
    if (name === 'install') return await install(args, rest);
    if (name === 'run' && rest.length === 0) return await run(args, releaseArgs);
    if (name === 'status') return status(args);
  } catch (error) {
    if (isReleaseError(error)) {
      process.stderr.write(`nongbao kiosk ${name}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  process.stderr.write('usage: nongbao kiosk install|run|status --root DIR ... (see nongbao --help)\n');
  return 2;
}
