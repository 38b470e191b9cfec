// Death settlement and urban-pension findings (issue 5 section 4; POLICY.md
// "Death", "When a pension is paid"). Each person is settled once: the
// reg_settlements row and the transfers commit together, and transfer ids are
// derived from the person, so a second run finds nothing to do and a replayed
// chain gets `exists`.
//
// Death: the pension is paid up to and including the month of death. Months
// the payroll paid after the death (before it was reported) were drawn from
// the account as usual; POLICY says they are paid from the pooled fund, so
// their account draws are first returned to the account (a `correction`
// referencing the original draw). Then the policy's `settleDeath` splits the
// account: inheritable sources to inheritances payable, the government source
// back to the pool unless inheritable; the whole amount paid after the death
// is recovered from the inheritance first, the rest stays to recover.
//
// Urban pension: the policy's `urbanPensionFinding` lists the months paid
// since that pension began; their whole amount becomes an amount to recover
// (owed back to the pooled fund), and the pension stops.
import { sqlEngine } from '../sql/types.js';
import { FUND, SOURCES, personAccountId, type Source, type TransferInput } from '../ledger/index.js';
import { addMonths, settleDeath, urbanPensionFinding, zeroBalances, type Balances } from '../policy/index.js';
import type { RegistryContext } from '../registry/context.js';
import { derivedUuidV7 } from '../registry/ids.js';
import { personPaymentsSql } from '../registry/schema.js';
import { monthOf, shanghaiDate, shanghaiMidnightMs, shanghaiNoonIso } from '../registry/time.js';
import { RunError } from './errors.js';
import { legacyPayrollTransferId, payrollTransferId } from './payroll.js';
import {
  RUN_CHUNK_PERSONS,
  RUN_SUMMARY_LINES_LIMIT,
  recordRunEnd,
  recordRunStart,
  submitTransfers,
  withDryRun,
  type TransferTally,
} from './run-log.js';

export interface DeathSettlementLine {
  citizenNumber: string;
  deathDate: string;
  paidAfterDeathMonths: string[];
  paidAfterDeathFen: number;
  returnedToAccountFen: number;
  inheritableFen: number;
  toPoolFen: number;
  recoveredFen: number;
  unrecoveredFen: number;
}

export interface DeathSettlementSummary {
  kind: 'death-settlement';
  runKey: string;
  dryRun: boolean;
  settled: number;
  inheritableFen: number;
  toPoolFen: number;
  recoveredFen: number;
  unrecoveredFen: number;
  transfers: TransferTally;
  lines: DeathSettlementLine[];
}

export interface UrbanPensionLine {
  citizenNumber: string;
  since: string;
  stopFromMonth: string;
  improperMonths: string[];
  recoverFen: number;
}

export interface UrbanPensionSummary {
  kind: 'urban-pension';
  runKey: string;
  dryRun: boolean;
  found: number;
  recoverFen: number;
  transfers: TransferTally;
  lines: UrbanPensionLine[];
}

function settlementId(kind: string, citizenNumber: string, timeMs: number, part: string): string {
  return derivedUuidV7(timeMs, `${kind}|${citizenNumber}|${part}`);
}

function chain(transfers: TransferInput[]): TransferInput[] {
  transfers.forEach((t, i) => {
    t.linked = i < transfers.length - 1;
  });
  return transfers;
}

export class SettlementRuns {
  constructor(private readonly ctx: RegistryContext) {}

  /**
   * The id of the payroll draw a return refers to. Payroll ids are ordered since
   * issue 5 section 7; a draw paid by a run before that carries the hashed id,
   * and a correction must name a transfer the ledger holds (reference_not_found).
   */
  private paidDrawId(paidRunKey: string, citizenNumber: string, source: Source): string {
    const month = paidRunKey.slice('payroll:'.length);
    const id = payrollTransferId(paidRunKey, month, citizenNumber, `draw:${source}`);
    if (this.ctx.ledger.getTransfer(id) !== undefined) return id;
    const legacy = legacyPayrollTransferId(paidRunKey, month, citizenNumber, `draw:${source}`);
    return this.ctx.ledger.getTransfer(legacy) !== undefined ? legacy : id;
  }

  private runKey(kind: string): string {
    return `${kind}:${shanghaiDate(this.ctx.now())}`;
  }

  deathSettlement(options: { dryRun?: boolean } = {}): DeathSettlementSummary {
    const dryRun = options.dryRun === true;
    const runKey = this.runKey('death-settlement');
    const summary: DeathSettlementSummary = {
      kind: 'death-settlement',
      runKey,
      dryRun,
      settled: 0,
      inheritableFen: 0,
      toPoolFen: 0,
      recoveredFen: 0,
      unrecoveredFen: 0,
      transfers: { created: 0, exists: 0 },
      lines: [],
    };
    const { db, ledger, policy } = this.ctx;
    const page = db.prepare(
      `SELECT citizen_number, death_date, death_reported_on FROM reg_persons p
       WHERE death_date IS NOT NULL AND death_reported_on IS NOT NULL AND citizen_number > ?
         AND NOT EXISTS (SELECT 1 FROM reg_settlements s WHERE s.citizen_number = p.citizen_number AND s.kind = 'death')
       ORDER BY citizen_number LIMIT ?`,
    );
    const paidAfter = db.prepare(
      personPaymentsSql(sqlEngine(db), 'y.month, y.total_fen, y.draw_json, y.paid_run_key', `y.status = 'paid' AND y.month > ?`),
    );
    const insert = db.prepare(
      `INSERT INTO reg_settlements (citizen_number, kind, run_key, inheritable_fen, to_pool_fen, recovered_fen, to_recover_fen, settled_at)
       VALUES (?, 'death', ?, ?, ?, ?, ?, ?)`,
    );
    const stop = db.prepare(`UPDATE reg_pensions SET stopped_month = ?, stop_reason = 'death' WHERE citizen_number = ? AND stopped_month IS NULL`);
    return withDryRun(this.ctx, dryRun, () => {
      if (!dryRun) recordRunStart(this.ctx, runKey, 'death-settlement');
      let after = '';
      for (;;) {
        const rows = page.all(after, RUN_CHUNK_PERSONS) as { citizen_number: string; death_date: string; death_reported_on: string }[];
        if (rows.length === 0) break;
        after = rows[rows.length - 1]!.citizen_number;
        db.transaction(() => {
          const transfers: TransferInput[] = [];
          for (const row of rows) {
            const cn = row.citizen_number;
            const deathMonth = monthOf(row.death_date);
            const idTime = shanghaiMidnightMs(row.death_reported_on);
            const at = shanghaiNoonIso(row.death_reported_on);
            const meta = { citizenNumber: cn, deathDate: row.death_date, kind: 'death-settlement' };
            const balances = zeroBalances();
            const read = ledger.balances(SOURCES.map((source) => personAccountId(cn, source)));
            SOURCES.forEach((source, i) => (balances[source] = read[i]!.balanceFen));
            const afterDeath = paidAfter.all(cn, deathMonth) as { month: string; total_fen: number; draw_json: string; paid_run_key: string }[];
            const personTransfers: TransferInput[] = [];
            // Return the draws of months after the death to the account.
            const returned = zeroBalances();
            const originalDraw: Partial<Record<Source, string>> = {};
            for (const p of afterDeath) {
              const draw = JSON.parse(p.draw_json) as Partial<Balances>;
              for (const source of SOURCES) {
                const fen = draw[source] ?? 0;
                if (fen <= 0) continue;
                returned[source] += fen;
                originalDraw[source] ??= this.paidDrawId(p.paid_run_key, cn, source);
              }
            }
            let returnedFen = 0;
            for (const source of SOURCES) {
              if (returned[source] <= 0) continue;
              returnedFen += returned[source];
              balances[source] += returned[source];
              personTransfers.push({
                id: settlementId('death', cn, idTime, `return:${source}`),
                debitAccountId: FUND.pooled,
                creditAccountId: personAccountId(cn, source),
                amountFen: returned[source],
                code: 'correction',
                reference: originalDraw[source]!,
                at,
                meta: { ...meta, reason: 'paid-after-death-from-pool' },
              });
            }
            const paidAfterDeathFen = afterDeath.reduce((sum, p) => sum + p.total_fen, 0);
            const settlement = settleDeath(balances, paidAfterDeathFen, row.death_date, policy);
            const inheritGovernment = settlement.toPoolFen === 0;
            for (const source of SOURCES) {
              if (balances[source] <= 0) continue;
              const toPool = source === 'government' && !inheritGovernment;
              personTransfers.push({
                id: settlementId('death', cn, idTime, `${toPool ? 'pool' : 'inherit'}:${source}`),
                debitAccountId: personAccountId(cn, source),
                creditAccountId: toPool ? FUND.pooled : FUND.inheritancesPayable,
                amountFen: balances[source],
                code: toPool ? 'death.to-pool' : 'death.inheritable',
                at,
                meta,
              });
            }
            if (settlement.recoveredFen > 0) {
              personTransfers.push({
                id: settlementId('death', cn, idTime, 'recovered'),
                debitAccountId: FUND.inheritancesPayable,
                creditAccountId: FUND.pooled,
                amountFen: settlement.recoveredFen,
                code: 'recovery.after-death',
                at,
                meta,
              });
            }
            if (settlement.unrecoveredFen > 0) {
              personTransfers.push({
                id: settlementId('death', cn, idTime, 'to-recover'),
                debitAccountId: FUND.toRecover,
                creditAccountId: FUND.pooled,
                amountFen: settlement.unrecoveredFen,
                code: 'recovery.after-death',
                at,
                meta,
              });
            }
            transfers.push(...chain(personTransfers));
            insert.run(cn, runKey, settlement.inheritableFen, settlement.toPoolFen, settlement.recoveredFen, settlement.unrecoveredFen, new Date(this.ctx.now()).toISOString());
            stop.run(addMonths(deathMonth, 1), cn);
            summary.settled += 1;
            summary.inheritableFen += settlement.inheritableFen;
            summary.toPoolFen += settlement.toPoolFen;
            summary.recoveredFen += settlement.recoveredFen;
            summary.unrecoveredFen += settlement.unrecoveredFen;
            if (summary.lines.length < RUN_SUMMARY_LINES_LIMIT) {
              summary.lines.push({
                citizenNumber: cn,
                deathDate: row.death_date,
                paidAfterDeathMonths: afterDeath.map((p) => p.month),
                paidAfterDeathFen,
                returnedToAccountFen: returnedFen,
                ...settlement,
              });
            }
          }
          const results = submitTransfers(this.ctx, transfers, summary.transfers);
          const refused = results.find((r) => r.result !== 'created' && r.result !== 'exists');
          if (refused) throw new RunError('run-failed', `the ledger refused settlement transfer ${refused.id}: ${refused.result}`);
        })();
      }
      if (!dryRun) recordRunEnd(this.ctx, runKey, summary);
      return summary;
    });
  }

  urbanPensionFindings(options: { dryRun?: boolean } = {}): UrbanPensionSummary {
    const dryRun = options.dryRun === true;
    const runKey = this.runKey('urban-pension');
    const summary: UrbanPensionSummary = { kind: 'urban-pension', runKey, dryRun, found: 0, recoverFen: 0, transfers: { created: 0, exists: 0 }, lines: [] };
    const { db } = this.ctx;
    const page = db.prepare(
      `SELECT citizen_number, urban_pension_since, urban_pension_reported_on FROM reg_persons p
       WHERE urban_pension_since IS NOT NULL AND urban_pension_reported_on IS NOT NULL AND citizen_number > ?
         AND NOT EXISTS (SELECT 1 FROM reg_settlements s WHERE s.citizen_number = p.citizen_number AND s.kind = 'urban-pension')
       ORDER BY citizen_number LIMIT ?`,
    );
    const payments = db.prepare(personPaymentsSql(sqlEngine(db), 'y.month, y.total_fen', `y.status = 'paid'`));
    const insert = db.prepare(
      `INSERT INTO reg_settlements (citizen_number, kind, run_key, inheritable_fen, to_pool_fen, recovered_fen, to_recover_fen, settled_at)
       VALUES (?, 'urban-pension', ?, 0, 0, 0, ?, ?)`,
    );
    const stop = db.prepare(`UPDATE reg_pensions SET stopped_month = ?, stop_reason = 'urban-pension' WHERE citizen_number = ? AND stopped_month IS NULL`);
    return withDryRun(this.ctx, dryRun, () => {
      if (!dryRun) recordRunStart(this.ctx, runKey, 'urban-pension');
      let after = '';
      for (;;) {
        const rows = page.all(after, RUN_CHUNK_PERSONS) as { citizen_number: string; urban_pension_since: string; urban_pension_reported_on: string }[];
        if (rows.length === 0) break;
        after = rows[rows.length - 1]!.citizen_number;
        db.transaction(() => {
          const transfers: TransferInput[] = [];
          for (const row of rows) {
            const cn = row.citizen_number;
            const paid = (payments.all(cn) as { month: string; total_fen: number }[]).map((p) => ({ month: p.month, paidFen: p.total_fen }));
            const finding = urbanPensionFinding(paid, row.urban_pension_since, row.urban_pension_reported_on);
            if (finding.recoverFen > 0) {
              transfers.push({
                id: settlementId('urban-pension', cn, shanghaiMidnightMs(row.urban_pension_reported_on), 'to-recover'),
                debitAccountId: FUND.toRecover,
                creditAccountId: FUND.pooled,
                amountFen: finding.recoverFen,
                code: 'recovery.urban-pension',
                at: shanghaiNoonIso(row.urban_pension_reported_on),
                meta: { citizenNumber: cn, since: row.urban_pension_since, months: finding.improperMonths.join(',') },
              });
            }
            insert.run(cn, runKey, finding.recoverFen, new Date(this.ctx.now()).toISOString());
            // Nothing is payable from the month the urban pension began (the payroll already skips those months).
            stop.run(monthOf(row.urban_pension_since), cn);
            summary.found += 1;
            summary.recoverFen += finding.recoverFen;
            if (summary.lines.length < RUN_SUMMARY_LINES_LIMIT) {
              summary.lines.push({ citizenNumber: cn, since: row.urban_pension_since, stopFromMonth: finding.stopFromMonth, improperMonths: finding.improperMonths, recoverFen: finding.recoverFen });
            }
          }
          const results = submitTransfers(this.ctx, transfers, summary.transfers);
          const refused = results.find((r) => r.result !== 'created' && r.result !== 'exists');
          if (refused) throw new RunError('run-failed', `the ledger refused finding transfer ${refused.id}: ${refused.result}`);
        })();
      }
      if (!dryRun) recordRunEnd(this.ctx, runKey, summary);
      return summary;
    });
  }
}
