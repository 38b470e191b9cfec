// `nongbao virtual-card --profile FILE [--slot 0|1]`: serves a virtual card
// on vpcd until SIGINT/SIGTERM (issue #3 §3). The lead dispatches to
// virtualCardCommand(argv) from the root CLI.
import { readFile } from 'node:fs/promises';
import { pino } from 'pino';
import { isCardError } from './errors.js';
import { parseVirtualCardProfile } from './profile.js';
import { VirtualCard } from './simulator.js';
import { runVpcdClient, vpcdPort, vpcdReaderName, VPCD_HOST } from './vpcd.js';

export const VIRTUAL_CARD_USAGE = 'usage: nongbao virtual-card --profile FILE [--slot 0|1] [--host 127.0.0.1]';

export interface VirtualCardArgs {
  profilePath: string;
  slot: 0 | 1;
  host: string;
}

/** Parses the command's arguments; returns an error message instead of throwing. */
export function parseVirtualCardArgs(argv: string[]): VirtualCardArgs | string {
  let profilePath: string | undefined;
  let slot: 0 | 1 = 0;
  let host = VPCD_HOST;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    if (flag === '--profile') profilePath = value();
    else if (flag === '--slot') {
      const v = value();
      if (v !== '0' && v !== '1') return `--slot must be 0 or 1, got ${v ?? '(nothing)'}`;
      slot = v === '0' ? 0 : 1;
    } else if (flag === '--host') host = value() ?? '';
    else if (flag === '--help' || flag === '-h') return VIRTUAL_CARD_USAGE;
    else return `unknown argument ${arg}`;
  }
  if (!profilePath) return '--profile FILE is required';
  if (!host) return '--host needs a value';
  return { profilePath, slot, host };
}

export async function virtualCardCommand(argv: string[]): Promise<number> {
  const args = parseVirtualCardArgs(argv);
  if (typeof args === 'string') {
    console.error(args === VIRTUAL_CARD_USAGE ? args : `${args}\n${VIRTUAL_CARD_USAGE}`);
    return args === VIRTUAL_CARD_USAGE ? 0 : 2;
  }
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' }, pino.destination(2));
  let card: VirtualCard;
  try {
    card = new VirtualCard(parseVirtualCardProfile(await readFile(args.profilePath, 'utf8')));
  } catch (error) {
    console.error(`cannot load profile ${args.profilePath}: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const port = vpcdPort(args.slot);
  console.log(
    `virtual ${card.profile.kind} card ${card.profile.card.cardNumber} in slot ${args.slot} ("${vpcdReaderName(args.slot)}", vpcd ${args.host}:${port}); Ctrl-C removes it`,
  );
  try {
    await runVpcdClient(card, { host: args.host, port, signal: controller.signal, logger, reconnect: true });
    console.log('virtual card removed');
    return 0;
  } catch (error) {
    console.error(`virtual card stopped: ${isCardError(error) ? error.message : String(error)}`);
    return 1;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
