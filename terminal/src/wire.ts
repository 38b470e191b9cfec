// The one place the kiosk builds the messages it sends the gateway
// (STYLE.md: "storage that builds wire messages ... grow out of"): money
// events from the journal's rows, checked against the protocol's schema
// before they leave, so a row the gateway would refuse as malformed is
// caught here, with a reason, instead of being sent.
import { moneyEventSchema, describeZodError, type MoneyEvent } from '@nongbao/protocol';
import type { Journal, OutboxRow } from './journal/index.js';

export type BuiltEvent = { ok: true; event: MoneyEvent } | { ok: false; why: string };

export function buildMoneyEvent(journal: Journal, entry: OutboxRow): BuiltEvent {
  const raw = rawEvent(journal, entry);
  if (raw === undefined) return { ok: false, why: `the journal has no ${entry.kind} row for ${entry.id}` };
  const parsed = moneyEventSchema.safeParse(raw);
  return parsed.success ? { ok: true, event: parsed.data } : { ok: false, why: `the ${entry.kind} row does not make a valid event: ${describeZodError(parsed.error)}` };
}

function rawEvent(journal: Journal, entry: OutboxRow): unknown {
  if (entry.kind === 'collection') {
    const c = journal.collections.get(entry.id);
    return (
      c && {
        kind: 'collection',
        id: c.id,
        previousId: c.previousId,
        startedAt: c.startedAt,
        staffCardNumber: c.staffCardNumber,
        notes: c.notes,
        amountFen: c.amountFen,
        payments: c.payments,
        credits: c.credits,
        unattributed: c.unattributed,
      }
    );
  }
  if (entry.kind === 'certification') {
    const c = journal.certification(entry.id);
    return (
      c && {
        kind: 'certification',
        id: c.id,
        citizenNumber: c.citizenNumber,
        certifiedOn: c.certifiedOn,
        certifiedAt: c.certifiedAt,
        cardSession: c.cardSession,
        ...(c.photo ? { photo: c.photo } : {}),
      }
    );
  }
  if (entry.kind === 'pension-complaint' || entry.kind === 'help-request') {
    const r = journal.request(entry.id);
    if (!r || r.kind !== entry.kind) return undefined;
    if (r.kind === 'help-request') return { kind: r.kind, id: r.id, citizenNumber: r.citizenNumber, at: r.madeAt };
    return { kind: r.kind, id: r.id, citizenNumber: r.citizenNumber, month: r.month, amountFen: r.amountFen, at: r.madeAt };
  }
  const p = journal.payments.get(entry.id);
  if (!p) return undefined;
  if (entry.kind === 'payment') {
    return {
      kind: 'payment',
      id: p.id,
      citizenNumber: p.citizenNumber,
      year: p.year,
      tierYuan: p.tierYuan,
      cashFen: p.stackedFen,
      paidAt: p.closedAt,
      ...(p.offlineSignature ? { offline: { signature: p.offlineSignature } } : {}),
    };
  }
  return { kind: 'cash-credit', id: p.id, citizenNumber: p.citizenNumber, amountFen: p.stackedFen, at: p.closedAt, reason: p.closeReason };
}
