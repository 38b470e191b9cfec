// Updates in the running terminal (issue 13 section 3), wired in one place
// so the composition root (terminal.ts) only attaches them: the agent on
// the gateway's offers and withdrawals, the session boundary it switches
// at, the health gate when this version runs on trial, the staff routes,
// and the IPC channel to the supervisor. Without a supervisor (a terminal
// started directly, as in the demo and the tests) offers are answered
// `unsupervised` and nothing is switched.
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { DeviceStatus } from '@nongbao/protocol';
import type { Journal } from '../journal/index.js';
import type { PaymentDesk } from '../payment.js';
import type { KioskSession } from '../session.js';
import type { Uplink } from '../uplink.js';
import { UpdateAgent, type SupervisorChannel } from './agent.js';
import { sessionBoundary } from './boundary.js';
import { runHealthGate } from './health.js';
import { SUPERVISOR_ENV, supervisorMessageSchema } from './ipc.js';
import { KioskRoot } from './layout.js';
import { staffUpdateRoutes } from './staff-routes.js';
import { readSupervisorState } from './supervisor-state.js';

export interface UpdatesRuntimeDeps {
  uplink: Uplink;
  journal: Journal;
  session: KioskSession;
  payments: PaymentDesk | undefined;
  devices: () => DeviceStatus[];
  serverUrl: string;
  dataDir: string;
  softwareVersion: string;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
}

/**
 * The IPC channel to the supervisor. Its listeners hold the process open
 * (Node refs the channel while 'message' or 'disconnect' has one), so
 * `close` removes them: a terminal that stopped exits, rather than wait for
 * the supervisor's SIGKILL (CHILD_STOP_TIMEOUT_MS) in the middle of a switch.
 */
function processChannel(logger: Logger): SupervisorChannel & { close(): void } {
  const handlers: Array<(raw: unknown) => void> = [];
  return {
    send: (message) => void process.send?.(message),
    onMessage: (listener) => {
      const handler = (raw: unknown): void => {
        const parsed = supervisorMessageSchema.safeParse(raw);
        if (parsed.success) listener(parsed.data);
        else logger.warn({ event: 'update.bad_supervisor_message' });
      };
      handlers.push(handler);
      process.on('message', handler);
    },
    close: () => {
      for (const handler of handlers.splice(0)) process.off('message', handler);
    },
  };
}

export function attachUpdates(deps: UpdatesRuntimeDeps) {
  const env = deps.env ?? process.env;
  const rootDir = env[SUPERVISOR_ENV.root];
  const supervised = rootDir !== undefined && typeof process.send === 'function';
  const logger = deps.logger;
  const channel = supervised ? processChannel(logger) : null;
  const onSupervisorGone = (): void => {
    logger.warn({ event: 'update.supervisor_gone' });
    process.kill(process.pid, 'SIGTERM');
  };
  // Without a supervisor there is no kiosk root: a path that does not exist reads as "nothing installed".
  const root = new KioskRoot(rootDir ?? join(deps.dataDir, 'no-kiosk-root'));
  const runningVersion = (supervised && env[SUPERVISOR_ENV.version]) || deps.softwareVersion;
  const trial = supervised && env[SUPERVISOR_ENV.trial] === '1';
  const agent = new UpdateAgent({
    root,
    runningVersion,
    serverUrl: deps.serverUrl,
    link: deps.uplink,
    supervisor: channel,
    boundary: sessionBoundary(deps.session, deps.payments),
    gatewayConnected: () => deps.uplink.connected,
    logger,
  });
  deps.uplink.onPush('update.offer', (offer) => agent.onOffer(offer));
  deps.uplink.onPush('update.withdraw', (withdraw) => agent.onWithdraw(withdraw));
  const trialRolloutId = trial ? (readSupervisorState(root)?.trial?.rolloutId ?? null) : undefined;
  deps.uplink.onConnect(() => void agent.onConnect(trialRolloutId));
  const gate =
    trial && channel
      ? runHealthGate({
          version: runningVersion,
          journal: deps.journal.db,
          devices: deps.devices,
          gatewayConnected: () => deps.uplink.connected,
          gatewayRequired: env[SUPERVISOR_ENV.gatewayRequired] === '1',
          send: (message) => channel.send(message),
          logger,
        })
      : null;
  if (supervised) {
    // The supervisor is gone (kill -9): stop as if told to, so two versions never run at once.
    process.once('disconnect', onSupervisorGone);
  }
  logger.info({ event: 'update.agent_started', supervised, runningVersion, trial });
  return {
    agent,
    staffRoutes: staffUpdateRoutes({ root, agent, staffPresent: () => deps.session.state.screen === 'staff', logger }),
    stop: () => {
      gate?.stop();
      agent.stop();
      channel?.close();
      process.off('disconnect', onSupervisorGone);
    },
  };
}
