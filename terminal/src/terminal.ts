// The kiosk runtime: wires the card feed, the session, the uplink to the
// gateway, the journal and the local API for the UI.
import { join } from 'node:path';
import type { Logger } from 'pino';
import { Journal } from './journal.js';
import { startLocalApi, type DemoPanel, type LocalApi } from './local-api.js';
import { KioskSession, type InsertedCard } from './session.js';
import { Uplink } from './uplink.js';
import type { TerminalIdentity } from './identity.js';
import type { CardReaderDriver } from '@nongbao/drivers/card';
import { cardFeedFromReader, shanghaiToday } from './card-feed.js';
import { OutboxRelay } from './outbox.js';
import { PaymentDesk, type CashDevices } from './payment.js';
import { PinPadInput } from './pinpad-input.js';
import { v7 as uuidv7 } from 'uuid';
import { PROTOCOL_VERSION } from '@nongbao/server/protocol';
import type { PinPad } from '@nongbao/drivers';

/** Where inserted cards come from: the PC/SC reader driver, or the demo's in-process slot. */
export interface CardFeed {
  onInserted(listener: (card: InsertedCard) => void): void;
  onRemoved(listener: () => void): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface TerminalOptions {
  identity: TerminalIdentity;
  serverUrl: string;
  dataDir: string;
  host: string;
  port: number;
  uiDir: string;
  logger: Logger;
  /** The card reader driver: PcscCardReader on a kiosk, InProcessCardReader in tests. */
  cardReader: CardReaderDriver;
  /** The kiosk's calendar date for card expiry; Asia/Shanghai today by default. */
  today?: () => string;
  /** Bill acceptor and receipt printer; without them the kiosk shows accounts but takes no cash. */
  cashDevices?: CashDevices;
  /** A hardware PIN pad; without one the PIN is typed on the screen's keypad. */
  pinPad?: PinPad;
  demo?: DemoPanel;
  requestTimeoutMs?: number;
}

export interface RunningTerminal {
  url: string;
  session: KioskSession;
  uplink: Uplink;
  journal: Journal;
  outbox: OutboxRelay;
  payments: PaymentDesk | undefined;
  stop(): Promise<void>;
}

export async function startTerminal(options: TerminalOptions): Promise<RunningTerminal> {
  const { logger } = options;
  const journal = new Journal(join(options.dataDir, 'journal.sqlite'));
  const uplink = new Uplink({
    serverUrl: options.serverUrl,
    terminalId: options.identity.terminalId,
    privateKey: options.identity.privateKey,
    logger: logger.child({ component: 'uplink' }),
    ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
  });
  const payments = options.cashDevices
    ? new PaymentDesk({ devices: options.cashDevices, journal, terminalId: options.identity.terminalId, logger: logger.child({ component: 'payment' }) })
    : undefined;
  const outbox = new OutboxRelay({ journal, uplink, logger: logger.child({ component: 'outbox' }) });
  payments?.on('queued', () => outbox.kick());
  const today = options.today ?? (() => shanghaiToday());
  const session = new KioskSession({
    accounts: uplink,
    cache: journal,
    logger: logger.child({ component: 'session' }),
    ...(payments ? { payments } : {}),
    diagnostics: () => {
      const devices: Array<{ name: string; state: string; detail: string }> = [];
      if (options.cashDevices) {
        const acceptor = options.cashDevices.acceptor.status();
        devices.push({ name: 'billAcceptor', state: acceptor.device, detail: `stacker ${acceptor.stacker}${acceptor.jammed ? ', jammed' : ''}, counter ${acceptor.lastEventCounter}` });
        const printer = options.cashDevices.printer.status();
        devices.push({ name: 'printer', state: printer.device, detail: `paper ${printer.paper}${printer.coverOpen ? ', cover open' : ''}${printer.cutterError ? ', cutter error' : ''}` });
      }
      if (options.pinPad) devices.push({ name: 'pinPad', state: options.pinPad.status().device, detail: '' });
      return { terminalId: options.identity.terminalId, serverConnected: uplink.connected, ...journal.stats(), devices, at: new Date().toISOString() };
    },
    certify: ({ citizenNumber, cardSession }) => {
      const certifiedAt = new Date();
      const certifiedOn = shanghaiToday(certifiedAt);
      journal.queueCertification({ v: PROTOCOL_VERSION, id: uuidv7(), citizenNumber, certifiedOn, certifiedAt: certifiedAt.toISOString(), cardSession }, certifiedAt.toISOString());
      outbox.kick();
      return { certifiedOn };
    },
  });
  const pinPadInput = options.pinPad ? new PinPadInput({ pad: options.pinPad, session, logger: logger.child({ component: 'pinpad' }) }) : undefined;
  session.usesPinPad = pinPadInput !== undefined;
  // The UI shows the link state: push a fresh state when it changes.
  uplink.onLinkChange(() => session.emit('state', session.state));
  const cards = cardFeedFromReader({
    reader: options.cardReader,
    today,
    logger: logger.child({ component: 'card' }),
    checkAuthenticity: async (evidence) => {
      const reply = await uplink.cardAuthenticate(evidence);
      if (!reply.ok) return { verdict: 'unavailable' };
      return reply.data.authentic ? { verdict: 'authentic', cardSession: reply.data.cardSession ?? null } : { verdict: 'not-authentic' };
    },
  });
  cards.onInserted((card) => void session.cardInserted(card));
  cards.onRemoved(() => session.cardRemoved());

  let api: LocalApi | undefined;
  try {
    api = await startLocalApi({
      session,
      host: options.host,
      port: options.port,
      uiDir: options.uiDir,
      logger: logger.child({ component: 'local-api' }),
      status: () => ({ serverConnected: uplink.connected, terminalId: options.identity.terminalId }),
      ...(options.demo ? { demo: options.demo } : {}),
    });
    await payments?.start();
    await pinPadInput?.start();
    uplink.start();
    outbox.start();
    await cards.start();
  } catch (error) {
    outbox.stop();
    await payments?.stop().catch(() => undefined);
    await pinPadInput?.stop().catch(() => undefined);
    uplink.stop();
    await api?.close();
    journal.close();
    throw error;
  }
  const localApi = api;
  logger.info({ event: 'terminal.started', terminalId: options.identity.terminalId, url: localApi.url });
  return {
    url: localApi.url,
    session,
    uplink,
    journal,
    outbox,
    payments,
    stop: async () => {
      await cards.stop();
      await payments?.stop();
      await pinPadInput?.stop();
      outbox.stop();
      uplink.stop();
      await localApi.close();
      journal.close();
      logger.info({ event: 'terminal.stopped' });
    },
  };
}
