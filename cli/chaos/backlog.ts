// `nongbao chaos --backlog` (issue 11 section 7): a server restart under a
// backlog of 10 000 money events from 50 terminals. Each kiosk's journal is
// filled, through the kiosk's own Journal, with what a village records while
// its network is down (payments in full, and payments cancelled part-way,
// whose cash is the person's credit); the 50 terminal processes start while
// the server is down; the server starts, the kiosks flood it, and it is
// killed with SIGKILL in the middle of a batch (at received or committed, the
// nth batch, seeded), started again, and drained. Then the same checks as a
// chaos run, the notes being the journals' (there is no acceptor here).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { v7 as uuidv7 } from 'uuid';
import { silentLogger } from '@nongbao/server/log';
import { Journal, shanghaiToday } from '@nongbao/terminal';
import { OUTBOX_BATCH_LIMIT } from '@nongbao/protocol';
import type { DemoResident } from '@nongbao/server';
import { bootstrapCounty, chaosTerminalId, freePort, kioskDataDir, type PaymentOffer } from './bootstrap.js';
import { runChecks, type CheckResult } from './checks.js';
import { readKiosk, readLedger, verifyLedger, type Evidence } from './collect.js';
import { buildChaosCounty } from './county.js';
import { CountyServer } from './county-server.js';
import { serverCrashPoint } from './faults.js';
import { pendingCount } from './journal-reader.js';
import { inTurns } from './processes.js';
import { Kiosk } from './kiosk.js';
import { prng, type Prng } from './prng.js';
import { splitIntoNotes, type ServerStep } from './schedule.js';

/** Terminal processes started at once (each takes a core for a second or two). */
const TERMINAL_START_CONCURRENCY = 4;
/** The server dies within this after it starts taking the backlog. */
const KILL_TIMEOUT_MS = 180_000;
/** Every journal is empty within this after the restart. */
const BACKLOG_DRAIN_TIMEOUT_MS = 300_000;
const DRAIN_POLL_MS = 100;
/** The note a cancelled attempt stacked before the resident gave up. */
const ATTEMPT_NOTE_YUAN = 10;
/** The ccTalk event counter runs 1..255 (the notes' counters in a journal follow it). */
const EVENT_COUNTER_MAX = 255;

export interface BacklogOptions {
  seed: number;
  terminals: number;
  events: number;
  keep: boolean;
  dataDir?: string | undefined;
  progress: (line: string) => void;
}

export interface BacklogReport {
  seed: number;
  terminals: number;
  events: number;
  payments: number;
  credits: number;
  runDir: string;
  kept: boolean;
  kill: { step: ServerStep; nthBatch: number; happened: boolean; eventsCommittedBefore: number };
  figures: { terminalsStartMs: number; serverRestartMs: number; drainAfterRestartMs: number; eventsPerSecondAfterRestart: number; durationMs: number };
  checks: CheckResult[];
  passed: boolean;
}

/** Records, through the kiosk's own journal, `count` events of `residents` taken while offline: a cancelled attempt, then the payment. */
function fillJournal(path: string, residents: readonly DemoResident[], offer: PaymentOffer, count: number, rng: Prng): { payments: number; credits: number } {
  const journal = new Journal(path);
  try {
    // One transaction for the whole backlog (the journal's own ones nest as savepoints): one sync, not one per note.
    return journal.db.transaction(() => recordBacklog(journal, residents, offer, count, rng))();
  } finally {
    journal.close();
  }
}

function recordBacklog(journal: Journal, residents: readonly DemoResident[], offer: PaymentOffer, count: number, rng: Prng): { payments: number; credits: number } {
  let counter = 0;
  const stack = (paymentId: string, notesYuan: number[]) => {
    for (const yuan of notesYuan) {
      const at = new Date().toISOString();
      counter = (counter % EVENT_COUNTER_MAX) + 1;
      journal.payments.noteStacking(paymentId, counter, yuan * 100, at);
      counter = (counter % EVENT_COUNTER_MAX) + 1;
      journal.noteCredited(yuan * 100, counter, at);
    }
  };
  const made = { payments: 0, credits: 0 };
  for (let i = 0; made.payments + made.credits < count; i++) {
    const r = residents[i]!;
    const tier = offer.tiers[rng.int(offer.tiers.length)]!;
    const open = () => {
      const id = uuidv7();
      journal.payments.open({ id, citizenNumber: r.citizenNumber, year: offer.year, tierYuan: tier.tierYuan, dueFen: tier.dueFen, openedAt: new Date().toISOString() });
      return id;
    };
    if (count - made.payments - made.credits >= 2) {
      const attempt = open();
      // Cancelled after the first note: a 10-yuan one (less than any tier is due).
      stack(attempt, [Math.min(ATTEMPT_NOTE_YUAN, tier.dueFen / 100 - 1)]);
      journal.closePaymentShort(attempt, 'cancelled', new Date().toISOString());
      made.credits += 1;
    }
    const payment = open();
    stack(payment, splitIntoNotes(tier.dueFen / 100, rng.seed()));
    journal.completePayment(payment, new Date().toISOString());
    made.payments += 1;
  }
  return made;
}

async function drained(kiosks: readonly Kiosk[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (kiosks.some((k) => pendingCount(join(k.setup.dataDir, 'journal.sqlite')) > 0)) {
    if (Date.now() > deadline) throw new Error(`the backlog was not drained within ${timeoutMs} ms`);
    await sleep(DRAIN_POLL_MS);
  }
}

/** Sets up the county and the journals; the per-terminal share of the events, in order. */
async function prepare(o: BacklogOptions, runDir: string, rng: Prng): Promise<{ kiosks: Kiosk[]; server: CountyServer; payments: number; credits: number; batches: number }> {
  const perTerminal = Array.from({ length: o.terminals }, (_, i) => Math.floor(o.events / o.terminals) + (i < o.events % o.terminals ? 1 : 0));
  const residentsPer = perTerminal.map((n) => Math.ceil(n / 2));
  const county = buildChaosCounty(residentsPer.reduce((a, b) => a + b, 0), shanghaiToday());
  const ids = perTerminal.map((_, i) => chaosTerminalId(i));
  const dbPath = join(runDir, 'server.sqlite');
  o.progress(`setting up the county: ${county.residents.length} residents, ${ids.length} kiosks`);
  const offer = await bootstrapCounty({ dbPath, county, kiosks: ids.map((terminalId) => ({ terminalId, dataDir: kioskDataDir(runDir, terminalId) })), logger: silentLogger });
  o.progress(`writing ${o.events} events into ${ids.length} journals`);
  let payments = 0;
  let credits = 0;
  let first = 0;
  for (const [i, terminalId] of ids.entries()) {
    const made = fillJournal(join(kioskDataDir(runDir, terminalId), 'journal.sqlite'), county.residents.slice(first, first + residentsPer[i]!), offer, perTerminal[i]!, rng);
    first += residentsPer[i]!;
    payments += made.payments;
    credits += made.credits;
  }
  const server = new CountyServer(dbPath, await freePort(), runDir);
  const kiosks: Kiosk[] = [];
  for (const [index, terminalId] of ids.entries()) {
    const setup = { index, terminalId, dataDir: kioskDataDir(runDir, terminalId), runDir, serverPort: server.port, countyResidents: county.residents.length, cash: false, direct: true };
    kiosks.push(await Kiosk.create(setup));
  }
  const batches = perTerminal.reduce((sum, n) => sum + Math.ceil(n / OUTBOX_BATCH_LIMIT), 0);
  return { kiosks, server, payments, credits, batches };
}

export async function runBacklog(o: BacklogOptions): Promise<BacklogReport> {
  const started = Date.now();
  const rng = prng(o.seed);
  const runDir = o.dataDir ? resolve(o.dataDir) : mkdtempSync(join(tmpdir(), `nongbao-backlog-${o.seed}-`));
  mkdirSync(runDir, { recursive: true });
  const { kiosks, server, payments, credits, batches } = await prepare(o, runDir, rng);
  try {
    o.progress(`starting ${kiosks.length} terminals while the server is down`);
    const terminalsStarted = Date.now();
    await inTurns(kiosks, TERMINAL_START_CONCURRENCY, (k) => k.start());
    const terminalsStartMs = Date.now() - terminalsStarted;
    const step: ServerStep = rng.pick(['received', 'committed'] as const);
    const nthBatch = Math.max(1, Math.floor(batches * (0.2 + 0.4 * rng.next())));
    o.progress(`starting the server under the backlog; kill -9 at ${step} of batch ${nthBatch} of about ${batches}`);
    await server.start();
    const first = server.process!;
    const armed = first.waitFor('chaos.armed', (l) => l.event === 'chaos.armed', 10_000);
    first.send({ op: 'arm', point: serverCrashPoint(step, undefined, nthBatch) });
    await armed;
    let committedBefore = 0;
    first.on('line', (l) => {
      if (l.event === 'gateway.batch_committed') committedBefore += (l['ids'] as unknown[]).length;
    });
    const exit = await Promise.race([first.exited, sleep(KILL_TIMEOUT_MS, undefined, { ref: false }).then(() => undefined)]);
    const happened = exit?.signal === 'SIGKILL';
    const restarted = Date.now();
    if (happened) await server.restart();
    const serverRestartMs = Date.now() - restarted;
    o.progress(happened ? `killed after ${committedBefore} events were committed; restarted in ${serverRestartMs} ms; draining` : 'the server was not killed; draining');
    const drainStarted = Date.now();
    await drained(kiosks, BACKLOG_DRAIN_TIMEOUT_MS);
    const drainAfterRestartMs = Date.now() - drainStarted;
    o.progress('checking');
    await Promise.all(kiosks.map((k) => k.stopTerminal()));
    await server.stop();
    const checks = runChecks(await backlogEvidence(kiosks, join(runDir, 'server.sqlite')));
    const passed = happened && checks.every((c) => c.passed);
    const kept = !passed || o.keep || o.dataDir !== undefined;
    const left = o.events - committedBefore;
    await Promise.all(kiosks.map((k) => k.dispose()));
    if (!kept) rmSync(runDir, { recursive: true, force: true });
    return {
      seed: o.seed,
      terminals: o.terminals,
      events: o.events,
      payments,
      credits,
      runDir,
      kept,
      kill: { step, nthBatch, happened, eventsCommittedBefore: committedBefore },
      figures: { terminalsStartMs, serverRestartMs, drainAfterRestartMs, eventsPerSecondAfterRestart: Math.round((left * 1000) / Math.max(1, drainAfterRestartMs)), durationMs: Date.now() - started },
      checks,
      passed,
    };
  } finally {
    await Promise.all(kiosks.map((k) => k.dispose().catch(() => undefined)));
    await server.stop().catch(() => undefined);
  }
}

/** The checks' evidence, the notes being each journal's own (no acceptor in this mode). */
async function backlogEvidence(kiosks: readonly Kiosk[], dbPath: string): Promise<Evidence> {
  const evidence = kiosks.map((k) => {
    const kiosk = readKiosk(join(k.setup.dataDir, 'journal.sqlite'), k.setup.terminalId, [], []);
    kiosk.stackedYuan = kiosk.journal.notes.filter((n) => n.state === 'stacked').map((n) => n.amountFen / 100);
    return kiosk;
  });
  return { kiosks: evidence, ledger: await readLedger(dbPath), ledgerVerify: await verifyLedger(dbPath), receiptVerdicts: [] };
}

export function formatBacklog(r: BacklogReport): string {
  const f = r.figures;
  const lines = [
    `nongbao chaos --backlog: seed ${r.seed}, ${r.terminals} terminals, ${r.events} events (${r.payments} payments, ${r.credits} cash credits)`,
    `run folder: ${r.runDir}${r.kept ? '' : ' (removed: the run passed; --keep keeps it)'}`,
    `terminals started (server down) in ${(f.terminalsStartMs / 1000).toFixed(1)} s`,
    r.kill.happened
      ? `the server was killed (kill -9) at ${r.kill.step} of batch ${r.kill.nthBatch}, after ${r.kill.eventsCommittedBefore} events were committed; started again in ${(f.serverRestartMs / 1000).toFixed(1)} s`
      : `VIOLATION: the server was not killed at ${r.kill.step} of batch ${r.kill.nthBatch}`,
    `the remaining ${r.events - r.kill.eventsCommittedBefore} events drained in ${(f.drainAfterRestartMs / 1000).toFixed(1)} s after the restart (${f.eventsPerSecondAfterRestart} events/s)`,
    'checks:',
    ...r.checks.flatMap((c) => [`  ${c.passed ? 'ok  ' : 'FAIL'} ${c.title} (${c.summary})`, ...c.violations.map((v) => `       VIOLATION ${c.name}: ${v.message}`)]),
    `result: ${r.passed ? 'PASS' : 'FAIL'} in ${(f.durationMs / 1000).toFixed(0)} s`,
  ];
  return `${lines.join('\n')}\n`;
}
