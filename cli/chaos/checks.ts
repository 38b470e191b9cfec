// The checks after a chaos run (issue 11 section 7), over the evidence each
// source gave (collect.ts). Pure: evidence in, results out. A violation names
// what broke and the payments or kiosk it concerns; report.ts names the
// fault and step that touched them.
import type { Evidence } from './collect.js';

export const CHECKS = {
  'notes-in-one-transfer': 'every note an acceptor stacked is in exactly one ledger transfer',
  'no-payment-twice': 'no payment counted twice',
  'books-balance': 'the books balance',
  'ledger-verify': '`nongbao ledger verify` passes',
  'cash-box-equals-journal': "each kiosk's cash-box account equals its journal",
  'provisional-receipts-verify': 'every provisional receipt verifies and reached the ledger',
  'outbox-drained': 'every money event was answered (no payment left open, nothing pending or halted)',
} as const;
export type CheckName = keyof typeof CHECKS;

export interface Violation {
  check: CheckName;
  message: string;
  terminalId?: string;
  /** Payments (or money events) it concerns: report.ts finds the visits and faults behind them. */
  paymentIds: string[];
}

export interface CheckResult {
  name: CheckName;
  title: string;
  passed: boolean;
  summary: string;
  violations: Violation[];
}

function countBy<T>(items: readonly T[], key: (item: T) => string | number): Map<string | number, number> {
  const counts = new Map<string | number, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

const yuan = (fen: number) => `${(fen / 100).toFixed(2)} yuan`;

function notesInOneTransfer(e: Evidence): CheckResult {
  const violations: Violation[] = [];
  let notes = 0;
  let transfers = 0;
  for (const k of e.kiosks) {
    const v = (message: string, paymentIds: string[] = []): void => void violations.push({ check: 'notes-in-one-transfer', message: `${k.terminalId}: ${message}`, terminalId: k.terminalId, paymentIds });
    notes += k.stackedYuan.length;
    const stacked = k.journal.notes.filter((n) => n.state === 'stacked');
    const byAcceptor = countBy(k.stackedYuan, (y) => y * 100);
    const byJournal = countBy(stacked, (n) => n.amountFen);
    const byUnattributed = countBy(k.journal.unattributedFen, (u) => u.amountFen);
    for (const fen of new Set([...byAcceptor.keys(), ...byJournal.keys(), ...byUnattributed.keys()]) as Set<number>) {
      const acceptor = byAcceptor.get(fen) ?? 0;
      const journal = byJournal.get(fen) ?? 0;
      const unattributed = byUnattributed.get(fen) ?? 0;
      const suspects = k.journal.notes.filter((n) => n.state === 'stacking' && n.amountFen === fen).map((n) => n.paymentId);
      if (acceptor > journal + unattributed) v(`${acceptor - journal - unattributed} note(s) of ${yuan(fen)} stacked by the acceptor are in no journal record`, suspects);
      if (acceptor < journal + unattributed) v(`the journal records ${journal + unattributed - acceptor} note(s) of ${yuan(fen)} more than the acceptor stacked`, suspects);
      if (unattributed > 0) v(`${unattributed} note(s) of ${yuan(fen)} were stacked with no payment taking them (unattributed cash): they are in no ledger transfer`, suspects);
    }
    const outOfBox = e.ledger.cashBoxTransfers.filter((t) => t.debitAccountId === `cashbox:${k.terminalId}`);
    transfers += outOfBox.length;
    for (const p of k.journal.payments) {
      const notesFen = stacked.filter((n) => n.paymentId === p.id).reduce((sum, n) => sum + n.amountFen, 0);
      if (notesFen !== p.stackedFen) v(`payment ${p.id} counts ${yuan(p.stackedFen)} stacked, its notes ${yuan(notesFen)}`, [p.id]);
      const booked = outOfBox.filter((t) => t.id === p.id);
      if (notesFen === 0 && booked.length === 0) continue;
      if (booked.length !== 1) v(`payment ${p.id} (${yuan(notesFen)} in notes) is in ${booked.length} ledger transfers`, [p.id]);
      else if (booked[0]!.amountFen !== notesFen) v(`payment ${p.id}: the ledger booked ${yuan(booked[0]!.amountFen)}, its notes are ${yuan(notesFen)}`, [p.id]);
    }
  }
  return result('notes-in-one-transfer', violations, `${notes} notes stacked, ${transfers} ledger transfers out of cash boxes`);
}

function noPaymentTwice(e: Evidence): CheckResult {
  const violations: Violation[] = [];
  const v = (message: string, paymentIds: string[], terminalId?: string): void =>
    void violations.push({ check: 'no-payment-twice', message, paymentIds, ...(terminalId ? { terminalId } : {}) });
  for (const [id, n] of countBy(e.ledger.cashBoxTransfers, (t) => t.id)) if (n > 1) v(`money event ${id} is booked ${n} times`, [String(id)]);
  for (const c of e.ledger.doubleContributions) v(`${c.citizenNumber} has ${c.count} contributions for ${c.year}`, []);
  const journalIds = new Map<string, string>();
  for (const k of e.kiosks) for (const entry of k.journal.outbox) journalIds.set(entry.id, k.terminalId);
  for (const t of e.ledger.cashBoxTransfers.filter((t) => t.debitAccountId.startsWith('cashbox:'))) {
    const terminalId = t.debitAccountId.slice('cashbox:'.length);
    if (journalIds.get(t.id) !== terminalId) v(`the ledger books ${t.id} from ${t.debitAccountId}, which no journal of that kiosk queued`, [t.id], terminalId);
  }
  for (const [id, n] of countBy(e.ledger.kioskEvents, (k) => k.id)) if (n > 1) v(`the gateway decided ${id} ${n} times`, [String(id)]);
  return result('no-payment-twice', violations, `${e.ledger.cashBoxTransfers.length} cash-box transfers, ${e.ledger.kioskEvents.length} kiosk money events decided`);
}

function booksBalance(e: Evidence): CheckResult {
  const violations: Violation[] = [];
  const v = (message: string): void => void violations.push({ check: 'books-balance', message, paymentIds: [] });
  if (e.ledger.trial.debitsFen !== e.ledger.trial.creditsFen) v(`Σ debits ${yuan(e.ledger.trial.debitsFen)} ≠ Σ credits ${yuan(e.ledger.trial.creditsFen)}`);
  for (const m of e.ledger.balanceMismatches) v(`stored balance differs from its transfers: ${m}`);
  const stackedFen = e.kiosks.reduce((sum, k) => sum + k.stackedYuan.reduce((s, y) => s + y * 100, 0), 0);
  const boxesFen = Object.values(e.ledger.cashBoxBalanceFen).reduce((sum, b) => sum + b, 0);
  const bookedFen = e.ledger.cashBoxTransfers.reduce((sum, t) => sum + (t.debitAccountId.startsWith('cashbox:') ? t.amountFen : -t.amountFen), 0);
  if (boxesFen !== stackedFen) v(`the cash boxes hold ${yuan(boxesFen)} in the ledger, the acceptors stacked ${yuan(stackedFen)}`);
  if (bookedFen !== boxesFen) v(`transfers out of cash boxes total ${yuan(bookedFen)}, their balances ${yuan(boxesFen)}`);
  return result('books-balance', violations, `Σ debits = Σ credits = ${yuan(e.ledger.trial.debitsFen)}; cash boxes ${yuan(boxesFen)} = notes stacked ${yuan(stackedFen)}`);
}

function ledgerVerify(e: Evidence): CheckResult {
  const passed = e.ledgerVerify.exitCode === 0;
  const violations: Violation[] = passed ? [] : [{ check: 'ledger-verify', message: `exit ${e.ledgerVerify.exitCode}: ${e.ledgerVerify.output.slice(0, 500)}`, paymentIds: [] }];
  return result('ledger-verify', violations, passed ? 'hash chain, balances and postings sound' : 'failed');
}

function cashBoxEqualsJournal(e: Evidence): CheckResult {
  const violations: Violation[] = [];
  for (const k of e.kiosks) {
    const journalFen = k.journal.payments.reduce((sum, p) => sum + p.stackedFen, 0);
    const ledgerFen = e.ledger.cashBoxBalanceFen[k.terminalId] ?? 0;
    if (journalFen !== ledgerFen) {
      // The payments behind the difference: in the journal with cash and not booked from this box, or booked otherwise.
      const booked = new Map(e.ledger.cashBoxTransfers.filter((t) => t.debitAccountId === `cashbox:${k.terminalId}`).map((t) => [t.id, t.amountFen]));
      const differing = k.journal.payments.filter((p) => (booked.get(p.id) ?? 0) !== p.stackedFen).map((p) => p.id);
      violations.push({ check: 'cash-box-equals-journal', message: `${k.terminalId}: cash box ${yuan(ledgerFen)} in the ledger, ${yuan(journalFen)} in the journal`, terminalId: k.terminalId, paymentIds: differing });
    }
  }
  return result('cash-box-equals-journal', violations, `${e.kiosks.length} cash boxes`);
}

function provisionalReceipts(e: Evidence): CheckResult {
  const violations: Violation[] = [];
  for (const r of e.receiptVerdicts) {
    const paymentId = r.qr.split('|')[1] ?? '';
    if (r.exitCode !== 0) violations.push({ check: 'provisional-receipts-verify', message: `${r.file}: exit ${r.exitCode}: ${r.output}`, paymentIds: [paymentId] });
    else if (!r.output.includes('in the ledger since')) violations.push({ check: 'provisional-receipts-verify', message: `${r.file}: valid but not in the ledger: ${r.output}`, paymentIds: [paymentId] });
  }
  for (const k of e.kiosks) {
    const printed = new Set(k.receipts.filter((r) => r.qr?.startsWith('NBR1|')).map((r) => r.qr!.split('|')[1]));
    for (const p of k.journal.payments.filter((p) => p.offline && p.receiptPrinted && !printed.has(p.id))) {
      violations.push({ check: 'provisional-receipts-verify', message: `${k.terminalId}: payment ${p.id} was taken offline and its receipt marked printed, but no provisional receipt carries it`, terminalId: k.terminalId, paymentIds: [p.id] });
    }
  }
  return result('provisional-receipts-verify', violations, `${e.receiptVerdicts.length} provisional receipt(s)`);
}

function outboxDrained(e: Evidence): CheckResult {
  const violations: Violation[] = [];
  let entries = 0;
  for (const k of e.kiosks) {
    const v = (message: string, ids: string[]): void => void violations.push({ check: 'outbox-drained', message: `${k.terminalId}: ${message}`, terminalId: k.terminalId, paymentIds: ids });
    entries += k.journal.outbox.length;
    for (const entry of k.journal.outbox.filter((o) => o.state !== 'done')) v(`${entry.kind} ${entry.id} is ${entry.state}${entry.reason ? ` (${entry.reason})` : ''}`, [entry.id]);
    for (const p of k.journal.payments.filter((p) => p.state === 'open')) v(`payment ${p.id} is still open`, [p.id]);
    const queued = new Set(k.journal.outbox.map((o) => o.id));
    for (const p of k.journal.payments.filter((p) => p.state !== 'open' && p.stackedFen > 0 && !queued.has(p.id))) v(`payment ${p.id} took ${yuan(p.stackedFen)} and was never queued`, [p.id]);
  }
  return result('outbox-drained', violations, `${entries} outbox entries`);
}

function result(name: CheckName, violations: Violation[], summary: string): CheckResult {
  return { name, title: CHECKS[name], passed: violations.length === 0, summary, violations };
}

export function runChecks(evidence: Evidence): CheckResult[] {
  return [notesInOneTransfer, noPaymentTwice, booksBalance, ledgerVerify, cashBoxEqualsJournal, provisionalReceipts, outboxDrained].map((check) => check(evidence));
}
