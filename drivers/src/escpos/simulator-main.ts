// CLI: an ESC/POS receipt printer simulator as its own process (issue #4 §5).
//
//   node --import tsx drivers/src/escpos/simulator-main.ts --port /dev/pts/8 \
//        [--baud 9600] [--width-dots 384] [--out DIR] [--script FILE]
//
// Script steps `<delayMs> <op> [arg]`; ops: setPaper ok|nearEnd|out,
// setCoverOpen on|off, setCutterError on|off, setUnresponsive on|off,
// receiptTexts, receiptPng N. With --out, each cut receipt is also written as
// DIR/receipt-N.txt and DIR/receipt-N.png.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { openSerialLink } from '../device/link.js';
import { serveSimulator } from '../device/simulator-process.js';
import { PrinterSimulator } from './simulator.js';

const flag = (value: unknown): boolean => value === true || value === 'true' || value === 'on';

export async function runPrinterCommand(sim: PrinterSimulator, op: string, args: unknown[]): Promise<unknown> {
  switch (op) {
    case 'setPaper': {
      const paper = String(args[0]);
      if (paper !== 'ok' && paper !== 'nearEnd' && paper !== 'out') throw new Error(`paper state ${paper} unknown`);
      return sim.setPaper(paper);
    }
    case 'setCoverOpen':
      return sim.setCoverOpen(flag(args[0]));
    case 'setCutterError':
      return sim.setCutterError(flag(args[0]));
    case 'setUnresponsive':
      return sim.setUnresponsive(flag(args[0]));
    case 'receiptTexts':
      return sim.receiptTexts();
    case 'receiptPng': {
      const receipt = sim.receipts[Number(args[0])];
      if (!receipt) throw new Error(`no receipt ${String(args[0])}`);
      return receipt.render().png.toString('base64');
    }
    default:
      throw new Error(`unknown op ${op}`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      baud: { type: 'string', default: '9600' },
      'width-dots': { type: 'string', default: '384' },
      out: { type: 'string' },
      script: { type: 'string' },
    },
  });
  const log = pino({ level: process.env['LOG_LEVEL'] ?? 'info' }, pino.destination(2));
  const baudRate = Number(values.baud);
  const widthDots = Number(values['width-dots']);
  if (!values.port || !Number.isInteger(baudRate) || !Number.isInteger(widthDots)) {
    log.fatal('usage: simulator-main.ts --port PATH [--baud 9600] [--width-dots 384] [--out DIR] [--script FILE]');
    process.exit(2);
  }
  const link = await openSerialLink({ path: values.port, baudRate });
  const sim = new PrinterSimulator({ link, widthDots, log });
  if (values.out) {
    const dir = values.out;
    mkdirSync(dir, { recursive: true });
    let written = 0;
    link.onData(() => {
      // After the simulator has consumed the chunk (it subscribed first), save new receipts.
      setImmediate(() => {
        for (; written < sim.receipts.length; written++) {
          const rendered = sim.receipts[written]!.render();
          writeFileSync(join(dir, `receipt-${written}.txt`), `${rendered.text}\n`);
          writeFileSync(join(dir, `receipt-${written}.png`), rendered.png);
        }
      });
    });
  }
  await serveSimulator({ link, stop: () => sim.stop(), log, run: (op, args) => runPrinterCommand(sim, op, args), scriptPath: values.script });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  });
}
