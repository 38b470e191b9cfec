// `nongbao demo-kiosk`: one kiosk of the demo village with simulated
// devices (the demo's virtual cards in-process, the bill acceptor and
// printer simulators, the demo panel), against a county server at
// --server-url. It is what a release runs in the demo under its supervisor
// (docs/updates.md, README "Updating a kiosk in the demo village"):
//   nongbao kiosk run --root DIR -- demo-kiosk --server-url URL --terminal-id ID --code CODE
// The kiosk enrols with the one-time code the first time, as a real one does.
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { loadConfig, logLevelField, portField } from '@nongbao/server/config';
import { createLogger } from '@nongbao/server/log';
import { buildDemoCounty } from '@nongbao/server';
import { InProcessCardReader, VirtualCardWallet } from '@nongbao/drivers/card';
import { createInProcessBillAcceptor } from '@nongbao/drivers/cctalk';
import { createInProcessPrinter } from '@nongbao/drivers/escpos';
import { enrol, loadOrCreateIdentity, readEnrolment, shanghaiToday, startTerminal, demoRoutes, type DemoPanel } from '@nongbao/terminal';
import { kioskUiDistDir } from '@nongbao/kiosk-ui';
import { demoCards } from './demo.js';
import { waitForShutdown } from './shutdown.js';

const demoKioskSchema = z.object({
  serverUrl: z.url(),
  terminalId: z.string().regex(/^[a-z0-9][a-z0-9-]{2,63}$/),
  /** The one-time enrolment code, needed the first time only. */
  code: z.string().regex(/^[0-9A-Z]{8}$/).optional(),
  dataDir: z.string().min(1).default('data/demo-kiosk'),
  port: portField(8471),
  logLevel: logLevelField(),
});

/** The demo's devices in this process: cards from the demo county, the cash simulators. */
function demoDevices(logger: ReturnType<typeof createLogger>) {
  const county = buildDemoCounty(shanghaiToday());
  const cards = demoCards(county);
  const reader = new InProcessCardReader();
  const wallet = new VirtualCardWallet();
  const acceptor = createInProcessBillAcceptor({ log: logger.child({ component: 'bill-acceptor' }) });
  const printer = createInProcessPrinter({ log: logger.child({ component: 'printer' }) });
  const panel: DemoPanel = {
    cards: () => cards.map(({ profile: _profile, ...card }) => card),
    cardPath: 'in-process',
    pin: county.residents[0]!.card.pin,
    insert: async (cardNumber) => {
      const card = cards.find((c) => c.cardNumber === cardNumber);
      if (!card) return { ok: false, reason: 'unknown-card' };
      await reader.insert(wallet.card(card.profile));
      return { ok: true };
    },
    remove: async () => reader.remove(),
    cash: {
      insertNote: async (yuan) => acceptor.simulator.insertNote(yuan),
      fault: async (kind) => {
        if (kind === 'jam') await acceptor.simulator.jam();
        else if (kind === 'clearJam') await acceptor.simulator.clearJam();
        else if (kind === 'stackerRemoved') await acceptor.simulator.removeStacker();
        else await acceptor.simulator.insertStacker();
      },
      setPaper: async (paper) => {
        await printer.simulator.setPaper(paper);
        await printer.printer.queryStatus().catch(() => undefined);
      },
    },
  };
  return { reader, panel, cashDevices: { acceptor: acceptor.driver, printer: printer.printer } };
}

export async function demoKioskCommand(argv: string[]): Promise<number> {
  const c = loadConfig(demoKioskSchema, argv);
  const dataDir = resolve(c.dataDir);
  const logger = createLogger({ name: 'demo-kiosk', level: c.logLevel, destination: join(dataDir, 'logs', 'kiosk.log') });
  const identity = loadOrCreateIdentity(dataDir, c.terminalId);
  if (!readEnrolment(dataDir)) {
    if (!c.code) {
      process.stderr.write(`nongbao demo-kiosk: ${c.terminalId} is not enrolled yet; give --code (nongbao enrol-code --terminal-id ${c.terminalId})\n`);
      return 2;
    }
    await enrol(dataDir, c.serverUrl, identity, c.code);
  }
  const devices = demoDevices(logger);
  const terminal = await startTerminal({
    identity,
    serverUrl: c.serverUrl,
    dataDir,
    host: '127.0.0.1',
    port: c.port,
    uiDir: kioskUiDistDir,
    logger,
    cardReader: devices.reader,
    cashDevices: devices.cashDevices,
    demoRoutes: (session) => demoRoutes(devices.panel, session),
  });
  process.stderr.write(`demo kiosk ${c.terminalId} on ${terminal.url}/\n`);
  await waitForShutdown(logger);
  await terminal.stop();
  logger.flush();
  return 0;
}
