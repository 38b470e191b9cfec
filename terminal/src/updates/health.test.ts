// The new version's side of the health gate (issue 13 section 3: "the
// journal opens and passes quick_check, devices answer, the gateway is
// reachable"), on real SQLite journal files: what it sends its supervisor,
// and when it stops. switch-faults.test.ts runs the supervisor's side.
import { closeSync, mkdtempSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { DeviceStatus } from '@nongbao/protocol';
import { Journal } from '../journal/index.js';
import { runHealthGate, type HealthDeps } from './health.js';
import type { ChildMessage } from './ipc.js';

const silent = pino({ level: 'silent' });
const answering: DeviceStatus[] = [
  { name: 'billAcceptor', state: 'online', detail: '' },
  { name: 'printer', state: 'online', detail: '' },
];
const open: Array<{ close(): void }> = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

function soundJournal(): Journal {
  const journal = new Journal(join(mkdtempSync(join(tmpdir(), 'nongbao-health-')), 'journal.sqlite'));
  open.push(journal);
  return journal;
}

/** A journal file with one b-tree page overwritten: it opens, and quick_check finds the damage. */
function damagedJournal(): Database.Database {
  const path = join(mkdtempSync(join(tmpdir(), 'nongbao-health-')), 'journal.sqlite');
  const db = new Database(path);
  db.exec('CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT)');
  const insert = db.prepare('INSERT INTO note (text) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < 2_000; i++) insert.run(`note ${i} ${'x'.repeat(50)}`);
  })();
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  db.close();
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.alloc(200, 0xff), 0, 200, pageSize * 2 + 8);
  closeSync(fd);
  const damaged = new Database(path);
  open.push(damaged);
  return damaged;
}

function gate(deps: Partial<HealthDeps> & Pick<HealthDeps, 'journal'>): Promise<ChildMessage[]> {
  const sent: ChildMessage[] = [];
  return new Promise((resolve) => {
    let handle: { stop(): void } | undefined;
    handle = runHealthGate({
      version: '1.1.0',
      devices: () => answering,
      gatewayConnected: () => true,
      gatewayRequired: true,
      logger: silent,
      intervalMs: 20,
      ...deps,
      send: (message) => {
        sent.push(message);
        const last = message as Extract<ChildMessage, { type: 'health' }>;
        if (last.ok || last.final || sent.length >= 10) {
          handle?.stop();
          // A few rounds more would have been sent by now if it kept going.
          setTimeout(() => resolve(sent), 100);
        }
      },
    });
  });
}

const verdicts = (sent: ChildMessage[]) => sent.map((m) => (m.type === 'health' ? { ok: m.ok, final: m.final, failing: m.checks.filter((c) => !c.ok).map((c) => c.name) } : m));

describe('the health gate on trial', () => {
  it('passes at once when the journal is sound, the devices answer and the gateway is connected', async () => {
    const sent = await gate({ journal: soundJournal().db });
    expect(verdicts(sent)).toEqual([{ ok: true, final: false, failing: [] }]);
  });

  it('fails for good when the journal does not pass quick_check', async () => {
    const sent = await gate({ journal: damagedJournal() });
    expect(verdicts(sent)).toEqual([{ ok: false, final: true, failing: ['journal'] }]);
    const journal = (sent[0] as Extract<ChildMessage, { type: 'health' }>).checks.find((c) => c.name === 'journal')!;
    expect(journal.detail).toMatch(/^quick_check: \*\*\* in database main \*\*\*/);
  });

  it('keeps reporting a device that does not answer, and passes once it does', async () => {
    let round = 0;
    const devices = (): DeviceStatus[] => (++round < 3 ? [{ name: 'printer', state: 'offline', detail: 'no reply' }] : answering);
    const sent = await gate({ journal: soundJournal().db, devices });
    expect(verdicts(sent)).toEqual([
      { ok: false, final: false, failing: ['devices'] },
      { ok: false, final: false, failing: ['devices'] },
      { ok: true, final: false, failing: [] },
    ]);
  });

  it('waits for the gateway only when the version before had it', async () => {
    const offlineVillage = await gate({ journal: soundJournal().db, gatewayConnected: () => false, gatewayRequired: false });
    expect(verdicts(offlineVillage)).toEqual([{ ok: true, final: false, failing: [] }]);
    let connected = false;
    setTimeout(() => (connected = true), 70);
    const online = await gate({ journal: soundJournal().db, gatewayConnected: () => connected, gatewayRequired: true });
    expect(verdicts(online).at(-1)).toEqual({ ok: true, final: false, failing: [] });
    expect(verdicts(online).slice(0, -1).every((v) => 'failing' in v && v.failing.join() === 'gateway' && !v.final)).toBe(true);
    expect(online.length).toBeGreaterThan(1);
  });
});
