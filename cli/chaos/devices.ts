// The kiosks' devices in a chaos run: every kiosk's ccTalk bill acceptor and
// ESC/POS printer simulators (drivers/src/cctalk/simulator.ts,
// drivers/src/escpos/simulator.ts), each on the far side of its own socat
// pseudo-terminal, all in one process of their own (`nongbao chaos
// devices-process`). CHAOS ONLY.
//
// They outlive every kill -9 of a terminal, as a real kiosk's devices outlive
// its software: the acceptor's memory of the notes it stacked is the ground
// truth the checks hold the ledger to. One process for all of them rather
// than one per device (drivers' simulator-main.ts): a run starts 2K fewer
// node processes on a 2-core machine, and the simulators are the same code.
//
// Control: one JSON line per request on stdin, `{ id, op, kiosk, args }`, one
// reply per line on stdout, `{ id, ok, result | error }`.
import { setPriority } from 'node:os';
import { createInterface } from 'node:readline';
import { BillValidatorSimulator, openSerialLink, runBillValidatorCommand } from '@nongbao/drivers/cctalk';
import { PrinterSimulator } from '@nongbao/drivers/escpos';
import { z } from 'zod';
import { ChaosProcess } from './processes.js';

/** How long the acceptor holds a note in escrow before handing it back unasked (a real validator's order of magnitude). */
export const SIMULATOR_ESCROW_TIMEOUT_MS = 10_000;
/** A device answers a control request at once; this bounds a dead device process. */
export const DEVICE_CONTROL_TIMEOUT_MS = 10_000;
/**
 * The text of a printer's receipts: each is rendered again, up to
 * PRINTER_SIMULATOR_RECEIPT_LIMIT of them (five printers' 150 receipts took
 * over 10 s on a loaded 2-core machine, in a 150-payment run).
 */
export const RECEIPT_TEXTS_TIMEOUT_MS = 120_000;
const CONTROL_LINE_LIMIT_CHARS = 4_096;
/** The devices process's scheduling priority (nice -10: ahead of the kiosks' software). */
const DEVICES_PRIORITY = -10;

const devicesArgSchema = z.array(z.object({ acceptor: z.string().min(1), printer: z.string().min(1) })).min(1).max(100);
const requestSchema = z.object({ id: z.number().int(), op: z.enum(['insertNote', 'stackedYuan', 'receiptTexts']), kiosk: z.number().int().min(0), args: z.array(z.unknown()) });

/** `nongbao chaos devices-process --devices '[{"acceptor":PTY,"printer":PTY},...]'`. */
export async function chaosDevicesProcess(argv: string[]): Promise<number> {
  const at = argv.indexOf('--devices');
  const devices = devicesArgSchema.parse(JSON.parse(argv[at + 1] ?? '[]'));
  const kiosks = await Promise.all(
    devices.map(async (d) => ({
      acceptor: new BillValidatorSimulator({ link: await openSerialLink({ path: d.acceptor, baudRate: 9600 }), echoRequests: true, escrowTimeoutMs: SIMULATOR_ESCROW_TIMEOUT_MS }),
      printer: new PrinterSimulator({ link: await openSerialLink({ path: d.printer, baudRate: 9600 }) }),
    })),
  );
  const answer = async (request: z.infer<typeof requestSchema>): Promise<unknown> => {
    const kiosk = kiosks[request.kiosk];
    if (!kiosk) throw new Error(`no kiosk ${request.kiosk}`);
    if (request.op === 'receiptTexts') return kiosk.printer.receiptTexts();
    return runBillValidatorCommand(kiosk.acceptor, request.op, request.args);
  };
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line.length > CONTROL_LINE_LIMIT_CHARS) return;
    const parsed = requestSchema.safeParse(JSON.parse(line));
    if (!parsed.success) return;
    answer(parsed.data)
      .then((result) => ({ id: parsed.data.id, ok: true, result: result ?? null }))
      .catch((error: unknown) => ({ id: parsed.data.id, ok: false, error: String(error) }))
      .then((reply) => process.stdout.write(`${JSON.stringify({ event: 'devices.reply', ...reply })}\n`));
  });
  process.stdout.write(`${JSON.stringify({ event: 'devices.ready', kiosks: kiosks.length })}\n`);
  await new Promise<void>((resolve) => lines.on('close', resolve));
  for (const k of kiosks) {
    k.acceptor.stop();
    k.printer.stop();
  }
  process.exit(0);
}

/** The harness's side of the devices process. */
export class Devices {
  private nextId = 1;

  private constructor(private readonly process: ChaosProcess) {}

  static async start(devices: { acceptor: string; printer: string }[], logDir: string): Promise<Devices> {
    const child = ChaosProcess.spawnNongbao('devices', ['chaos', 'devices-process', '--devices', JSON.stringify(devices)], logDir);
    // Real devices answer from their own silicon: on a machine busy with other work a starved
    // simulator would miss ccTalk's reply deadline, which a real acceptor does not.
    try {
      setPriority(child.pid, DEVICES_PRIORITY);
    } catch {
      // Not allowed here (no CAP_SYS_NICE): the devices run at the normal priority.
    }
    await child.waitFor('devices.ready', (l) => l.event === 'devices.ready', DEVICE_CONTROL_TIMEOUT_MS * 3);
    return new Devices(child);
  }

  private async call(op: 'insertNote' | 'stackedYuan' | 'receiptTexts', kiosk: number, ...args: unknown[]): Promise<unknown> {
    const id = this.nextId++;
    const timeoutMs = op === 'receiptTexts' ? RECEIPT_TEXTS_TIMEOUT_MS : DEVICE_CONTROL_TIMEOUT_MS;
    const reply = this.process.waitFor(`device reply ${id}`, (l) => l.event === 'devices.reply' && l['id'] === id, timeoutMs);
    this.process.send({ id, op, kiosk, args });
    const line = await reply;
    if (line['ok'] !== true) throw new Error(`device ${op} at kiosk ${kiosk}: ${String(line['error'])}`);
    return line['result'];
  }

  /** A resident puts a note in kiosk `kiosk`'s acceptor: 'escrow', or why it was not taken. */
  async insertNote(kiosk: number, yuan: number): Promise<string> {
    return String(await this.call('insertNote', kiosk, yuan));
  }

  /** Notes kiosk `kiosk`'s acceptor stacked, yuan, in order. */
  async stackedYuan(kiosk: number): Promise<number[]> {
    return (await this.call('stackedYuan', kiosk)) as number[];
  }

  /** Every receipt kiosk `kiosk`'s printer printed, as text (QR codes as `[QR: text]`). */
  async receiptTexts(kiosk: number): Promise<string[]> {
    return (await this.call('receiptTexts', kiosk)) as string[];
  }

  async stop(): Promise<void> {
    await this.process.stop();
  }
}
