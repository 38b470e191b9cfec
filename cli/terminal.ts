// `nongbao terminal`: a kiosk against real hardware (a PC/SC card reader).
// `nongbao terminal enrol --code CODE` enrols it once with a one-time code.
import { z } from 'zod';
import type { Logger } from 'pino';
import { booleanField, loadConfig, logLevelField, parseFlags, portField } from '@nongbao/server/config';
import { createLogger } from '@nongbao/server/log';
import { PcscCardReader } from '@nongbao/drivers/card';
import { CctalkBillAcceptor, openSerialLink } from '@nongbao/drivers/cctalk';
import { EscPosPrinter } from '@nongbao/drivers/escpos';
import type { CashDevices } from '@nongbao/terminal';
import { enrol, loadOrCreateIdentity, readEnrolment, startTerminal } from '@nongbao/terminal';
import { kioskUiDistDir } from '@nongbao/kiosk-ui';
import { waitForShutdown } from './shutdown.js';

const terminalIdField = z.string().regex(/^[a-z0-9][a-z0-9-]{2,63}$/, 'lowercase letters, digits and dashes, 3-64 long');

export const terminalConfigSchema = z.object({
  serverUrl: z.url(),
  terminalId: terminalIdField,
  dataDir: z.string().min(1).default('data/terminal'),
  /** The UI port; the local API listens on 127.0.0.1 only. */
  port: portField(8470),
  logLevel: logLevelField(),
  /** Serial port of the ccTalk bill acceptor (9600 8N1); with --printer-port, enables cash payments. */
  billAcceptorPort: z.string().min(1).optional(),
  /** ccTalk checksum variant the acceptor is set to. */
  billAcceptorChecksum: z.enum(['simple8', 'crc16']).default('simple8'),
  /** Single-wire ccTalk echoes every byte the host sends; false for a two-wire (RS232) link. */
  billAcceptorEcho: booleanField(true),
  /** Serial port of the ESC/POS receipt printer. */
  printerPort: z.string().min(1).optional(),
  printerBaud: z.coerce.number().int().refine((b) => [9600, 19200, 38400, 57600, 115200].includes(b), 'one of 9600, 19200, 38400, 57600, 115200').default(9600),
});

const enrolConfigSchema = z.object({
  serverUrl: z.url(),
  terminalId: terminalIdField,
  dataDir: z.string().min(1).default('data/terminal'),
  code: z.string().regex(/^[0-9A-Z]{8}$/, '8 characters, digits and capital letters'),
});

export type TerminalConfig = z.infer<typeof terminalConfigSchema>;

/**
 * The bill acceptor and the receipt printer on their serial ports, when both
 * are configured (also used by the chaos run's terminal process, cli/chaos/entries.ts).
 */
export async function openCashDevices(config: TerminalConfig, logger: Logger): Promise<CashDevices | undefined> {
  if (!config.billAcceptorPort || !config.printerPort) return undefined;
  return {
    acceptor: new CctalkBillAcceptor({
      link: await openSerialLink({ path: config.billAcceptorPort, baudRate: 9600 }),
      mode: config.billAcceptorChecksum,
      echo: config.billAcceptorEcho,
      log: logger.child({ component: 'bill-acceptor' }),
    }),
    printer: new EscPosPrinter({ link: await openSerialLink({ path: config.printerPort, baudRate: config.printerBaud }), log: logger.child({ component: 'printer' }) }),
  };
}

export async function terminalCommand(argv: string[]): Promise<number> {
  const { positional } = parseFlags(argv);
  if (positional[0] === 'enrol') {
    const config = loadConfig(enrolConfigSchema, argv.filter((a) => a !== 'enrol'));
    const identity = loadOrCreateIdentity(config.dataDir, config.terminalId);
    await enrol(config.dataDir, config.serverUrl, identity, config.code);
    process.stderr.write(`terminal ${config.terminalId} enrolled with ${config.serverUrl}\n`);
    return 0;
  }
  if (positional[0] === 'revoke') return (await import('./fleet.js')).revokeCommand(argv.filter((a) => a !== 'revoke'));
  if (positional.length > 0) {
    process.stderr.write(`nongbao terminal: unknown subcommand "${positional[0]}" (known: enrol, revoke)\n`);
    return 2;
  }
  const config = loadConfig(terminalConfigSchema, argv);
  const logger = createLogger({ name: 'terminal', level: config.logLevel });
  const enrolment = readEnrolment(config.dataDir);
  if (!enrolment || enrolment.terminalId !== config.terminalId) {
    process.stderr.write(
      `nongbao terminal: ${config.terminalId} is not enrolled in ${config.dataDir}.\n` +
        `Get a one-time code at the county office (nongbao enrol-code --terminal-id ${config.terminalId}), then run\n` +
        `  nongbao terminal enrol --server-url ${config.serverUrl} --terminal-id ${config.terminalId} --code CODE\n`,
    );
    return 2;
  }
  const identity = loadOrCreateIdentity(config.dataDir, config.terminalId);
  if ((config.billAcceptorPort === undefined) !== (config.printerPort === undefined)) {
    process.stderr.write('nongbao terminal: cash payments need both --bill-acceptor-port and --printer-port (no receipt, no cash)\n');
    return 2;
  }
  const cashDevices = await openCashDevices(config, logger);
  const terminal = await startTerminal({
    identity,
    serverUrl: config.serverUrl,
    dataDir: config.dataDir,
    host: '127.0.0.1',
    port: config.port,
    uiDir: kioskUiDistDir,
    logger,
    cardReader: new PcscCardReader({ logger: logger.child({ component: 'card-reader' }) }),
    ...(cashDevices ? { cashDevices } : {}),
  });
  process.stderr.write(`kiosk UI on ${terminal.url}/\n`);
  await waitForShutdown(logger);
  await terminal.stop();
  return 0;
}
