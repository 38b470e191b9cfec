// The processes the chaos run starts (issue 11 section 7). CHAOS ONLY: these
// entries are reached through `nongbao chaos server-process` and `nongbao
// chaos terminal-process`, which only the chaos harness runs.
//
// Each is the production command with two differences and no other:
// - the log destination takes crash points (crash-point.ts), armed by the
//   harness over stdin, and the process stops when its stdin closes;
// - the terminal takes its card in-process (the InProcessCardReader the demo
//   uses without pcscd) and mounts the demo card routes of its local API
//   (/api/demo/card), since K terminals cannot share the one pcscd's two vpcd
//   slots. Its bill acceptor and printer are the real drivers on serial
//   ports, with the simulators on the far side of socat pseudo-terminals.
// The server is started by `startServerFromConfig` and the terminal's cash
// devices by `openCashDevices`, as `nongbao server` and `nongbao terminal` do.
import { z } from 'zod';
import { loadConfig } from '@nongbao/server/config';
import { createLogger } from '@nongbao/server/log';
import { InProcessCardReader, VirtualCardWallet } from '@nongbao/drivers/card';
import { demoRoutes, loadOrCreateIdentity, readEnrolment, shanghaiToday, startTerminal, type DemoPanel } from '@nongbao/terminal';
import { kioskUiDistDir } from '@nongbao/kiosk-ui';
import { serverConfigSchema, startServerFromConfig } from '../server.js';
import { openCashDevices, terminalConfigSchema } from '../terminal.js';
import { waitForShutdown } from '../shutdown.js';
import { CHAOS_COUNTY_RESIDENTS_LIMIT, buildChaosCounty } from './county.js';
import { demoResidentCardProfile } from '../demo-card.js';
import { CrashPoints, crashPointDestination, serveCrashControl } from './crash-point.js';

/** Serves crash-point control on stdin until SIGINT/SIGTERM, or until the harness closes our stdin. */
async function untilStopped(points: CrashPoints, logger: Parameters<typeof waitForShutdown>[0]): Promise<void> {
  let control: { close(): void } | undefined;
  const stdinClosed = new Promise<void>((resolve) => (control = serveCrashControl(points, logger, resolve)));
  await Promise.race([waitForShutdown(logger), stdinClosed]);
  control?.close();
}

export async function chaosServerProcess(argv: string[]): Promise<number> {
  const config = loadConfig(serverConfigSchema, argv);
  const points = new CrashPoints();
  const logger = createLogger({ name: 'server', level: config.logLevel, destination: crashPointDestination(points) });
  const server = await startServerFromConfig(config, logger);
  await untilStopped(points, logger);
  await server.close();
  return 0;
}

const chaosTerminalSchema = terminalConfigSchema.extend({
  /** Size of the chaos county (county.ts): the cards this kiosk can be handed. */
  countyResidents: z.coerce.number().int().min(1).max(CHAOS_COUNTY_RESIDENTS_LIMIT),
  /** Shorter than production, so a run spends its time on faults rather than on waiting. */
  requestTimeoutMs: z.coerce.number().int().min(500).max(60_000).default(4_000),
  reconnectDelayMaxMs: z.coerce.number().int().min(100).max(30_000).default(2_000),
  outboxRetryIntervalMs: z.coerce.number().int().min(100).max(60_000).default(1_000),
});

/** The card slot of the chaos terminal: the residents' virtual cards, inserted over /api/demo/card. */
function chaosCardPanel(countyResidents: number, reader: InProcessCardReader): DemoPanel {
  const county = buildChaosCounty(countyResidents, shanghaiToday());
  const byCard = new Map(county.residents.map((r) => [r.card.cardNumber, r]));
  const wallet = new VirtualCardWallet();
  return {
    cards: () => [],
    cardPath: 'in-process (chaos run)',
    pin: county.residents[0]!.card.pin,
    insert: async (cardNumber) => {
      const resident = byCard.get(cardNumber);
      if (!resident) return { ok: false, reason: 'unknown-card' };
      reader.insert(wallet.card(demoResidentCardProfile(resident)));
      return { ok: true };
    },
    remove: async () => reader.remove(),
  };
}

export async function chaosTerminalProcess(argv: string[]): Promise<number> {
  const config = loadConfig(chaosTerminalSchema, argv);
  const points = new CrashPoints();
  const logger = createLogger({ name: 'terminal', level: config.logLevel, destination: crashPointDestination(points) });
  const enrolment = readEnrolment(config.dataDir);
  if (!enrolment || enrolment.terminalId !== config.terminalId) {
    process.stderr.write(`nongbao chaos terminal-process: ${config.terminalId} is not enrolled in ${config.dataDir}\n`);
    return 2;
  }
  const reader = new InProcessCardReader();
  const cashDevices = await openCashDevices(config, logger);
  const terminal = await startTerminal({
    identity: loadOrCreateIdentity(config.dataDir, config.terminalId),
    serverUrl: config.serverUrl,
    dataDir: config.dataDir,
    host: '127.0.0.1',
    port: config.port,
    uiDir: kioskUiDistDir,
    logger,
    cardReader: reader,
    ...(cashDevices ? { cashDevices } : {}),
    demoRoutes: (session) => demoRoutes(chaosCardPanel(config.countyResidents, reader), session),
    requestTimeoutMs: config.requestTimeoutMs,
    reconnectDelayMaxMs: config.reconnectDelayMaxMs,
    outboxRetryIntervalMs: config.outboxRetryIntervalMs,
  });
  await untilStopped(points, logger);
  await terminal.stop();
  return 0;
}
