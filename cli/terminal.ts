// `nongbao terminal`: a kiosk against real hardware (a PC/SC card reader).
// `nongbao terminal enrol --code CODE` enrols it once with a one-time code.
import { z } from 'zod';
import { loadConfig, logLevelField, parseFlags, portField } from '@nongbao/server/config';
import { createLogger } from '@nongbao/server/log';
import { PcscCardReader } from '@nongbao/drivers/card';
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
});

const enrolConfigSchema = z.object({
  serverUrl: z.url(),
  terminalId: terminalIdField,
  dataDir: z.string().min(1).default('data/terminal'),
  code: z.string().regex(/^[0-9A-Z]{8}$/, '8 characters, digits and capital letters'),
});

export async function terminalCommand(argv: string[]): Promise<number> {
  const { positional } = parseFlags(argv);
  if (positional[0] === 'enrol') {
    const config = loadConfig(enrolConfigSchema, argv.filter((a) => a !== 'enrol'));
    const identity = loadOrCreateIdentity(config.dataDir, config.terminalId);
    await enrol(config.dataDir, config.serverUrl, identity, config.code);
    process.stderr.write(`terminal ${config.terminalId} enrolled with ${config.serverUrl}\n`);
    return 0;
  }
  if (positional.length > 0) {
    process.stderr.write(`nongbao terminal: unknown subcommand "${positional[0]}" (known: enrol)\n`);
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
  const terminal = await startTerminal({
    identity,
    serverUrl: config.serverUrl,
    dataDir: config.dataDir,
    host: '127.0.0.1',
    port: config.port,
    uiDir: kioskUiDistDir,
    logger,
    cardReader: new PcscCardReader({ logger: logger.child({ component: 'card-reader' }) }),
  });
  process.stderr.write(`kiosk UI on ${terminal.url}/\n`);
  await waitForShutdown(logger);
  await terminal.stop();
  return 0;
}
