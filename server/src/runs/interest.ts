// Yearly interest, credited on 31 December of year Y (POLICY.md "The personal
// account"): for each source separately, round_half_up(balance of that source
// on 1 January of Y × rate(Y)) — the policy's `yearlyInterest`. Money credited
// during Y earns from the next year; no interest for the year of death
// (POLICY.md "Death"). Transfer ids are derived from `interest:Y` and the
// person, so a second run is answered `exists` by the ledger.
import { FUND, SOURCES, personAccountId, type TransferInput } from '../ledger/index.js';
import { yearlyInterest, zeroBalances, type Balances } from '../policy/index.js';
import type { RegistryContext } from '../registry/context.js';
import { derivedUuidV7 } from '../registry/ids.js';
import { shanghaiDate, shanghaiMidnightIso, shanghaiMidnightMs, shanghaiNoonIso } from '../registry/time.js';
import { RunError } from './errors.js';
import {
  RUN_CHUNK_PERSONS,
  RUN_CONFLICTS_LIMIT,
  drain,
  drainInTurns,
  recordRunEnd,
  recordRunStart,
  stepsWithDryRun,
  submitTransfers,
  NO_PROGRESS,
  type RunConflict,
  type RunProgressSink,
  type RunSteps,
  type TransferTally,
} from './run-log.js';

export interface InterestSummary {
  kind: 'interest';
  runKey: string;
  year: number;
  dryRun: boolean;
  persons: number;
  /** Persons with interest credited (or already credited by an earlier run). */
  creditedPersons: number;
  interestFen: Balances;
  totalFen: number;
  transfers: TransferTally;
  /** Transfers the ledger refused, e.g. `exists_with_different_amount` after a backdated change. */
  conflicts: RunConflict[];
}

export function interestRunKey(year: number): string {
  return `interest:${year}`;
}

export class InterestRun {
  constructor(
    private readonly ctx: RegistryContext,
    private readonly chunkPersons = RUN_CHUNK_PERSONS,
  ) {}

  run(year: number, options: { dryRun?: boolean } = {}): InterestSummary {
    return drain(this.steps(year, options));
  }

  /** The same run, giving the event loop a turn after each chunk (a dry run is one transaction: it runs in one go). */
  runInTurns(year: number, options: { dryRun?: boolean } = {}, progress: RunProgressSink = NO_PROGRESS): Promise<InterestSummary> {
    return drainInTurns(this.steps(year, options, progress));
  }

  private *steps(year: number, options: { dryRun?: boolean }, progress: RunProgressSink = NO_PROGRESS): RunSteps<InterestSummary> {
    if (!Number.isInteger(year) || year < 2000 || year > 2200) throw new RunError('invalid-run-parameter', `year: 2000-2200 (got ${year})`, 'year');
    const today = shanghaiDate(this.ctx.now());
    // Credited on 31 December: the run may happen on that day or later.
    if (today < `${year}-12-31`) throw new RunError('run-in-future', `interest for ${year} is credited on ${year}-12-31 (today ${today})`, 'year');
    const dryRun = options.dryRun === true;
    const runKey = interestRunKey(year);
    const summary: InterestSummary = {
      kind: 'interest',
      runKey,
      year,
      dryRun,
      persons: 0,
      creditedPersons: 0,
      interestFen: zeroBalances(),
      totalFen: 0,
      transfers: { created: 0, exists: 0 },
      conflicts: [],
    };
    return yield* stepsWithDryRun(this.ctx, dryRun, () => this.work(summary, progress));
  }

  private *work(summary: InterestSummary, progress: RunProgressSink): RunSteps<InterestSummary> {
    const { db, ledger, policy } = this.ctx;
    const { year, runKey, dryRun } = summary;
    const before = shanghaiMidnightIso(`${year}-01-01`);
    const at = shanghaiNoonIso(`${year}-12-31`);
    const idTime = shanghaiMidnightMs(`${year}-12-31`);
    const page = db.prepare(
      `SELECT citizen_number FROM reg_persons
       WHERE citizen_number > ? AND (death_date IS NULL OR death_date > ?)
       ORDER BY citizen_number LIMIT ?`,
    );
    if (!dryRun) recordRunStart(this.ctx, runKey, 'interest');
    if (!dryRun) {
      const { n } = db.prepare('SELECT COUNT(*) AS n FROM reg_persons WHERE death_date IS NULL OR death_date > ?').get(`${year}-12-31`) as { n: number };
      progress.phase('crediting-interest', n);
    }
    let after = '';
    for (;;) {
      const rows = page.all(after, `${year}-12-31`, this.chunkPersons) as { citizen_number: string }[];
      if (rows.length === 0) break;
      after = rows[rows.length - 1]!.citizen_number;
      db.transaction(() => {
        const transfers: TransferInput[] = [];
        const owners: { citizenNumber: string; source: string }[] = [];
        for (const { citizen_number: cn } of rows) {
          summary.persons += 1;
          const balances = zeroBalances();
          for (const source of SOURCES) balances[source] = ledger.balance(personAccountId(cn, source), { before }).balanceFen;
          const interest = yearlyInterest(balances, year, policy);
          let any = false;
          for (const source of SOURCES) {
            if (interest[source] <= 0) continue;
            any = true;
            transfers.push({
              id: derivedUuidV7(idTime, `${runKey}|${cn}|${source}`),
              debitAccountId: FUND.interestExpense,
              creditAccountId: personAccountId(cn, source),
              amountFen: interest[source],
              code: 'interest',
              at,
              meta: { citizenNumber: cn, year, source, runKey },
            });
            owners.push({ citizenNumber: cn, source });
          }
          if (any) summary.creditedPersons += 1;
        }
        const results = submitTransfers(this.ctx, transfers, summary.transfers);
        results.forEach((r, i) => {
          const t = transfers[i]!;
          const source = owners[i]!.source as keyof Balances;
          if (r.result === 'created' || r.result === 'exists') {
            summary.interestFen[source] += t.amountFen;
            summary.totalFen += t.amountFen;
          } else if (summary.conflicts.length < RUN_CONFLICTS_LIMIT) {
            summary.conflicts.push({ citizenNumber: owners[i]!.citizenNumber, transferId: r.id, result: r.result });
          }
        });
      })();
      progress.advance(rows.length);
      yield;
    }
    if (!dryRun) recordRunEnd(this.ctx, runKey, summary);
    this.ctx.logger.info({ runKey, dryRun, totalFen: summary.totalFen }, 'interest run done');
    return summary;
  }
}
