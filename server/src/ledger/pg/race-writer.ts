// One writer of the two-writer race (race.test.ts), in its own process with
// its own connection, as a second gateway would be: opens the ledger at
// argv[2], says "ready", waits for "go" on stdin, then submits every payout
// of the plan in its order and batch sizes, and prints one JSON line with
// each id's result and any error a batch threw.
import { createInterface } from 'node:readline';
import { PgDatabase } from '../../sql/pg-database.js';
import { openPgLedger } from './store.js';
import type { TransferInput } from '../types.js';

export interface RacePlan {
  /** The payouts, each submitted by both writers. */
  transfers: TransferInput[];
  /** Indexes into transfers in this writer's order. */
  order: number[];
  /** Batch sizes, used in turn. */
  batchSizes: number[];
}

export interface RaceOutcome {
  results: { id: string; result: string }[];
  errors: string[];
}

async function main(): Promise<void> {
  const [url, planJson] = process.argv.slice(2);
  const plan = JSON.parse(planJson!) as RacePlan;
  const db = new PgDatabase(url!);
  const ledger = openPgLedger(db);
  process.stdout.write('ready\n');
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) if (line === 'go') break;
  lines.close();
  const outcome: RaceOutcome = { results: [], errors: [] };
  for (let i = 0, b = 0; i < plan.order.length; b++) {
    const size = plan.batchSizes[b % plan.batchSizes.length]!;
    const batch = plan.order.slice(i, i + size).map((k) => plan.transfers[k]!);
    i += size;
    try {
      for (const r of ledger.createTransfers(batch)) outcome.results.push({ id: r.id, result: r.result });
    } catch (error) {
      outcome.errors.push(error instanceof Error ? `${error.name} ${(error as { code?: unknown }).code ?? ''}: ${error.message}` : String(error));
    }
  }
  ledger.close();
  db.close();
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
}

await main();
