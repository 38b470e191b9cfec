// The gateways of a chaos run (issue 15 section 3): one server process on the
// run's SQLite file as before, or several gateway processes sharing the run's
// PostgreSQL database behind a TCP balancer (server/src/balancer), so that a
// kiosk whose gateway is killed reconnects through the same address to
// another one. Their log lines come out of one emitter, so that a fault
// waits for "a batch committed" whichever gateway committed it.
import { EventEmitter } from 'node:events';
import { TcpBalancer } from '@nongbao/server/balancer';
import { silentLogger } from '@nongbao/server/log';
import { freePort } from './bootstrap.js';
import { CountyServer } from './county-server.js';
import type { LogLine } from './processes.js';

/** Gateway processes a run starts at most (each is a server process on a 2-core machine). */
export const CHAOS_GATEWAYS_LIMIT = 4;

function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//.test(db);
}

export class Gateways extends EventEmitter<{ line: [LogLine] }> {
  private constructor(
    readonly servers: readonly CountyServer[],
    private readonly balancer: TcpBalancer | undefined,
  ) {
    super();
    this.setMaxListeners(100);
    for (const [index, server] of servers.entries()) server.on('line', (line) => this.emit('line', { ...line, gateway: index + 1 }));
  }

  /** Starts `count` gateway processes on `db` (several need PostgreSQL) and, with more than one, the balancer in front of them. */
  static async start(options: { db: string; count: number; runDir: string }): Promise<Gateways> {
    const { db, count, runDir } = options;
    if (!Number.isInteger(count) || count < 1 || count > CHAOS_GATEWAYS_LIMIT) throw new RangeError(`a chaos run has 1..${CHAOS_GATEWAYS_LIMIT} gateways, not ${count}`);
    if (count > 1 && !isPostgresUrl(db)) throw new Error('several gateways share a PostgreSQL database (--db postgres)');
    const servers: CountyServer[] = [];
    for (let i = 0; i < count; i++) servers.push(new CountyServer(db, await freePort(), runDir, count === 1 ? 'server' : `gateway${i + 1}`));
    for (const server of servers) await server.start();
    const balancer =
      count === 1
        ? undefined
        : await TcpBalancer.start({ listen: { host: '127.0.0.1', port: 0 }, backends: servers.map((s) => ({ host: '127.0.0.1', port: s.port })), logger: silentLogger });
    return new Gateways(servers, balancer);
  }

  get engine(): 'sqlite' | 'postgres' {
    return isPostgresUrl(this.servers[0]!.db) ? 'postgres' : 'sqlite';
  }

  /** Where kiosks connect: the balancer, or the one server. */
  get port(): number {
    return this.balancer?.port ?? this.servers[0]!.port;
  }

  get alive(): boolean {
    return this.servers.every((s) => s.alive);
  }

  /** Restarts (after kill -9) summed over the gateways. */
  get lives(): number {
    return this.servers.reduce((sum, s) => sum + s.lives, 0);
  }

  /** Connections the balancer handed to each gateway (none with one gateway). */
  get connections(): number[] {
    return this.balancer ? this.balancer.stats().map((s) => s.connections) : [];
  }

  /** Disarms every live gateway's crash point. */
  disarm(): void {
    for (const s of this.servers) s.process?.send({ op: 'disarm' });
  }

  /** Starts again every gateway that is not running. */
  async restartDead(): Promise<void> {
    for (const s of this.servers) if (!s.alive) await s.restart();
  }

  async stop(): Promise<void> {
    await this.balancer?.close();
    await Promise.all(this.servers.map((s) => s.stop()));
  }
}
