// The kiosk runtime: wires the card feed, the session, the uplink to the
// gateway, the journal and the local API for the UI.
import { join } from 'node:path';
import type { Logger } from 'pino';
import { Journal } from './journal.js';
import { startLocalApi, type DemoPanel, type LocalApi } from './local-api.js';
import { KioskSession, type InsertedCard } from './session.js';
import { Uplink } from './uplink.js';
import type { TerminalIdentity } from './identity.js';

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
  cards: CardFeed;
  demo?: DemoPanel;
  requestTimeoutMs?: number;
}

export interface RunningTerminal {
  url: string;
  session: KioskSession;
  uplink: Uplink;
  journal: Journal;
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
  const session = new KioskSession({ accounts: uplink, cache: journal, logger: logger.child({ component: 'session' }) });
  options.cards.onInserted((card) => void session.cardInserted(card));
  options.cards.onRemoved(() => session.cardRemoved());

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
    uplink.start();
    await options.cards.start();
  } catch (error) {
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
    stop: async () => {
      await options.cards.stop();
      uplink.stop();
      await localApi.close();
      journal.close();
      logger.info({ event: 'terminal.stopped' });
    },
  };
}
