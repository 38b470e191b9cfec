// A kiosk terminal process for the crash tests (collection-crash.test.ts):
// the production terminal (journal, outbox, uplink, payment and collection
// desks, local API) with the demo's in-process card slot and the acceptor
// and printer simulators behind the real drivers, driven over the local
// API's demo routes; logging through a crash log (../crash-log.ts). It
// enrols with the one-time code on its first start. Prints `ready <url>`.
// Run: node --import tsx collection-terminal.ts <dataDir> <serverUrl> <terminalId> <logPath> [enrolCode]
import { join } from 'node:path';
import { DEMO_ISSUER_KEY, InProcessCardReader, VirtualCardWallet, makeVirtualCardProfile, type VirtualCardProfile } from '@nongbao/drivers/card';
import { createInProcessBillAcceptor } from '@nongbao/drivers/cctalk';
import { createInProcessPrinter } from '@nongbao/drivers/escpos';
import { createLogger } from '@nongbao/server/log';
import { enrol, loadOrCreateIdentity, readEnrolment, startTerminal, demoRoutes, type DemoPanel } from '@nongbao/terminal';
import { county, residentsWhoOwe } from '../demo-residents.js';
import { CrashLog } from '../crash-log.js';

const [dataDir, serverUrl, terminalId, logPath, code] = process.argv.slice(2) as [string, string, string, string, string | undefined];
const crash = new CrashLog(logPath);
const logger = createLogger({ name: 'terminal', level: 'debug', destination: crash.destination });

const identity = loadOrCreateIdentity(dataDir, terminalId);
if (!readEnrolment(dataDir)) await enrol(dataDir, serverUrl, identity, code!);

const payer = residentsWhoOwe[0]!;
const staff = county.staff[0]!;
const profiles = new Map<string, VirtualCardProfile>([
  [
    payer.card.cardNumber,
    makeVirtualCardProfile({
      citizenNumber: payer.citizenNumber,
      name: payer.name,
      pin: payer.card.pin,
      cardNumber: payer.card.cardNumber,
      cardIdentifier: payer.card.cardIdentifier,
      issueDate: payer.card.issueDate,
      expiryDate: payer.card.expiryDate,
      issuerKey: DEMO_ISSUER_KEY,
    }),
  ],
  [
    staff.card.cardNumber,
    makeVirtualCardProfile({
      citizenNumber: staff.citizenNumber,
      name: staff.name,
      pin: staff.card.pin,
      kind: 'staff',
      cardNumber: staff.card.cardNumber,
      issueDate: staff.card.issueDate,
      expiryDate: staff.card.expiryDate,
      issuerKey: DEMO_ISSUER_KEY,
    }),
  ],
]);
const reader = new InProcessCardReader();
const wallet = new VirtualCardWallet();
const acceptor = createInProcessBillAcceptor({ pollIntervalMs: 20, log: logger.child({ component: 'bill-acceptor' }) });
const printer = createInProcessPrinter({ log: logger.child({ component: 'printer' }) });
const panel: DemoPanel = {
  cards: () => [],
  cardPath: 'in-process (crash test)',
  pin: payer.card.pin,
  insert: async (cardNumber) => {
    const profile = profiles.get(cardNumber);
    if (!profile) return { ok: false, reason: 'unknown-card' };
    reader.insert(wallet.card(profile));
    return { ok: true };
  },
  remove: async () => reader.remove(),
  cash: {
    insertNote: async (yuan) => acceptor.simulator.insertNote(yuan),
    fault: async () => undefined,
    setPaper: async (paper) => printer.simulator.setPaper(paper),
  },
};

const terminal = await startTerminal({
  identity,
  serverUrl,
  dataDir,
  host: '127.0.0.1',
  port: 0,
  uiDir: join(dataDir, 'no-ui'),
  logger,
  cardReader: reader,
  cashDevices: { acceptor: acceptor.driver, printer: printer.printer },
  demoRoutes: (session) => demoRoutes(panel, session),
  // Short, so a resend after a crash comes in seconds rather than the production minutes.
  requestTimeoutMs: 3_000,
  outboxRetryIntervalMs: 500,
});
crash.serve(() => void terminal.stop().then(() => process.exit(0)));
process.stdout.write(`ready ${terminal.url}\n`);
