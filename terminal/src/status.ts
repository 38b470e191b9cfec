// The terminal's status report to the gateway (issue 11 section 6): devices,
// outbox depth, open alarms, last error and its clock, on every connection
// and every STATUS_REPORT_INTERVAL_MS, so the county office sees the fleet.
import type { Logger } from 'pino';
import { PROTOCOL_VERSION, STATUS_ALARMS_LIMIT, STATUS_REPORT_INTERVAL_MS, type DeviceStatus, type RecentError, type Resources, type TerminalStatus } from '@nongbao/protocol';
import type { GatewayProbe } from './diagnostics/self-tests.js';
import type { Journal } from './journal/index.js';
import type { Uplink } from './uplink.js';

/** Clock drift against the server beyond which the kiosk raises an alarm (payments are dated by it). */
export const CLOCK_DRIFT_ALARM_MS = 60_000;

export class StatusReporter {
  private timer: NodeJS.Timeout | undefined;
  /** The kiosk's clock minus the server's at the last report, ms. */
  clockDriftMs: number | null = null;

  constructor(
    private readonly deps: {
      uplink: Uplink;
      journal: Journal;
      devices: () => DeviceStatus[];
      /** Resources and recent errors (issue 13 section 1: they reach the county office with this report). */
      resources: () => Resources;
      recentErrors: () => RecentError[];
      softwareVersion: string;
      logger: Logger;
      intervalMs?: number;
    },
  ) {}

  start(): void {
    this.deps.uplink.onConnect(() => void this.report());
    this.timer = setInterval(() => void this.report(), this.deps.intervalMs ?? STATUS_REPORT_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  status(): TerminalStatus {
    const stats = this.deps.journal.stats();
    const alarms = this.deps.journal.openAlarms();
    return {
      v: PROTOCOL_VERSION,
      softwareVersion: this.deps.softwareVersion,
      devices: this.deps.devices(),
      outbox: { pending: stats.outboxPending, halted: stats.outboxHalted },
      alarms: alarms.slice(-STATUS_ALARMS_LIMIT),
      lastError: alarms.at(-1)?.message ?? null,
      resources: this.deps.resources(),
      recentErrors: this.deps.recentErrors(),
      sentAt: new Date().toISOString(),
    };
  }

  async report(): Promise<void> {
    await this.probe();
  }

  /** Sends the status report and measures the round trip (staff's gateway self-test is this). */
  async probe(): Promise<GatewayProbe> {
    if (!this.deps.uplink.connected) return { ok: false, code: 'not-connected' };
    const sentMs = Date.now();
    const reply = await this.deps.uplink.request('terminal.status', this.status());
    if (!reply.ok) {
      this.deps.logger.warn({ event: 'status.report_failed', code: reply.error.code });
      return { ok: false, code: reply.error.code };
    }
    const receivedMs = Date.now();
    // The server's time is taken halfway through the round trip.
    this.clockDriftMs = Math.round((sentMs + receivedMs) / 2 - Date.parse(reply.data.serverTime));
    if (Math.abs(this.clockDriftMs) > CLOCK_DRIFT_ALARM_MS) {
      this.deps.journal.raiseAlarm('clock-drift', `the kiosk's clock is ${Math.round(this.clockDriftMs / 1000)} s off the server's`);
    } else {
      this.deps.journal.clearAlarm('clock-drift');
    }
    return { ok: true, roundTripMs: receivedMs - sentMs, clockDriftMs: this.clockDriftMs };
  }
}
