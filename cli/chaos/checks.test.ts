import { describe, expect, it } from 'vitest';
import { runChecks, type CheckName } from './checks.js';
import type { Evidence } from './collect.js';

const P1 = '01a24570-0000-7000-8000-000000000001';
const P2 = '01a24570-0000-7000-8000-000000000002';

/** One kiosk, two payments: 200 yuan paid in full (100+50+50), and 20 yuan stacked before a cancel. */
function sound(): Evidence {
  return {
    kiosks: [
      {
        terminalId: 'kiosk-a',
        stackedYuan: [100, 50, 50, 20],
        journal: {
          terminalId: 'kiosk-a',
          payments: [
            { id: P1, citizenNumber: 'c1', year: 2026, tierYuan: 200, dueFen: 20_000, stackedFen: 20_000, state: 'complete', closeReason: null, offline: true, receiptPrinted: true },
            { id: P2, citizenNumber: 'c2', year: 2026, tierYuan: 100, dueFen: 10_000, stackedFen: 2_000, state: 'cancelled', closeReason: 'cancelled', offline: false, receiptPrinted: true },
          ],
          notes: [
            { paymentId: P1, escrowCounter: 1, amountFen: 10_000, state: 'stacked' },
            { paymentId: P1, escrowCounter: 3, amountFen: 5_000, state: 'stacked' },
            { paymentId: P1, escrowCounter: 5, amountFen: 5_000, state: 'stacked' },
            { paymentId: P2, escrowCounter: 7, amountFen: 2_000, state: 'stacked' },
          ],
          outbox: [
            { id: P1, kind: 'payment', state: 'done', result: 'created', booking: 'contribution', reason: null, attempts: 1 },
            { id: P2, kind: 'cash-credit', state: 'done', result: 'created', booking: 'credit', reason: null, attempts: 2 },
          ],
          unattributedFen: [],
        },
        receipts: [{ file: 'receipt-0.txt', qr: `NBR1|${P1}|20000|2026|513227********0011|2026-12-05T01:00:00.000Z|kiosk-a|sig` }, { file: 'receipt-1.txt', qr: `nongbao:credit:${P2}` }],
      },
    ],
    ledger: {
      cashBoxTransfers: [
        { id: P1, debitAccountId: 'cashbox:kiosk-a', creditAccountId: 'person:c1:individual', amountFen: 20_000, code: 'contribution.individual' },
        { id: P2, debitAccountId: 'cashbox:kiosk-a', creditAccountId: 'person-credit:c2', amountFen: 2_000, code: 'kiosk.cash-credit' },
      ],
      cashBoxBalanceFen: { 'kiosk-a': 22_000 },
      trial: { debitsFen: 52_000, creditsFen: 52_000 },
      balanceMismatches: [],
      doubleContributions: [],
      kioskEvents: [
        { id: P1, terminalId: 'kiosk-a', kind: 'payment', booking: 'contribution' },
        { id: P2, terminalId: 'kiosk-a', kind: 'cash-credit', booking: 'credit' },
      ],
    },
    ledgerVerify: { exitCode: 0, output: '{"ok":true}' },
    receiptVerdicts: [{ qr: `NBR1|${P1}|20000|…`, file: 'receipt-0.txt', exitCode: 0, output: 'valid: ...\nin the ledger since 2026-12-05T01:00:01.000Z, as a contribution' }],
  };
}

function failing(evidence: Evidence): CheckName[] {
  return runChecks(evidence)
    .filter((c) => !c.passed)
    .map((c) => c.name);
}

function violations(evidence: Evidence, name: CheckName): string[] {
  return runChecks(evidence)
    .find((c) => c.name === name)!
    .violations.map((v) => v.message);
}

describe('the checks after a chaos run', () => {
  it('pass when every source agrees', () => {
    expect(failing(sound())).toEqual([]);
  });

  it('find a note the acceptor stacked that the journal never saw credited', () => {
    const e = sound();
    e.kiosks[0]!.stackedYuan.push(50);
    e.kiosks[0]!.journal.notes.push({ paymentId: P2, escrowCounter: 9, amountFen: 5_000, state: 'stacking' });
    expect(failing(e)).toEqual(['notes-in-one-transfer', 'books-balance']);
    const found = runChecks(e).find((c) => c.name === 'notes-in-one-transfer')!.violations[0]!;
    expect(found.message).toContain('1 note(s) of 50.00 yuan stacked by the acceptor are in no journal record');
    expect(found.paymentIds).toEqual([P2]);
  });

  it('find cash no payment took (unattributed): it is in no ledger transfer', () => {
    const e = sound();
    e.kiosks[0]!.stackedYuan.push(10);
    e.kiosks[0]!.journal.unattributedFen.push({ eventCounter: 12, amountFen: 1_000 });
    expect(failing(e)).toContain('notes-in-one-transfer');
    expect(violations(e, 'notes-in-one-transfer')[0]).toContain('unattributed cash');
  });

  it('find a payment booked a second time under another id', () => {
    const e = sound();
    const again = '01a24570-0000-7000-8000-0000000000ff';
    e.ledger.cashBoxTransfers.push({ id: again, debitAccountId: 'cashbox:kiosk-a', creditAccountId: 'person-credit:c1', amountFen: 20_000, code: 'kiosk.cash-credit' });
    e.ledger.cashBoxBalanceFen['kiosk-a'] = 42_000;
    expect(failing(e)).toEqual(['no-payment-twice', 'books-balance', 'cash-box-equals-journal']);
  });

  it("name the payments behind a cash box that differs from its journal", () => {
    const e = sound();
    e.ledger.cashBoxTransfers.splice(1, 1);
    e.ledger.cashBoxBalanceFen['kiosk-a'] = 20_000;
    const found = runChecks(e).find((c) => c.name === 'cash-box-equals-journal')!.violations;
    expect(found.map((v) => [v.message, v.paymentIds])).toEqual([['kiosk-a: cash box 200.00 yuan in the ledger, 220.00 yuan in the journal', [P2]]]);
  });

  it('find a payment the ledger booked with another amount than its notes', () => {
    const e = sound();
    e.ledger.cashBoxTransfers[0]!.amountFen = 10_000;
    expect(violations(e, 'notes-in-one-transfer')).toEqual([`kiosk-a: payment ${P1}: the ledger booked 100.00 yuan, its notes are 200.00 yuan`]);
  });

  it('find two contributions for one person and year, and an event decided twice', () => {
    const e = sound();
    e.ledger.doubleContributions.push({ citizenNumber: 'c1', year: 2026, count: 2 });
    e.ledger.kioskEvents.push({ id: P1, terminalId: 'kiosk-a', kind: 'payment', booking: 'contribution' });
    expect(violations(e, 'no-payment-twice')).toEqual(['c1 has 2 contributions for 2026', `the gateway decided ${P1} 2 times`]);
  });

  it('fail when the ledger does not verify, or its stored balances disagree with its transfers', () => {
    const e = sound();
    e.ledgerVerify = { exitCode: 1, output: 'hash chain broken at seq 12' };
    e.ledger.balanceMismatches.push('fund:collection: stored 1/0, transfers 0/0');
    expect(failing(e)).toEqual(['books-balance', 'ledger-verify']);
  });

  it('fail when a provisional receipt does not verify, or never reached the ledger, or was never printed', () => {
    const bad = sound();
    bad.receiptVerdicts[0] = { ...bad.receiptVerdicts[0]!, exitCode: 1, output: 'NOT VALID (bad-signature)' };
    expect(failing(bad)).toEqual(['provisional-receipts-verify']);
    const missing = sound();
    missing.receiptVerdicts[0] = { ...missing.receiptVerdicts[0]!, output: 'valid: ...\nnot in the ledger yet' };
    expect(failing(missing)).toEqual(['provisional-receipts-verify']);
    const unprinted = sound();
    unprinted.kiosks[0]!.receipts = [];
    expect(violations(unprinted, 'provisional-receipts-verify')[0]).toContain('no provisional receipt carries it');
  });

  it('fail when a money event is still pending or halted, or a payment is left open', () => {
    const e = sound();
    e.kiosks[0]!.journal.outbox[1]!.state = 'halted';
    e.kiosks[0]!.journal.payments[0]!.state = 'open';
    expect(violations(e, 'outbox-drained')).toEqual([`kiosk-a: cash-credit ${P2} is halted`, `kiosk-a: payment ${P1} is still open`]);
  });
});
