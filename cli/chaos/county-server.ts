// One gateway (county server) process of a chaos run, on the run's database
// (a SQLite file, or the run's PostgreSQL cluster shared by several gateways:
// gateways.ts) and its own port, restarted on both after each kill -9.
import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import { DEMO_ISSUER_KEY } from '@nongbao/drivers/card';
import { ChaosProcess, type LogLine } from './processes.js';

/** The server opens its database and listens within this (a machine busy with other work included). */
export const SERVER_START_TIMEOUT_MS = 120_000;
/** Tries to start a server process that does not come up. */
export const SERVER_START_ATTEMPTS = 3;

export class CountyServer extends EventEmitter<{ line: [LogLine] }> {
  process: ChaosProcess | undefined;
  lives = 0;

  constructor(
    /** `--db`: a SQLite file or a postgres:// URL. */
    readonly db: string,
    readonly port: number,
    private readonly runDir: string,
    /** Log file prefix: `server` alone, `gateway1`, `gateway2` ... with several. */
    readonly name = 'server',
  ) {
    super();
    this.setMaxListeners(100);
  }

  get alive(): boolean {
    return this.process?.running === true;
  }

  /** Starts the server process; one that neither listens nor exits in time is killed and started again. */
  async start(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.startOnce();
        return;
      } catch (error) {
        this.process?.kill9();
        await this.process?.exited;
        if (attempt >= SERVER_START_ATTEMPTS) throw error;
      }
    }
  }

  private async startOnce(): Promise<void> {
    const args = ['chaos', 'server-process', '--db', this.db, '--port', String(this.port), '--log-level', 'debug', '--issuer-key', DEMO_ISSUER_KEY.toString('hex')];
    const child = ChaosProcess.spawnNongbao(`${this.name}.${this.lives}`, args, join(this.runDir, 'logs'));
    this.process = child;
    child.on('line', (line) => this.emit('line', line));
    await child.waitFor('server.listening', (l) => l.event === 'server.listening', SERVER_START_TIMEOUT_MS);
  }

  /** After a kill -9: the next life, on the same database and port. */
  async restart(): Promise<void> {
    await this.process?.exited;
    this.lives += 1;
    await this.start();
  }

  async stop(): Promise<void> {
    await this.process?.stop();
  }
}
