// The kiosk runtime's composition root: wires the card feed, the session, the
// uplink to the gateway, the journal, the outbox, the payment desk, the
// status reports and the local API for the UI. No business rule lives here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sign } from 'node:crypto';
import type { Logger } from 'pino';
import { v7 as uuidv7 } from 'uuid';
import type { CardReaderDriver } from '@nongbao/drivers/card';
import type { PinPad } from '@nongbao/drivers';
import type { DeviceStatus, Diagnostics, ProvisionalPayment } from '@nongbao/protocol';
import { Journal } from './journal/index.js';
import { startLocalApi, type DemoPanel, type LocalApi } from './local-api.js';
import { KioskSession, type InsertedCard } from './session.js';
import { Uplink } from './uplink.js';
import type { TerminalIdentity } from './identity.js';
import { cardFeedFromReader, shanghaiToday } from './card-feed.js';
import { OutboxRelay } from './outbox.js';
import { PaymentDesk, type CashDevices } from './payment.js';
import { PinPadInput } from './pinpad-input.js';
import { StatusReporter } from './status.js';

/** This kiosk software's version (the terminal package's), reported to the gateway. */
export const SOFTWARE_VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

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
  /** Longest wait between reconnection attempts to the gateway (tests shorten it). */
  reconnectDelayMaxMs?: number;
  /** How often the outbox retries while something is pending. */
  outboxRetryIntervalMs?: number;
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

function deviceStatuses(cash: CashDevices | undefined, pinPad: PinPad | undefined): DeviceStatus[] {
  const devices: DeviceStatus[] = [];
  if (cash) {
    const acceptor = cash.acceptor.status();
    devices.push({ name: 'billAcceptor', state: acceptor.device, detail: `stacker ${acceptor.stacker}${acceptor.jammed ? ', jammed' : ''}, counter ${acceptor.lastEventCounter}` });
    const printer = cash.printer.status();
    devices.push({ name: 'printer', state: printer.device, detail: `paper ${printer.paper}${printer.coverOpen ? ', cover open' : ''}${printer.cutterError ? ', cutter error' : ''}` });
  }
  if (pinPad) devices.push({ name: 'pinPad', state: pinPad.status().device, detail: '' });
  return devices;
}

export async function startTerminal(options: TerminalOptions): Promise<RunningTerminal> {
  const { logger, identity } = options;
  const journal = new Journal(join(options.dataDir, 'journal.sqlite'));
  const uplink = new Uplink({
    serverUrl: options.serverUrl,
    terminalId: identity.terminalId,
    privateKey: identity.privateKey,
    logger: logger.child({ component: 'uplink' }),
    softwareVersion: SOFTWARE_VERSION,
    ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
    ...(options.reconnectDelayMaxMs !== undefined ? { reconnectDelayMaxMs: options.reconnectDelayMaxMs } : {}),
  });
  const outbox = new OutboxRelay({
    journal,
    link: uplink,
    terminalId: identity.terminalId,
    logger: logger.child({ component: 'outbox' }),
    ...(options.outboxRetryIntervalMs !== undefined ? { retryIntervalMs: options.outboxRetryIntervalMs } : {}),
  });
  const payments = options.cashDevices
    ? new PaymentDesk({
        devices: options.cashDevices,
        journal,
        terminalId: identity.terminalId,
        logger: logger.child({ component: 'payment' }),
        sink: outbox,
        signer: (bytes) => sign(null, bytes, identity.privateKey).toString('base64url'),
      })
    : undefined;
  const devices = () => deviceStatuses(options.cashDevices, options.pinPad);
  const status = new StatusReporter({ uplink, journal, devices, softwareVersion: SOFTWARE_VERSION, logger: logger.child({ component: 'status' }) });
  uplink.onPush('kiosk.config', (config) => journal.saveKioskConfig(config));
  uplink.onPush('outbox.settled', (push) => outbox.settled(push));
  uplink.onConnect(() => outbox.kick());
  const session = new KioskSession({
    accounts: uplink,
    cache: journal,
    logger: logger.child({ component: 'session' }),
    ...(payments ? { payments } : {}),
    diagnostics: (): Diagnostics => ({
      terminalId: identity.terminalId,
      serverConnected: uplink.connected,
      ...journal.stats(),
      devices: devices(),
      alarms: journal.openAlarms(),
      at: new Date().toISOString(),
    }),
    certify: ({ citizenNumber, cardSession }) => {
      const certifiedAt = new Date();
      const certifiedOn = shanghaiToday(certifiedAt);
      journal.queueCertification({ id: uuidv7(), citizenNumber, certifiedOn, certifiedAt: certifiedAt.toISOString(), cardSession });
      outbox.queued();
      return { certifiedOn };
    },
    provisional: (citizenNumber): ProvisionalPayment[] =>
      journal.payments.unconfirmedFor(citizenNumber).map((p) => ({ paymentId: p.id, year: p.year, tierYuan: p.tierYuan, cashFen: p.stackedFen, paidAt: p.closedAt ?? p.openedAt })),
  });
  const pinPadInput = options.pinPad ? new PinPadInput({ pad: options.pinPad, session, logger: logger.child({ component: 'pinpad' }) }) : undefined;
  session.usesPinPad = pinPadInput !== undefined;
  // The UI shows the link state: push a fresh state when it changes.
  uplink.onLinkChange(() => session.emit('state', session.state));
  const today = options.today ?? (() => shanghaiToday());
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
      status: () => ({ serverConnected: uplink.connected, terminalId: identity.terminalId }),
      ...(options.demo ? { demo: options.demo } : {}),
    });
    await payments?.start();
    await pinPadInput?.start();
    status.start();
    uplink.start();
    outbox.start();
    await cards.start();
  } catch (error) {
    outbox.stop();
    status.stop();
    await payments?.stop().catch(() => undefined);
    await pinPadInput?.stop().catch(() => undefined);
    uplink.stop();
    await api?.close();
    journal.close();
    throw error;
  }
  const localApi = api;
  logger.info({ event: 'terminal.started', terminalId: identity.terminalId, url: localApi.url, softwareVersion: SOFTWARE_VERSION });
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
      status.stop();
      uplink.stop();
      await outbox.idle();
      await localApi.close();
      journal.close();
      logger.info({ event: 'terminal.stopped' });
    },
  };
}
