// Two gateway processes' socket.io servers and change buses joined over the
// run's throwaway PostgreSQL cluster: what the office changes in one reaches
// the other, once, and nothing else gets in.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Server } from 'socket.io';
import { silentLogger } from '../shared/log.js';
import { ServerChanges, CHANGE_NAMES } from '../shared/changes.js';
import { freshPgDatabaseUrl } from '../sql/test-pg.js';
import { CLUSTER_CHANGE_EVENT, joinGatewayCluster, type GatewayCluster } from './cluster.js';

const SETTLE_MS = 5_000;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Member {
  io: Server;
  changes: ServerChanges;
  cluster: GatewayCluster;
  heard: [string, unknown[]][];
}

async function member(url: string): Promise<Member> {
  const http = createServer();
  const io = new Server(http, { transports: ['websocket'] });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const changes = new ServerChanges();
  const heard: [string, unknown[]][] = [];
  for (const name of CHANGE_NAMES) changes.on(name, ((...args: unknown[]) => heard.push([name, args])) as never);
  const cluster = await joinGatewayCluster(io, changes, { url, logger: silentLogger });
  cleanups.push(async () => {
    await new Promise<void>((r) => io.close(() => r()));
    await cluster.close();
  });
  return { io, changes, cluster, heard };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + SETTLE_MS;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${SETTLE_MS} ms: ${what}`);
    await sleep(20);
  }
}

describe('the gateway cluster over PostgreSQL', () => {
  it('relays each change made in one gateway to the others, once, and not back', async () => {
    const url = freshPgDatabaseUrl('cluster');
    const [a, b, c] = [await member(url), await member(url), await member(url)];
    a.changes.emit('village', '513227101201');
    b.changes.emit('update-offer', ['T-1', 'T-2']);
    await until(() => b.heard.length === 2 && c.heard.length === 2 && a.heard.length === 2, 'every gateway heard both changes');
    // Time for a change relayed back (there must be none).
    await sleep(300);
    for (const m of [a, b, c]) {
      expect(m.heard).toEqual(
        expect.arrayContaining([
          ['village', ['513227101201']],
          ['update-offer', [['T-1', 'T-2']]],
        ]),
      );
      expect(m.heard).toHaveLength(2);
    }
    expect(a.cluster.stats).toMatchObject({ sent: 1, received: 1 });
    expect(b.cluster.stats).toMatchObject({ sent: 1, received: 1 });
    expect(c.cluster.stats).toMatchObject({ sent: 0, received: 2 });
  });

  it('refuses a relayed message that is not a known change with string arguments', async () => {
    const url = freshPgDatabaseUrl('cluster');
    const [a, b] = [await member(url), await member(url)];
    a.io.serverSideEmit(CLUSTER_CHANGE_EVENT, 'drop-database', ['x']);
    a.io.serverSideEmit(CLUSTER_CHANGE_EVENT, 'village', [{ code: 1 }]);
    a.io.serverSideEmit(CLUSTER_CHANGE_EVENT, 'village', 'not-a-list');
    a.io.serverSideEmit(CLUSTER_CHANGE_EVENT, 'toString', []);
    a.changes.emit('terminal-revoked', 'T-9');
    await until(() => b.heard.length === 1, 'the revocation arrived');
    await sleep(300);
    expect(b.heard).toEqual([['terminal-revoked', ['T-9']]]);
    expect(b.cluster.stats.refused).toBe(4);
  });
});
