// Serialisable money (issue #15 section 2): two gateways, two processes with
// their own connections, racing to pay out of the same account that must not
// go negative, each submitting every id. The account ends at zero, never
// below; each id is applied once; every batch is answered (none fails for
// the race); the chain verifies.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { PgDatabase } from '../../sql/pg-database.js';
import { freshPgDatabase } from '../../sql/test-pg.js';
import { FUND, FUND_ACCOUNT_SPECS, cashBoxAccountSpec, personAccountSpecs } from '../chart.js';
import { A_IND, CASH, CITIZEN_A, TERMINAL, testId, transfer } from '../test-support.js';
import type { TransferInput } from '../types.js';
import { openPgLedger } from './store.js';
import type { RaceOutcome, RacePlan } from './race-writer.js';

const WRITER = fileURLToPath(new URL('./race-writer.ts', import.meta.url));
/** How long a writer may take to start, or to finish its plan, on a loaded machine. */
const WRITER_TIMEOUT_MS = 60_000;

const PAYOUTS = 400;
const PAYOUT_FEN = 100;
/** Enough for 300 of the 400 payouts. */
const FUNDED_FEN = 300 * PAYOUT_FEN;

const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

function startWriter(url: string, plan: RacePlan): { child: ChildProcessWithoutNullStreams; ready: Promise<void>; outcome: Promise<RaceOutcome> } {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, url, JSON.stringify(plan)], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const ready = new Promise<void>((resolve) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.startsWith('ready\n')) resolve();
    });
  });
  const outcome = (async () => {
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`writer exited ${code}: ${err.trim().slice(-2000)}`);
    return JSON.parse(out.slice('ready\n'.length)) as RaceOutcome;
  })();
  return { child, ready, outcome };
}

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} took over ${WRITER_TIMEOUT_MS} ms`)), WRITER_TIMEOUT_MS).unref())]);
}

describe('two writers racing on the same accounts (PostgreSQL)', () => {
  let db: PgDatabase | undefined;
  afterEach(() => db?.close());

  it('never overdraws, never applies an id twice, answers every batch, and the chain verifies', async () => {
    db = freshPgDatabase('ledger_race');
    const ledger = openPgLedger(db);
    ledger.ensureAccounts([...FUND_ACCOUNT_SPECS, ...personAccountSpecs(CITIZEN_A), cashBoxAccountSpec(TERMINAL)]);
    // The person's account holds FUNDED_FEN; the cash box is emptied to the fund.
    expect(ledger.createTransfers([
      transfer(1, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: FUNDED_FEN }),
      transfer(2, { debitAccountId: FUND.inTransit, creditAccountId: CASH, amountFen: FUNDED_FEN, code: 'collection' }),
    ]).map((r) => r.result)).toEqual(['created', 'created']);
    const payouts: TransferInput[] = Array.from({ length: PAYOUTS }, (_, i) =>
      transfer(1000 + i, { debitAccountId: A_IND, creditAccountId: FUND.payout, amountFen: PAYOUT_FEN, code: 'pension.account' }),
    );
    const forward = payouts.map((_, i) => i);
    // Writer 1 goes backwards, so the two meet in the middle and then submit what the other did.
    const writers = [
      startWriter(db.url, { transfers: payouts, order: forward, batchSizes: [1, 7, 3, 10, 2] }),
      startWriter(db.url, { transfers: payouts, order: [...forward].reverse(), batchSizes: [5, 1, 9, 4] }),
    ];
    await withTimeout(Promise.all(writers.map((w) => w.ready)), 'starting the writers');
    for (const w of writers) w.child.stdin.write('go\n');
    const outcomes = await withTimeout(Promise.all(writers.map((w) => w.outcome)), 'the race');

    // Every batch was answered: none failed for the other writer's lock, seq or id.
    expect(outcomes.map((o) => o.errors)).toEqual([[], []]);
    for (const o of outcomes) expect(o.results).toHaveLength(PAYOUTS);
    const createdBy = outcomes.map((o) => new Set(o.results.filter((r) => r.result === 'created').map((r) => r.id)));
    // Both wrote: the race was real.
    expect(createdBy[0]!.size).toBeGreaterThan(0);
    expect(createdBy[1]!.size).toBeGreaterThan(0);
    // No id applied twice: no id created by both, and each writer's answer to the other's ids is `exists`.
    expect([...createdBy[0]!].filter((id) => createdBy[1]!.has(id))).toEqual([]);
    for (const [mine, theirs] of [[0, 1], [1, 0]] as const) {
      const answers = new Set(outcomes[mine]!.results.filter((r) => createdBy[theirs]!.has(r.id)).map((r) => r.result));
      expect(answers).toEqual(new Set(['exists']));
    }
    // Exactly what the account held was paid out, and it never went below zero.
    expect(createdBy[0]!.size + createdBy[1]!.size).toBe(FUNDED_FEN / PAYOUT_FEN);
    const refused = new Set(outcomes.flatMap((o) => o.results.filter((r) => r.result !== 'created' && r.result !== 'exists').map((r) => r.result)));
    expect(refused).toEqual(new Set(['would_go_negative']));
    expect(ledger.balance(A_IND).balanceFen).toBe(0);
    const stored = ledger.transfers({ accountId: A_IND, limit: 1000 }).filter((t) => t.code === 'pension.account');
    expect(new Set(stored.map((t) => t.id))).toEqual(new Set([...createdBy[0]!, ...createdBy[1]!]));
    expect(stored.some((t) => t.id === testId(1000))).toBe(true);
    const report = ledger.verify();
    expect(report).toMatchObject({ ok: true, problems: [], transfers: 2 + FUNDED_FEN / PAYOUT_FEN });
    ledger.close();
  });
});
