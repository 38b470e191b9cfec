// One kiosk of the chaos run: the terminal process (restarted after each
// kill -9), the socat pseudo-terminals to its bill acceptor and printer
// simulators (in the devices process, devices.ts, which outlives the
// terminal as a real kiosk's devices outlive its software), and the proxy
// between the terminal and the gateway.
import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import { ChaosProcess, openPtyPair, type LogLine, type PtyPair } from './processes.js';
import { ChaosProxy } from './proxy.js';
import { KioskApi } from './kiosk-api.js';
import type { Devices } from './devices.js';

/** A terminal process opens its devices, its journal and its local API within this (a machine busy with other work included). */
export const TERMINAL_START_TIMEOUT_MS = 120_000;
/** Tries to start a terminal process that exits while starting. */
export const TERMINAL_START_ATTEMPTS = 3;

export interface KioskSetup {
  index: number;
  terminalId: string;
  dataDir: string;
  runDir: string;
  serverPort: number;
  countyResidents: number;
  /** Without cash devices (the backlog mode's kiosks only relay their journals). */
  cash: boolean;
  /** Connect straight to the gateway, without the proxy. */
  direct?: boolean;
}

export class Kiosk extends EventEmitter<{ line: [LogLine] }> {
  process: ChaosProcess | undefined;
  /** kill -9s survived so far (the log file of each life is numbered by it). */
  lives = 0;
  /** Starts that failed (the process exited before it served) and were tried again. */
  failedStarts = 0;
  /** The local API of the current life (its port is the OS's pick, new at each start). */
  api: KioskApi = new KioskApi('http://127.0.0.1:0');

  private constructor(
    readonly setup: KioskSetup,
    readonly proxy: ChaosProxy | undefined,
    /** To the acceptor and the printer (in that order), when the kiosk has cash devices. */
    readonly lines: PtyPair[],
    private devices: Devices | undefined,
  ) {
    super();
    this.setMaxListeners(100);
  }

  static async create(setup: KioskSetup): Promise<Kiosk> {
    const proxy = setup.direct ? undefined : await ChaosProxy.start({ host: '127.0.0.1', port: setup.serverPort });
    if (!setup.cash) return new Kiosk(setup, proxy, [], undefined);
    const ptyDir = join(setup.runDir, 'pty');
    const lines = await Promise.all([openPtyPair(ptyDir, `${setup.terminalId}-acceptor`), openPtyPair(ptyDir, `${setup.terminalId}-printer`)]);
    return new Kiosk(setup, proxy, lines, undefined);
  }

  /** The simulators on the far side of this kiosk's lines. */
  attach(devices: Devices): void {
    this.devices = devices;
  }

  /** A resident puts a note into the acceptor: 'escrow', or why it was not taken. */
  insertNote(yuan: number): Promise<string> {
    return this.devices!.insertNote(this.setup.index, yuan);
  }

  get alive(): boolean {
    return this.process?.running === true;
  }

  /**
   * Starts the terminal process and waits until it serves its local API. A
   * terminal that exits while starting (its bill acceptor did not answer
   * within ccTalk's deadlines on a loaded machine), or does not serve in
   * time, is started again, as a kiosk's supervisor would; each such start
   * is counted.
   */
  async start(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.startOnce();
        return;
      } catch (error) {
        // One that neither served nor exited in time is killed, and tried again the same way.
        this.process?.kill9();
        await this.process?.exited;
        if (attempt >= TERMINAL_START_ATTEMPTS) throw error;
        this.failedStarts += 1;
      }
    }
  }

  private async startOnce(): Promise<void> {
    const s = this.setup;
    const serverPort = this.proxy ? this.proxy.port : s.serverPort;
    const args = [
      'chaos',
      'terminal-process',
      '--server-url',
      `http://127.0.0.1:${serverPort}`,
      '--terminal-id',
      s.terminalId,
      '--data-dir',
      s.dataDir,
      // The OS picks the port: one chosen beforehand may be taken by then.
      '--port',
      '0',
      '--log-level',
      'debug',
      '--county-residents',
      String(s.countyResidents),
    ];
    if (this.lines.length === 2) args.push('--bill-acceptor-port', this.lines[0]!.host, '--printer-port', this.lines[1]!.host);
    const child = ChaosProcess.spawnNongbao(`${s.terminalId}.${this.lives}`, args, join(s.runDir, 'logs'));
    this.process = child;
    child.on('line', (line) => this.emit('line', line));
    const started = await child.waitFor('terminal.started', (l) => l.event === 'terminal.started', TERMINAL_START_TIMEOUT_MS);
    this.api = new KioskApi(String(started['url']));
  }

  /** After a kill -9: the next life. */
  async restart(): Promise<void> {
    await this.process?.exited;
    this.lives += 1;
    await this.start();
  }

  /** Notes the acceptor stacked, yuan, in order (the ground truth of the cash box). */
  async stackedYuan(): Promise<number[]> {
    return this.devices ? this.devices.stackedYuan(this.setup.index) : [];
  }

  /** The text of every receipt the printer printed, in order (QR codes as `[QR: text]`). */
  async receiptTexts(): Promise<string[]> {
    return this.devices ? this.devices.receiptTexts(this.setup.index) : [];
  }

  /** The terminal process, stopped cleanly. */
  async stopTerminal(): Promise<void> {
    await this.process?.stop();
  }

  /** The terminal, its lines and its proxy, stopped (the devices process is the run's). */
  async dispose(): Promise<void> {
    await this.process?.stop();
    for (const line of this.lines) await line.stop();
    await this.proxy?.close();
  }
}
