// Kiosk money on the server: one service for every money event a kiosk sends
// (ARCHITECTURE.md journeys 2-3; issue 10 sections 2-4). The server decides
// dates, amounts and eligibility; a kiosk's word only says what cash was
// stacked, for whom, and when it claims it was:
// - a payment is booked as a contribution only when its date lies in the
//   window the server can vouch for (window.ts), the policy accepts it, and
//   the cash is exactly what the policy says is due; otherwise the cash is
//   the person's credit, with the reason, and the kiosk is told so;
// - every amount is bounded by what one cash box can hold;
// - a proof of life needs the card session the gateway issued when it
//   verified the person's card, and must have been made inside it.
// Each event is decided once (events.ts); a replay gets the first answer.
import type { Logger } from 'pino';
import { runTransaction } from '../db.js';
import { isRegistryError, type ContributionInput, type Registry } from '../registry/index.js';
import { shanghaiDate, toUtcIso } from '../registry/time.js';
import {
  haltsOutbox,
  maskCitizenNumber,
  receiptSigningBytes,
  type CashCreditEvent,
  type CertificationEvent,
  type EventOutcome,
  type HelpRequestEvent,
  type MoneyEvent,
  type PensionComplaintEvent,
  type MoneyRefusalReason,
  type MoneyResult,
  type PaymentCreditReason,
  type PaymentEvent,
  type Reply,
} from '@nongbao/protocol';
import type { CashCollections } from '../collections/service.js';
import type { CardSessions } from './card-sessions.js';
import { KioskEvents, replayAnswer, type KioskEventKind } from './events.js';
import { KIOSK_CASH_BOX_CAPACITY_FEN, KIOSK_CLOCK_SKEW_MS } from './limits.js';
import { paidAtVerdict } from './window.js';
import type { KioskRequests } from './requests.js';
import type { CertificationPhotos } from './photos.js';

/** Who sent an event: the terminal authenticated on the connection, and its last contact before it. */
export interface KioskCaller {
  terminalId: string;
  /** The terminal's last successful contact before this connection (ms); see window.ts. */
  contactFloorMs: number;
}

export interface KioskMoneyDeps {
  registry: Registry;
  cardSessions: CardSessions;
  logger: Logger;
  now?: () => number;
  /** Checks an ed25519 signature by a terminal's enrolled key (offline receipts). */
  verifyTerminalSignature: (terminalId: string, bytes: Uint8Array, signatureBase64Url: string) => boolean;
  /** Cash-box collections, and the record of each payment and credit relayed for them (issue 13 section 2). */
  collections: CashCollections;
  /** Residents' complaints and help requests (issue 12 section 1). */
  requests: KioskRequests;
  /** Proof-of-life photos, opened for the office. */
  photos: CertificationPhotos;
  /** The village a terminal stands in (its site), for a help request made without a card. */
  terminalVillage: (terminalId: string) => string | null;
}

function refused(reason: MoneyRefusalReason, message: string): Reply<MoneyResult> {
  return { ok: false, error: { code: 'refused', message, reason } };
}

const ok = (data: MoneyResult): Reply<MoneyResult> => ({ ok: true, data });

export class KioskMoney {
  private readonly events: KioskEvents;
  private readonly now: () => number;

  constructor(private readonly deps: KioskMoneyDeps) {
    this.events = new KioskEvents(deps.registry.context.db);
    this.now = deps.now ?? deps.registry.context.now;
  }

  /**
   * Runs `decide` once per event id, in one transaction with what it books:
   * a replay is answered from the record (events.ts), never decided again.
   */
  private once(caller: KioskCaller, kind: KioskEventKind, request: { id: string } & object, decide: () => Reply<MoneyResult>): Reply<MoneyResult> {
    return runTransaction(this.deps.registry.context.db, (): Reply<MoneyResult> => {
      const stored = this.events.find(request.id);
      if (stored) {
        const answer = replayAnswer(stored, caller.terminalId, kind, request as Record<string, unknown>);
        if (answer.result !== 'exists') {
          this.deps.logger.error({ event: 'kiosk.id_reused', terminalId: caller.terminalId, id: request.id, kind, result: answer.result });
        }
        return ok(answer);
      }
      const reply = decide();
      if (reply.ok && reply.data.result === 'created') {
        this.events.record({
          id: request.id,
          terminalId: caller.terminalId,
          kind,
          request,
          booking: reply.data.booking,
          ...(reply.data.reason ? { reason: reply.data.reason } : {}),
          receivedAt: new Date(this.now()).toISOString(),
        });
      }
      return reply;
    });
  }

  /**
   * One outbox request (issue 11 section 3): the events in journal order, in
   * one transaction, so the answer is sent only for committed results. At an
   * event the outbox stops at (protocol `haltsOutbox`), the rest of the batch
   * is not applied, so the ledger sees the kiosk's events in its order.
   */
  applyBatch(caller: KioskCaller, events: readonly MoneyEvent[]): EventOutcome[] {
    return runTransaction(this.deps.registry.context.db, (): EventOutcome[] => {
      const outcomes: EventOutcome[] = [];
      let halted = false;
      for (const event of events) {
        if (halted) {
          outcomes.push({ id: event.id, outcome: 'not-applied' });
          continue;
        }
        const reply = this.apply(caller, event);
        const outcome: EventOutcome = reply.ok ? { id: event.id, outcome: 'applied', money: reply.data } : { id: event.id, outcome: 'refused', error: reply.error };
        this.deps.collections.recordRelayed(caller.terminalId, event, outcome);
        outcomes.push(outcome);
        halted = haltsOutbox(event.kind, outcome);
      }
      return outcomes;
    });
  }

  apply(caller: KioskCaller, event: MoneyEvent): Reply<MoneyResult> {
    switch (event.kind) {
      case 'payment':
        return this.submitPayment(caller, event);
      case 'cash-credit':
        return this.submitCashCredit(caller, event);
      case 'certification':
        return this.submitCertification(caller, event);
      case 'collection':
        return this.deps.collections.applyCollection(caller, event);
      case 'pension-complaint':
      case 'help-request':
        return this.submitRequest(caller, event);
    }
  }

  /**
   * A complaint ("I did not receive it") or a help request: kept for the
   * county office, never money. A complaint names a month the payroll paid
   * the person, and carries the payroll's amount, not the kiosk's.
   */
  submitRequest(caller: KioskCaller, r: PensionComplaintEvent | HelpRequestEvent): Reply<MoneyResult> {
    const db = this.deps.registry.context.db;
    return db.transaction((): Reply<MoneyResult> => {
      const receivedAt = new Date(this.now()).toISOString();
      if (r.kind === 'help-request') {
        const person = r.citizenNumber === null ? undefined : this.deps.registry.persons.find(r.citizenNumber);
        if (r.citizenNumber !== null && !person) return refused('person-not-found', 'no insured person with this citizen number');
        const villageCode = person?.villageCode ?? this.deps.terminalVillage(caller.terminalId);
        return ok({ result: this.deps.requests.record(caller.terminalId, r, { villageCode, amountFen: null, receivedAt }), booking: 'request' });
      }
      const person = this.deps.registry.persons.find(r.citizenNumber);
      if (!person) return refused('person-not-found', 'no insured person with this citizen number');
      // The payroll's record of that month (registry/statements.ts reads the same table).
      const paid = db.prepare("SELECT total_fen FROM reg_payments WHERE citizen_number = ? AND month = ? AND status = 'paid'").get(r.citizenNumber, r.month) as
        | { total_fen: number }
        | undefined;
      if (!paid) return refused('pension-month-unknown', `no pension was paid to this person for ${r.month}`);
      return ok({ result: this.deps.requests.record(caller.terminalId, r, { villageCode: person.villageCode, amountFen: paid.total_fen, receivedAt }), booking: 'request' });
    })();
  }

  /** A cash contribution taken at a kiosk (journey 2). */
  submitPayment(caller: KioskCaller, p: PaymentEvent): Reply<MoneyResult> {
    return this.once(caller, 'payment', p, () => {
      if (!this.deps.registry.persons.find(p.citizenNumber)) return refused('person-not-found', 'no insured person with this citizen number');
      if (p.cashFen > KIOSK_CASH_BOX_CAPACITY_FEN) {
        return refused('amount-over-limit', `cashFen ${p.cashFen} is more than a kiosk's cash box holds (${KIOSK_CASH_BOX_CAPACITY_FEN} fen)`);
      }
      if (p.offline && !this.offlineRecordValid(caller, p)) {
        return refused('bad-offline-record', 'the signature of the provisional receipt is not this terminal\'s over this payment');
      }
      const input = { id: p.id, citizenNumber: p.citizenNumber, year: p.year, tierYuan: p.tierYuan, channel: 'kiosk' as const, terminalId: caller.terminalId, paidAt: p.paidAt };
      // Booked before events were recorded here (an older server): the registry answers the replay.
      if (this.deps.registry.contributions.has(p.id)) return this.contribution(caller, input);
      const nowMs = this.now();
      const when = paidAtVerdict(Date.parse(p.paidAt), caller.contactFloorMs, nowMs);
      if (when !== 'inside') return this.asCredit(caller, p, when, new Date(nowMs).toISOString());
      const at = toUtcIso(p.paidAt);
      const { decision } = this.deps.registry.contributions.evaluate(input);
      if (!decision.ok) return this.asCredit(caller, p, decision.reason, at);
      if (decision.dueFromPayerFen !== p.cashFen) return this.asCredit(caller, p, 'cash-mismatch', at);
      return this.contribution(caller, input);
    });
  }

  private contribution(caller: KioskCaller, input: ContributionInput): Reply<MoneyResult> {
    const result = this.deps.registry.recordContribution(input);
    if (result.result !== 'created' && result.result !== 'exists') {
      // The id is the ledger's already with other content (say, a counter payment's): nothing is booked.
      this.deps.logger.error({ event: 'payment.id_conflict', terminalId: caller.terminalId, paymentId: input.id, result: result.result });
    }
    return ok({ result: result.result as MoneyResult['result'], booking: 'contribution' });
  }

  /** A payment taken offline: its provisional receipt must be signed by this terminal (protocol receipt.ts). */
  private offlineRecordValid(caller: KioskCaller, p: PaymentEvent): boolean {
    const fields = {
      paymentId: p.id,
      amountFen: p.cashFen,
      year: p.year,
      maskedCitizenNumber: maskCitizenNumber(p.citizenNumber),
      paidAt: toUtcIso(p.paidAt),
      terminalId: caller.terminalId,
    };
    return this.deps.verifyTerminalSignature(caller.terminalId, receiptSigningBytes(fields), p.offline!.signature);
  }

  /** The cash of a payment the server will not book as a contribution: the person's credit, with the reason. */
  private asCredit(caller: KioskCaller, p: PaymentEvent, reason: PaymentCreditReason, at: string): Reply<MoneyResult> {
    this.deps.logger.warn({ event: 'payment.booked_as_credit', terminalId: caller.terminalId, paymentId: p.id, reason, cashFen: p.cashFen });
    const result = this.deps.registry.credits.recordKioskCredit({
      id: p.id,
      citizenNumber: p.citizenNumber,
      amountFen: p.cashFen,
      terminalId: caller.terminalId,
      at,
      reason,
      year: p.year,
      tierYuan: p.tierYuan,
    });
    return ok({ result: result as MoneyResult['result'], booking: 'credit', reason });
  }

  /** Cash stacked for a payment that did not complete: the person's credit, from the kiosk's cash box. */
  submitCashCredit(caller: KioskCaller, c: CashCreditEvent): Reply<MoneyResult> {
    return this.once(caller, 'cash-credit', c, () => {
      if (!this.deps.registry.persons.find(c.citizenNumber)) return refused('person-not-found', 'no insured person with this citizen number');
      if (c.amountFen > KIOSK_CASH_BOX_CAPACITY_FEN) {
        return refused('amount-over-limit', `amountFen ${c.amountFen} is more than a kiosk's cash box holds (${KIOSK_CASH_BOX_CAPACITY_FEN} fen)`);
      }
      // A credit earns nothing by its date; an untrusted date is replaced by the time it arrived.
      const nowMs = this.now();
      const inside = paidAtVerdict(Date.parse(c.at), caller.contactFloorMs, nowMs) === 'inside';
      const result = this.deps.registry.credits.recordKioskCredit({
        id: c.id,
        citizenNumber: c.citizenNumber,
        amountFen: c.amountFen,
        terminalId: caller.terminalId,
        at: inside ? toUtcIso(c.at) : new Date(nowMs).toISOString(),
        reason: c.reason,
      });
      return ok({ result: result as MoneyResult['result'], booking: 'credit' });
    });
  }

  /** The photo of a certification just booked: opened and kept for review; one that cannot be opened is kept as a problem. */
  private storePhoto(caller: KioskCaller, c: CertificationEvent): void {
    const problem = this.deps.photos.store({
      certificationId: c.id,
      terminalId: caller.terminalId,
      citizenNumber: c.citizenNumber,
      certifiedOn: c.certifiedOn,
      photo: c.photo!,
      receivedAt: new Date(this.now()).toISOString(),
    });
    if (problem) this.deps.logger.warn({ event: 'certification.photo_problem', terminalId: caller.terminalId, id: c.id, problem });
  }

  /** Proof of life at a kiosk (journey 3), on a card the gateway verified in this session. */
  submitCertification(caller: KioskCaller, c: CertificationEvent): Reply<MoneyResult> {
    // The sealed photo is not part of what a replay is compared on, nor kept in the event record.
    const { photo: _photo, ...recorded } = c;
    return this.once(caller, 'certification', recorded, () => {
      const atMs = Date.parse(c.certifiedAt);
      if (atMs > this.now() + KIOSK_CLOCK_SKEW_MS) return refused('certification-in-future', `certifiedAt ${c.certifiedAt} is in the future`);
      if (shanghaiDate(atMs) !== c.certifiedOn) return refused('certified-on-mismatch', `certifiedOn ${c.certifiedOn} is not the date of certifiedAt ${c.certifiedAt}`);
      const session = this.deps.cardSessions.check(c.cardSession, { terminalId: caller.terminalId, citizenNumber: c.citizenNumber, atMs });
      if (!session.ok) {
        this.deps.logger.warn({ event: 'certification.card_session_refused', terminalId: caller.terminalId, id: c.id, problem: session.problem });
        return refused(session.problem, `the certification does not carry a card session the gateway issued for it: ${session.problem}`);
      }
      try {
        const result = this.deps.registry.recordCertification({ id: c.id, citizenNumber: c.citizenNumber, certifiedOn: c.certifiedOn, channel: 'kiosk', terminalId: caller.terminalId });
        if (result.result === 'created' && c.photo) this.storePhoto(caller, c);
        return ok({ result: result.result, booking: 'certification' });
      } catch (error) {
        if (!isRegistryError(error)) throw error;
        if (error.code === 'id-reused-with-other-content') return ok({ result: 'exists_with_different_meta', booking: 'certification' });
        if (error.code === 'deceased') return refused('deceased', error.message);
        if (error.code === 'person-not-found') return refused('person-not-found', error.message);
        if (error.code === 'invalid-date') return refused('invalid-date', error.message);
        throw error;
      }
    });
  }
}
