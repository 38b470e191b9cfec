// CLI: a ccTalk bill validator simulator as its own process on a serial port
// or pty (issue #4 §5).
//
//   node --import tsx drivers/src/cctalk/simulator-main.ts --port /dev/pts/7 \
//        [--mode simple8|crc16] [--echo] [--escrow-timeout-ms 10000] [--script FILE]
//
// A script has one step per line, `<delayMs> <op> [arg]`, run in order:
//   1000 insertNote 50
//   500  jam unsafe
// Ops: insertNote Y, jam [unsafe|safe|stacker], clearJam, removeStacker,
// insertStacker, fillStacker, fraud opto|string|pulledBack, powerCycle,
// setUnresponsive on|off, stackedYuan, state, injectHex HEX.
// The same ops arrive on stdin as JSON lines (see device/simulator-process.ts).
import { parseArgs } from 'node:util';
import pino from 'pino';
import { openSerialLink } from '../device/link.js';
import { serveSimulator } from '../device/simulator-process.js';
import { CCTALK_BAUD_RATE } from './constants.js';
import { BillValidatorSimulator } from './simulator.js';

export async function runBillValidatorCommand(sim: BillValidatorSimulator, op: string, args: unknown[]): Promise<unknown> {
  const str = (i: number) => String(args[i] ?? '');
  switch (op) {
    case 'insertNote': {
      const yuan = Number(args[0]);
      if (!Number.isInteger(yuan) || yuan <= 0) throw new Error(`insertNote needs a positive integer yuan, got ${String(args[0])}`);
      return sim.insertNote(yuan);
    }
    case 'jam': {
      const kind = str(0) || 'unsafe';
      if (kind !== 'unsafe' && kind !== 'safe' && kind !== 'stacker') throw new Error(`jam kind ${kind} unknown`);
      return sim.jam(kind);
    }
    case 'clearJam':
      return sim.clearJam();
    case 'removeStacker':
      return sim.removeStacker();
    case 'insertStacker':
      return sim.insertStacker();
    case 'fillStacker':
      return sim.fillStacker();
    case 'fraud': {
      const kind = str(0);
      if (kind !== 'opto' && kind !== 'string' && kind !== 'pulledBack') throw new Error(`fraud kind ${kind} unknown`);
      return sim.fraud(kind);
    }
    case 'powerCycle':
      return sim.powerCycle();
    case 'setUnresponsive':
      return sim.setUnresponsive(args[0] === true || args[0] === 'true' || args[0] === 'on');
    case 'stackedYuan':
      return sim.stackedYuan();
    case 'state':
      return sim.state();
    case 'injectHex': {
      const hex = str(0);
      if (!/^([0-9a-fA-F]{2})+$/.test(hex)) throw new Error('injectHex needs an even-length hex string');
      return sim.injectBytes(Buffer.from(hex, 'hex'));
    }
    default:
      throw new Error(`unknown op ${op}`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      mode: { type: 'string', default: 'simple8' },
      echo: { type: 'boolean', default: false },
      'escrow-timeout-ms': { type: 'string' },
      script: { type: 'string' },
    },
  });
  const log = pino({ level: process.env['LOG_LEVEL'] ?? 'info' }, pino.destination(2));
  const mode = values.mode === 'crc16' ? 'crc16' : values.mode === 'simple8' ? 'simple8' : undefined;
  if (!values.port || !mode) {
    log.fatal('usage: simulator-main.ts --port PATH [--mode simple8|crc16] [--echo] [--escrow-timeout-ms N] [--script FILE]');
    process.exit(2);
  }
  const escrowTimeoutMs = values['escrow-timeout-ms'] === undefined ? undefined : Number(values['escrow-timeout-ms']);
  if (escrowTimeoutMs !== undefined && !(Number.isInteger(escrowTimeoutMs) && escrowTimeoutMs > 0)) {
    log.fatal('--escrow-timeout-ms must be a positive integer');
    process.exit(2);
  }
  const link = await openSerialLink({ path: values.port, baudRate: CCTALK_BAUD_RATE });
  const sim = new BillValidatorSimulator({ link, mode, echoRequests: values.echo, ...(escrowTimeoutMs ? { escrowTimeoutMs } : {}), log });
  await serveSimulator({ link, stop: () => sim.stop(), log, run: (op, args) => runBillValidatorCommand(sim, op, args), scriptPath: values.script });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  });
}
