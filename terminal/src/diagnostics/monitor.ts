// Live diagnostics (issue 13 section 1): the state of every device and
// resource, recent errors and self-test results, for the staff screens and
// the status report. While the staff screen is open the terminal pushes it
// again every DIAGNOSTICS_REFRESH_MS and at once when a device changes, on
// the local API's socket `state` (the session's staff screen carries the
// diagnostics); `GET /api/staff/diagnostics` answers the same snapshot.
import type { Logger } from 'pino';
import type { CardReaderDriver } from '@nongbao/drivers/card';
import type { PinPad } from '@nongbao/drivers';
import { CARD_ERROR_CODES, gatewayErrorCode, type DeviceName, type DeviceStatus, type Diagnostics, type Resources } from '@nongbao/protocol';
import type { Journal } from '../journal/index.js';
import type { KioskSession } from '../session.js';
import type { Uplink } from '../uplink.js';
import type { CashDevices } from '../payment.js';
import { RecentErrors } from './recent-errors.js';
import { readResources } from './resources.js';
import type { SelfTests } from './self-tests.js';

/** How often the open staff screen is pushed again: disk, journal and outbox change without an event. */
export const DIAGNOSTICS_REFRESH_MS = 2_000;

export interface MonitorDeps {
  session: KioskSession;
  uplink: Uplink;
  journal: Journal;
  cash: CashDevices | undefined;
  pinPad: PinPad | undefined;
  cardReader: CardReaderDriver;
  dataDir: string;
  journalPath: string;
  terminalId: string;
  softwareVersion: string;
  clockDriftMs: () => number | null;
  logger: Logger;
  refreshMs?: number;
}

interface DeviceEventSource {
  on(event: 'deviceError' | 'statusChanged', listener: (event: { error: unknown }) => void): unknown;
  off(event: 'deviceError' | 'statusChanged', listener: (event: { error: unknown }) => void): unknown;
}

export class DiagnosticsMonitor {
  readonly errors = new RecentErrors();
  selfTests: SelfTests | undefined;
  private lastContactAt: string | null = null;
  private readers = new Set<string>();
  private readerServiceDown = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(private readonly deps: MonitorDeps) {}

  start(): void {
    const refresh = () => this.deps.session.refreshStaff();
    const { cash, pinPad, cardReader, uplink, session } = this.deps;
    for (const [name, typed] of [['billAcceptor', cash?.acceptor], ['printer', cash?.printer], ['pinPad', pinPad]] as const) {
      if (!typed) continue;
      // Every device kind emits these two (device/types.ts DeviceEvents); their typed `on` overloads do not unite.
      const device = typed as unknown as DeviceEventSource;
      const onError = (event: { error: unknown }) => {
        this.errors.recordError(event.error, name);
        refresh();
      };
      device.on('deviceError', onError);
      device.on('statusChanged', refresh);
      this.unsubscribe.push(() => {
        device.off('deviceError', onError);
        device.off('statusChanged', refresh);
      });
    }
    cardReader.on('reader-added', ({ readerName }) => (this.readers.add(readerName), (this.readerServiceDown = false), refresh()));
    cardReader.on('reader-removed', ({ readerName }) => (this.readers.delete(readerName), refresh()));
    cardReader.on('error', (error) => {
      this.errors.recordError(error, 'cardReader');
      if (error.code === CARD_ERROR_CODES.readerServiceUnavailable) this.readerServiceDown = true;
      refresh();
    });
    uplink.onLinkChange(() => {
      this.lastContactAt = new Date().toISOString();
      refresh();
    });
    uplink.onFailedReply((event, error) => this.errors.record(gatewayErrorCode(error.code), 'gateway', `${event}: ${error.code}${error.reason ? ` (${error.reason})` : ''}`));
    const onState = (state: { screen: string }) => (state.screen === 'staff' ? this.startRefreshing() : this.stopRefreshing());
    session.on('state', onState);
    this.unsubscribe.push(() => session.off('state', onState));
  }

  stop(): void {
    this.stopRefreshing();
    for (const off of this.unsubscribe.splice(0)) off();
  }

  private startRefreshing(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.deps.session.refreshStaff(), this.deps.refreshMs ?? DIAGNOSTICS_REFRESH_MS);
    this.timer.unref();
  }

  private stopRefreshing(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  devices(): (DeviceStatus & { name: DeviceName })[] {
    const { cash, pinPad } = this.deps;
    const devices: (DeviceStatus & { name: DeviceName })[] = [];
    const readerState = this.readerServiceDown ? 'offline' : this.readers.size > 0 ? 'online' : 'offline';
    devices.push({ name: 'cardReader', state: readerState, detail: [...this.readers].join(', ').slice(0, 200) });
    if (cash) {
      const acceptor = cash.acceptor.status();
      devices.push({ name: 'billAcceptor', state: acceptor.device, detail: `stacker ${acceptor.stacker}${acceptor.jammed ? ', jammed' : ''}, counter ${acceptor.lastEventCounter}` });
      const printer = cash.printer.status();
      devices.push({
        name: 'printer',
        state: printer.device,
        detail: `paper ${printer.paper}${printer.coverOpen ? ', cover open' : ''}${printer.cutterError ? ', cutter error' : ''}`,
        paper: printer.paper,
      });
    }
    if (pinPad) devices.push({ name: 'pinPad', state: pinPad.status().device, detail: '' });
    return devices;
  }

  resources(): Resources {
    const { uplink, journal } = this.deps;
    if (uplink.connected) this.lastContactAt = new Date().toISOString();
    return readResources({
      dataDir: this.deps.dataDir,
      journalPath: this.deps.journalPath,
      connected: () => uplink.connected,
      lastContactAt: () => this.lastContactAt,
      outbox: () => {
        const stats = journal.stats();
        return { pending: stats.outboxPending, halted: stats.outboxHalted };
      },
      clockDriftMs: this.deps.clockDriftMs,
      softwareVersion: this.deps.softwareVersion,
    });
  }

  diagnostics(): Diagnostics {
    return {
      terminalId: this.deps.terminalId,
      softwareVersion: this.deps.softwareVersion,
      serverConnected: this.deps.uplink.connected,
      ...this.deps.journal.stats(),
      devices: this.devices(),
      alarms: this.deps.journal.openAlarms(),
      resources: this.resources(),
      recentErrors: this.errors.list(),
      selfTests: this.selfTests?.results() ?? [],
      at: new Date().toISOString(),
    };
  }
}
