// `nongbao demo` (what `npm start` runs): the demo village on one machine.
// The county server (SQLite file under the data folder, seeded with the demo
// county on first start), one kiosk terminal enrolled with a one-time code,
// and the kiosk UI served by the terminal on 127.0.0.1. Cards are virtual:
// behind the real pcscd daemon (vsmartcard's vpcd) where it is installed,
// in-process otherwise; the demo says which.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir, userInfo } from 'node:os';
import { createHash } from 'node:crypto';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { Logger } from 'pino';
import { booleanField, loadConfig, logLevelField, portField } from '@nongbao/server/config';
import { createLogger } from '@nongbao/server/log';
import { maskName } from '@nongbao/protocol';
import { demoResidentCardProfile } from './demo-card.js';
import { DEMO_OFFICE_PASSWORD, buildDemoCounty, createServerServices, startServer, type DemoCounty, type RunningServer } from '@nongbao/server';
import {
  DEMO_ISSUER_KEY,
  InProcessCardReader,
  PcscCardReader,
  VirtualCardWallet,
  makeVirtualCardProfile,
  VpcdSlotWorker,
  type CardReaderDriver,
  type VirtualCardProfile,
} from '@nongbao/drivers/card';
import {
  enrol,
  loadOrCreateIdentity,
  readEnrolment,
  shanghaiToday,
  startTerminal,
  demoRoutes,
  IDLE_AFTER_MS,
  IDLE_COUNTDOWN_MS,
  type DemoPanel,
  type RunningTerminal,
} from '@nongbao/terminal';
import { kioskUiDistDir } from '@nongbao/kiosk-ui';
import { consoleDistDir } from '@nongbao/console';
import { createInProcessBillAcceptor } from '@nongbao/drivers/cctalk';
import { createInProcessPrinter } from '@nongbao/drivers/escpos';
import { HidPinPad, MockHidBackend, MockKeypad } from '@nongbao/drivers/pinpad';
import { waitForShutdown } from './shutdown.js';

export const demoConfigSchema = z.object({
  dataDir: z.string().min(1).default('data/demo'),
  serverPort: portField(8460),
  kioskPort: portField(8470),
  logLevel: logLevelField(),
  /** auto: pcscd + vpcd when installed, in-process otherwise. */
  cardPath: z.enum(['auto', 'pcscd', 'in-process']).default('auto'),
  /** Take the PIN on a simulated HID PIN pad (keys on the demo panel) instead of the screen. */
  pinPad: booleanField(false),
  /** How long a kiosk screen waits for a touch before the idle countdown, and how long that runs (issue 12 section 1). */
  idleAfterMs: z.coerce.number().int().min(1_000).max(3_600_000).default(IDLE_AFTER_MS),
  idleCountdownMs: z.coerce.number().int().min(1_000).max(600_000).default(IDLE_COUNTDOWN_MS),
  /**
   * The server's database: sqlite (a file in the data folder, as a county
   * runs), or postgres: a throwaway cluster in the data folder (issue 15
   * section 2: `npm start -- --db postgres`), started here and stopped at exit.
   */
  db: z.enum(['sqlite', 'postgres']).default('sqlite'),
});
export type DemoConfig = z.infer<typeof demoConfigSchema>;

const DEMO_TERMINAL_ID = 'demo-kiosk-01';
const PCSCD = '/usr/sbin/pcscd';
const VPCD_DRIVER = '/usr/lib/pcsc/drivers/serial/libifdvpcd.so';
const VPCD_PORT_SLOT_0 = 35963;
const PCSCD_READY_TIMEOUT_MS = 15_000;
const CHILD_STOP_TIMEOUT_MS = 5_000;

interface DemoCardEntry {
  cardNumber: string;
  maskedName: string;
  kind: 'resident' | 'staff';
  villageName: string;
  note?: string;
  profile: VirtualCardProfile;
}

/** The virtual cards of the demo county, plus a clone that has the data but not the key. */
export function demoCards(county: DemoCounty): DemoCardEntry[] {
  const villageName = new Map(county.villages.map((v) => [v.code, v.name]));
  const cards: DemoCardEntry[] = county.residents.map((r) => ({
    cardNumber: r.card.cardNumber,
    maskedName: maskName(r.name),
    kind: 'resident' as const,
    villageName: villageName.get(r.villageCode) ?? '',
    ...(r.card.expiryDate < '2026-01-01' ? { note: '已过期 expired' } : {}),
    profile: demoResidentCardProfile(r),
  }));
  for (const s of county.staff) {
    cards.push({
      cardNumber: s.card.cardNumber,
      maskedName: maskName(s.name),
      kind: 'staff',
      villageName: '',
      profile: makeVirtualCardProfile({
        citizenNumber: s.citizenNumber,
        name: s.name,
        pin: s.card.pin,
        kind: 'staff',
        cardNumber: s.card.cardNumber,
        issueDate: s.card.issueDate,
        expiryDate: s.card.expiryDate,
        issuerKey: DEMO_ISSUER_KEY,
      }),
    });
  }
  const original = county.residents[0]!;
  cards.push({
    cardNumber: 'X99999999',
    maskedName: maskName(original.name),
    kind: 'resident',
    villageName: villageName.get(original.villageCode) ?? '',
    note: '仿冒卡 clone',
    profile: makeVirtualCardProfile({
      citizenNumber: original.citizenNumber,
      name: original.name,
      pin: original.card.pin,
      cardNumber: 'X99999999',
      // Right data, wrong key: the server's authenticity check refuses it.
      issuerKey: Buffer.from('00112233445566778899AABBCCDDEEFF', 'hex'),
    }),
  });
  return cards;
}

function pcscdRunning(): boolean {
  try {
    execFileSync('pidof', ['pcscd'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Starts pcscd unless one runs; returns the process we started (to stop it), if any. */
async function ensurePcscd(logger: Logger): Promise<ChildProcess | undefined> {
  if (pcscdRunning()) return undefined;
  const child = spawn(PCSCD, ['-f'], { stdio: 'ignore' });
  const deadline = Date.now() + PCSCD_READY_TIMEOUT_MS;
  while (!existsSync('/run/pcscd/pcscd.comm')) {
    if (child.exitCode !== null) throw new Error(`pcscd exited at start (code ${child.exitCode})`);
    if (Date.now() > deadline) throw new Error(`pcscd not ready within ${PCSCD_READY_TIMEOUT_MS} ms`);
    await sleep(50);
  }
  logger.info({ event: 'demo.pcscd_started', pid: child.pid });
  return child;
}

/**
 * Stops a child the demo started. Ctrl-C in a terminal reaches the whole
 * process group, so the child may be gone already: its 'exit' event then has
 * fired and must not be awaited. One that ignores SIGTERM is killed.
 */
export async function stopChild(child: ChildProcess, logger: Logger, timeoutMs = CHILD_STOP_TIMEOUT_MS): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((r) => (timer = setTimeout(() => r(true), timeoutMs)));
  if (await Promise.race([exited.then(() => false), timedOut])) {
    logger.warn({ event: 'demo.child_killed', pid: child.pid, timeoutMs });
    child.kill('SIGKILL');
    await exited;
  }
  clearTimeout(timer);
}

export interface RunningDemo {
  serverUrl: string;
  kioskUrl: string;
  cardPath: 'pcscd' | 'in-process';
  /** The server's --db value: the SQLite file, or the throwaway cluster's postgres:// URL. */
  database: string;
  server: RunningServer;
  terminal: RunningTerminal;
  stop(): Promise<void>;
}

/** The demo's PostgreSQL database: kept in the data folder's cluster between starts, as the SQLite file is. */
const DEMO_PG_DATABASE = 'nongbao_demo';

/**
 * Where the demo's cluster lives: `postgres` in its data folder. Run as root,
 * PostgreSQL runs as the `postgres` user (pg-cluster.ts), who cannot enter the
 * demo's data folder (0700, it holds citizen numbers): the cluster then goes
 * in a folder of its own in the system's temp folder, named after the data
 * folder so that the next start finds it again.
 */
export function demoClusterDir(dataDir: string): string {
  if (userInfo().uid !== 0) return join(dataDir, 'postgres');
  return join(tmpdir(), `nongbao-demo-postgres-${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}`);
}

/** The server's --db value for the demo, and what stops what it started (the PostgreSQL cluster). */
async function demoDatabase(config: DemoConfig, dataDir: string, logger: Logger): Promise<{ db: string; stop: () => Promise<void> }> {
  if (config.db === 'sqlite') return { db: join(dataDir, 'server.sqlite'), stop: async () => {} };
  const { startPgCluster } = await import('@nongbao/server/pg-cluster');
  const cluster = await startPgCluster({ dataDir: demoClusterDir(dataDir) });
  logger.info({ event: 'demo.postgres_started', port: cluster.port, dataDir: cluster.dataDir });
  try {
    return { db: cluster.createDatabase(DEMO_PG_DATABASE), stop: async () => cluster.stop() };
  } catch (error) {
    cluster.stop();
    throw error;
  }
}

export async function startDemo(config: DemoConfig, logger: Logger): Promise<RunningDemo> {
  const dataDir = resolve(config.dataDir);
  const county = buildDemoCounty(shanghaiToday());
  const database = await demoDatabase(config, dataDir, logger);
  let server: RunningServer;
  try {
    server = await startServer({
      db: database.db,
      host: '127.0.0.1',
      port: config.serverPort,
      logger,
      consoleDir: consoleDistDir,
      services: (db, gateway) => createServerServices(db, { logger, seedDemo: county, issuerKey: DEMO_ISSUER_KEY }, gateway),
    });
  } catch (error) {
    await database.stop();
    throw error;
  }

  // Stopped in reverse: the cluster last, after the server has closed its connection.
  const stops: Array<() => Promise<void>> = [database.stop, () => server.close()];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => logger.error({ event: 'demo.stop_failed', err: error }));
  };
  try {
    // The kiosk makes its key and enrols with a one-time code, as a real one does.
    const terminalDir = join(dataDir, DEMO_TERMINAL_ID);
    const identity = loadOrCreateIdentity(terminalDir, DEMO_TERMINAL_ID);
    if (!readEnrolment(terminalDir) || !server.terminals.isEnrolled(DEMO_TERMINAL_ID)) {
      // As the county office does: the kiosk stands in the first village (its agent is on the help screen).
      const village = county.villages[0]!;
      const { code } = server.terminals.createTerminal({ terminalId: DEMO_TERMINAL_ID, villageCode: village.code, location: `${village.name}村委会` }, 'demo');
      await enrol(terminalDir, server.url, identity, code);
    }

    const wantPcscd = config.cardPath === 'pcscd' || (config.cardPath === 'auto' && existsSync(PCSCD) && existsSync(VPCD_DRIVER));
    const cards = demoCards(county);
    let reader: CardReaderDriver;
    let insertCard: (profile: VirtualCardProfile) => Promise<void>;
    let removeCard: () => Promise<void>;
    if (wantPcscd) {
      const pcscd = await ensurePcscd(logger);
      if (pcscd) stops.push(() => stopChild(pcscd, logger));
      reader = new PcscCardReader({ logger: logger.child({ component: 'card-reader' }) });
      // The card answers from a worker thread, as a real card answers whatever
      // the terminal's thread is blocked in (see VpcdSlotWorker).
      const slot = new VpcdSlotWorker({
        port: VPCD_PORT_SLOT_0,
        onCardEnded: (error) => logger.warn({ event: 'demo.card_connection_ended', code: error.codeName, message: error.message }),
      });
      removeCard = () => slot.remove();
      insertCard = (profile) => slot.insert(profile);
      // Stopped after the terminal (stops run in reverse) and before pcscd:
      // the reader is closed, then the card pulled, while pcscd still runs.
      stops.push(() => slot.close());
    } else {
      const inProcess = new InProcessCardReader();
      reader = inProcess;
      // A card put back is the same card, its PIN tries as it was pulled with (the worker keeps its own the same way).
      const wallet = new VirtualCardWallet();
      insertCard = async (profile) => inProcess.insert(wallet.card(profile));
      removeCard = async () => inProcess.remove();
    }
    const cardPath = wantPcscd ? 'pcscd' : 'in-process';

    const panel: DemoPanel = {
      cards: () => cards.map(({ profile: _profile, ...card }) => card),
      cardPath: cardPath === 'pcscd' ? 'pcscd + vpcd (real PC/SC stack)' : 'in-process',
      pin: county.residents[0]!.card.pin,
      insert: async (cardNumber) => {
        const card = cards.find((c) => c.cardNumber === cardNumber);
        if (!card) return { ok: false, reason: 'unknown-card' };
        await insertCard(card.profile);
        return { ok: true };
      },
      remove: async () => {
        await removeCard();
      },
    };

    // The cash devices are simulators speaking the devices' real bytes over an
    // in-memory line (the tests run the same simulators over real ptys).
    const acceptor = createInProcessBillAcceptor({ log: logger.child({ component: 'bill-acceptor' }) });
    const printer = createInProcessPrinter({ log: logger.child({ component: 'printer' }) });
    panel.cash = {
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
    };

    let pinPad: HidPinPad | undefined;
    if (config.pinPad) {
      // A simulated keypad behind node-hid's interface (no uhid here): same reports a real pad sends.
      const backend = new MockHidBackend();
      const keypad = backend.add(new MockKeypad('demo-pinpad', 0x1234, 0x5678));
      pinPad = new HidPinPad({ backend, target: { path: keypad.path }, log: logger.child({ component: 'pinpad' }) });
      panel.pinPad = { press: (key) => keypad.press(key) };
    }

    const terminal = await startTerminal({
      identity,
      serverUrl: server.url,
      dataDir: terminalDir,
      host: '127.0.0.1',
      port: config.kioskPort,
      uiDir: kioskUiDistDir,
      logger: logger.child({ component: 'terminal' }),
      cardReader: reader,
      cashDevices: { acceptor: acceptor.driver, printer: printer.printer },
      ...(pinPad ? { pinPad } : {}),
      // The county's recorded prompts, as `nongbao prompts import DIR --prompts-dir` installed them.
      promptsDir: join(dataDir, 'prompts'),
      idle: { idleAfterMs: config.idleAfterMs, countdownMs: config.idleCountdownMs },
      demoRoutes: (session) => demoRoutes(panel, session),
    });
    stops.push(() => terminal.stop());
    logger.info({ event: 'demo.started', serverUrl: server.url, kioskUrl: terminal.url, cardPath });
    return { serverUrl: server.url, kioskUrl: terminal.url, cardPath, database: database.db, server, terminal, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

export async function demoCommand(argv: string[]): Promise<number> {
  const config = loadConfig(demoConfigSchema, argv);
  const logFile = join(resolve(config.dataDir), 'logs', 'demo.log');
  const logger = createLogger({ name: 'demo', level: config.logLevel, destination: logFile });
  for (const [dir, script, what] of [[kioskUiDistDir, 'build:ui', 'kiosk UI'], [consoleDistDir, 'build:console', 'office console']] as const) {
    if (existsSync(join(dir, 'index.html'))) continue;
    process.stderr.write(`building the ${what} (first start only)...\n`);
    execFileSync('npm', ['run', '--silent', script], { stdio: 'inherit', cwd: resolve(import.meta.dirname, '..') });
  }
  const demo = await startDemo(config, logger);
  process.stdout.write(
    [
      '',
      'Nongbao demo village is running.',
      `  Kiosk UI (open in a browser): ${demo.kioskUrl}/`,
      `  County server:                ${demo.serverUrl}  (metrics: ${demo.serverUrl}/metrics)`,
      `  Office console:               ${demo.serverUrl}/admin/  (log in as operator or auditor, password ${DEMO_OFFICE_PASSWORD})`,
      `  Office API:                   ${demo.serverUrl}/api/v1/openapi.json  (the same users)`,
      `  Cards:                        ${demo.cardPath === 'pcscd' ? 'virtual cards behind the real pcscd (vpcd)' : 'virtual cards in-process (no PC/SC stack in the way)'}`,
      `  Server database:              ${demo.database}${config.db === 'postgres' ? '  (a PostgreSQL cluster in the data folder, stopped at exit)' : ''}`,
      `  Data:                         ${resolve(config.dataDir)}  (kept between starts)`,
      `  Logs (JSON lines):            ${logFile}`,
      '  Use the "Demo devices" panel on the right to insert a card (every demo PIN is 123456),',
      '  then pay this year\'s contribution with the simulated notes; the receipt shows on screen.',
      '  Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  await waitForShutdown(logger);
  process.stdout.write('stopping...\n');
  await demo.stop();
  logger.flush();
  return 0;
}
