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
import type { Express } from 'express';
import type { HelpContact, ProvisionalPayment } from '@nongbao/protocol';
import { Journal } from './journal/index.js';
import { startLocalApi, type LocalApi } from './local-api.js';
import { KioskSession, type CertificationRecorder, type InsertedCard, type RequestRecorder } from './session.js';
import type { IdleTimings } from './idle-timer.js';
import { sealPhoto } from './photo-seal.js';
import { Uplink } from './uplink.js';
import type { TerminalIdentity } from './identity.js';
import { cardFeedFromReader, shanghaiToday } from './card-feed.js';
import { OutboxRelay } from './outbox.js';
import { PaymentDesk, type CashDevices } from './payment.js';
import { CollectionDesk } from './collection.js';
import { staffRouter } from './staff-api.js';
import { PinPadInput } from './pinpad-input.js';
import { StatusReporter } from './status.js';
import { attachUpdates } from './updates/runtime.js';
import { DiagnosticsMonitor } from './diagnostics/monitor.js';
import { SelfTests } from './diagnostics/self-tests.js';

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
  /** The county's recorded prompts (`nongbao prompts import`), served before the synthesized ones. */
  promptsDir?: string;
  /** Routes only the demo mounts on the local API (demo-api.ts). */
  demoRoutes?: (session: KioskSession) => (app: Express) => void;
  /** The idle timeout's wait and countdown (defaults: IDLE_AFTER_MS, IDLE_COUNTDOWN_MS). */
  idle?: Partial<IdleTimings>;
  requestTimeoutMs?: number;
  /** Longest wait between reconnection attempts to the gateway (tests shorten it). */
  reconnectDelayMaxMs?: number;
  /** How often the outbox retries while something is pending. */
  outboxRetryIntervalMs?: number;
  /** How often the open staff screen is pushed again (default DIAGNOSTICS_REFRESH_MS). */
  diagnosticsRefreshMs?: number;
}

export interface RunningTerminal {
  url: string;
  session: KioskSession;
  uplink: Uplink;
  journal: Journal;
  outbox: OutboxRelay;
  payments: PaymentDesk | undefined;
  collections: CollectionDesk | undefined;
  stop(): Promise<void>;
}

/**
 * Proof of life with the camera's photo sealed for the server (photo-seal.ts)
 * before anything is written; without the server's photo key (never
 * connected) the certification goes with card and PIN alone.
 */
function certificationRecorder(journal: Journal, outbox: OutboxRelay, logger: Logger): CertificationRecorder {
  return ({ citizenNumber, cardSession }, photoJpeg) => {
    const id = uuidv7();
    const certifiedAt = new Date();
    const certifiedOn = shanghaiToday(certifiedAt);
    const photoKey = journal.kioskConfig()?.photoKey ?? null;
    if (photoJpeg && !photoKey) logger.warn({ event: 'certification.photo_dropped', id, reason: 'no photo key from the server yet' });
    const photo = photoJpeg && photoKey ? sealPhoto(photoJpeg, photoKey, `${id}|${citizenNumber}`) : null;
    journal.queueCertification({ id, citizenNumber, certifiedOn, certifiedAt: certifiedAt.toISOString(), cardSession, photo });
    outbox.queued();
    return { certifiedOn, photo: photo !== null };
  };
}

/** Complaints and help requests: journaled with the id made here, relayed by the outbox (durable, offline-tolerant). */
function requestRecorder(journal: Journal, outbox: OutboxRelay): RequestRecorder {
  return {
    complaint: ({ citizenNumber, month, amountFen }) => {
      journal.queueRequest({ id: uuidv7(), kind: 'pension-complaint', citizenNumber, month, amountFen, madeAt: new Date().toISOString() });
      outbox.queued();
    },
    help: (citizenNumber) => {
      journal.queueRequest({ id: uuidv7(), kind: 'help-request', citizenNumber, madeAt: new Date().toISOString() });
      outbox.queued();
    },
  };
}

function helpContact(journal: Journal): HelpContact {
  const village = journal.kioskConfig()?.village ?? null;
  return { villageName: village?.name ?? null, agentName: village?.agentName ?? null, agentPhone: village?.agentPhone ?? null };
}

export async function startTerminal(options: TerminalOptions): Promise<RunningTerminal> {
  const { logger, identity } = options;
  const journalPath = join(options.dataDir, 'journal.sqlite');
  const journal = new Journal(journalPath);
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
  const collections =
    payments && options.cashDevices
      ? new CollectionDesk({ devices: options.cashDevices, journal, payments, terminalId: identity.terminalId, logger: logger.child({ component: 'collection' }), sink: outbox })
      : undefined;
  // The session is made below; the monitor reaches it through this holder.
  let monitor!: DiagnosticsMonitor;
  const status = new StatusReporter({
    uplink,
    journal,
    devices: () => monitor.devices(),
    resources: () => monitor.resources(),
    recentErrors: () => monitor.errors.list(),
    softwareVersion: SOFTWARE_VERSION,
    logger: logger.child({ component: 'status' }),
  });
  uplink.onPush('kiosk.config', (config) => journal.saveKioskConfig(config));
  uplink.onPush('outbox.settled', (push) => outbox.settled(push));
  uplink.onConnect(() => outbox.kick());
  const session = new KioskSession({
    accounts: uplink,
    cache: journal,
    logger: logger.child({ component: 'session' }),
    ...(payments ? { payments } : {}),
    diagnostics: () => monitor.diagnostics(),
    certify: certificationRecorder(journal, outbox, logger.child({ component: 'session' })),
    requests: requestRecorder(journal, outbox),
    contact: () => helpContact(journal),
    ...(options.idle ? { idle: options.idle } : {}),
    provisional: (citizenNumber): ProvisionalPayment[] =>
      journal.payments.unconfirmedFor(citizenNumber).map((p) => ({ paymentId: p.id, year: p.year, tierYuan: p.tierYuan, cashFen: p.stackedFen, paidAt: p.closedAt ?? p.openedAt })),
  });
  monitor = new DiagnosticsMonitor({
    session,
    uplink,
    journal,
    cash: options.cashDevices,
    pinPad: options.pinPad,
    cardReader: options.cardReader,
    dataDir: options.dataDir,
    journalPath,
    terminalId: identity.terminalId,
    softwareVersion: SOFTWARE_VERSION,
    clockDriftMs: () => status.clockDriftMs,
    logger: logger.child({ component: 'diagnostics' }),
    ...(options.diagnosticsRefreshMs !== undefined ? { refreshMs: options.diagnosticsRefreshMs } : {}),
  });
  const selfTests = new SelfTests({
    cash: options.cashDevices,
    card: () => session.insertedCard,
    gateway: () => status.probe(),
    errors: monitor.errors,
    terminalId: identity.terminalId,
    softwareVersion: SOFTWARE_VERSION,
    logger: logger.child({ component: 'self-test' }),
    onResult: () => session.refreshStaff(),
  });
  monitor.selfTests = selfTests;
  monitor.start();
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

  // Signed updates (issue 13 section 3): offers, the health gate on trial, the staff's update routes.
  const updates = attachUpdates({ uplink, journal, session, payments, devices: () => monitor.devices(), serverUrl: options.serverUrl, dataDir: options.dataDir, softwareVersion: SOFTWARE_VERSION, logger: logger.child({ component: 'updates' }) });
  let api: LocalApi | undefined;
  try {
    api = await startLocalApi({
      session,
      host: options.host,
      port: options.port,
      uiDir: options.uiDir,
      ...(options.promptsDir ? { promptsDir: options.promptsDir } : {}),
      logger: logger.child({ component: 'local-api' }),
      status: () => ({ serverConnected: uplink.connected, terminalId: identity.terminalId }),
      ...(options.demoRoutes ? { demoRoutes: options.demoRoutes(session) } : {}),
      mounts: [
        {
          path: '/',
          router: staffRouter({
            staffMember: () => session.staffMember,
            collections,
            diagnostics: () => monitor.diagnostics(),
            selfTests,
            logger: logger.child({ component: 'staff-api' }),
          }),
        },
        updates.staffRoutes,
      ],
    });
    await payments?.start();
    await collections?.resume();
    await pinPadInput?.start();
    status.start();
    uplink.start();
    outbox.start();
    await cards.start();
  } catch (error) {
    outbox.stop();
    status.stop();
    updates.stop();
    monitor.stop();
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
    collections,
    stop: async () => {
      await cards.stop();
      await payments?.stop();
      await pinPadInput?.stop();
      outbox.stop();
      status.stop();
      updates.stop();
      monitor.stop();
      uplink.stop();
      await outbox.idle();
      await localApi.close();
      journal.close();
      logger.info({ event: 'terminal.stopped' });
    },
  };
}
