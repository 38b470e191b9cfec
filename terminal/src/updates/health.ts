// The new version's side of the health gate (issue 13 section 3: "the
// journal opens and passes quick_check, devices answer, the gateway is
// reachable"): checked every HEALTH_CHECK_INTERVAL_MS and sent to the
// supervisor until all pass. A journal that fails quick_check will not mend
// by waiting: that failure is final and the supervisor switches back at
// once. The gateway is required only when the version before had it when it
// asked to switch: a village without network still updates from a USB stick.
import type { Logger } from 'pino';
import type { DeviceStatus } from '@nongbao/protocol';
import type { JournalDatabase } from '../journal/db.js';
import type { ChildMessage, HealthCheck } from './ipc.js';

export const HEALTH_CHECK_INTERVAL_MS = 500;
/** Device states that count as answering. */
const ANSWERING = new Set(['online', 'busy']);

export interface HealthDeps {
  version: string;
  journal: JournalDatabase;
  devices: () => DeviceStatus[];
  gatewayConnected: () => boolean;
  gatewayRequired: boolean;
  send: (message: ChildMessage) => void;
  logger: Logger;
  intervalMs?: number;
}

function journalCheck(db: JournalDatabase): HealthCheck {
  try {
    const result = db.pragma('quick_check', { simple: true });
    return { name: 'journal', ok: result === 'ok', detail: result === 'ok' ? 'quick_check ok' : `quick_check: ${String(result).slice(0, 150)}` };
  } catch (error) {
    return { name: 'journal', ok: false, detail: `cannot read the journal: ${(error as Error).message.slice(0, 150)}` };
  }
}

function devicesCheck(devices: DeviceStatus[]): HealthCheck {
  const silent = devices.filter((d) => !ANSWERING.has(d.state));
  return silent.length === 0
    ? { name: 'devices', ok: true, detail: devices.length ? `${devices.map((d) => d.name).join(', ')} answer` : 'no devices configured' }
    : { name: 'devices', ok: false, detail: silent.map((d) => `${d.name} ${d.state}`).join(', ').slice(0, 200) };
}

export function healthChecks(deps: HealthDeps): HealthCheck[] {
  const gateway = deps.gatewayConnected();
  return [
    journalCheck(deps.journal),
    devicesCheck(deps.devices()),
    { name: 'gateway', ok: gateway || !deps.gatewayRequired, detail: gateway ? 'connected' : deps.gatewayRequired ? 'not connected' : 'not connected (not required: none before the switch)' },
  ];
}

/** Reports health to the supervisor until every check passes (or `stop`). */
export function runHealthGate(deps: HealthDeps): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  const round = (): void => {
    const checks = healthChecks(deps);
    const ok = checks.every((c) => c.ok);
    const final = !checks.find((c) => c.name === 'journal')!.ok;
    deps.send({ type: 'health', version: deps.version, ok, final, checks });
    if (ok || final) {
      deps.logger.info({ event: 'update.health_gate_reported', ok, checks });
      return;
    }
    timer = setTimeout(round, deps.intervalMs ?? HEALTH_CHECK_INTERVAL_MS);
  };
  round();
  return { stop: () => clearTimeout(timer) };
}
