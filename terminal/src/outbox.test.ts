// The outbox against a fake gateway link and a real journal file: batches in
// journal order, retries of requests that timed out or were dropped, and the
// halt at a refusal until an operator settles it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { MAX_MESSAGE_BYTES, OUTBOX_BATCH_BYTES_LIMIT, PHOTO_JPEG_BYTES_LIMIT, PROTOCOL_VERSION, type ClientEventName, type DataOf, type EventOutcome, type OutboxSubmit, type Reply, type RequestOf } from '@nongbao/protocol';
import { Journal } from './journal/index.js';
import { OutboxRelay } from './outbox.js';
import { sealPhoto } from './photo-seal.js';
import { generateKeyPairSync } from 'node:crypto';
import type { GatewayLink } from './uplink.js';

const silent = pino({ level: 'silent' });
const CITIZEN = '11010519491231002X';

type Answer = (request: OutboxSubmit) => Reply<DataOf<'outbox.submit'>>;

/** A gateway link that answers outbox requests with `answer` and records them. */
class FakeLink implements GatewayLink {
  connected = true;
  readonly requests: OutboxSubmit[] = [];
  constructor(public answer: Answer) {}
  async request<E extends ClientEventName>(event: E, payload: RequestOf<E>): Promise<Reply<DataOf<E>>> {
    if (event !== 'outbox.submit') throw new Error(`unexpected ${event}`);
    const request = payload as OutboxSubmit;
    this.requests.push(request);
    return this.answer(request) as Reply<DataOf<E>>;
  }
}

const applied = (id: string, result: 'created' | 'exists' | 'exists_with_different_amount' = 'created'): EventOutcome => ({
  id,
  outcome: 'applied',
  money: { result, booking: 'contribution' },
});
const allCreated: Answer = (r) => ({ ok: true, data: { results: r.events.map((e) => applied(e.id)) } });

function journalWithPayments(count: number): { journal: Journal; ids: string[] } {
  const journal = new Journal(join(mkdtempSync(join(tmpdir(), 'nb-outbox-')), 'journal.sqlite'));
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = uuidv7();
    journal.payments.open({ id, citizenNumber: CITIZEN, year: 2026, tierYuan: 100, dueFen: 10_000, openedAt: new Date().toISOString() });
    journal.payments.noteStacking(id, i + 1, 10_000, new Date().toISOString());
    journal.noteCredited(10_000, i + 1, new Date().toISOString());
    journal.completePayment(id, new Date().toISOString());
    ids.push(id);
  }
  return { journal, ids };
}

function relay(journal: Journal, link: GatewayLink, batchLimit = 100): OutboxRelay {
  return new OutboxRelay({ journal, link, terminalId: 'kiosk-test', logger: silent, batchLimit });
}

describe('the outbox', () => {
  it('sends in batches in journal order, naming its own cash box, and marks each committed answer done', async () => {
    const { journal, ids } = journalWithPayments(5);
    const link = new FakeLink(allCreated);
    expect(await relay(journal, link, 2).round()).toBe('empty');
    expect(link.requests.map((r) => r.events.map((e) => e.id))).toEqual([ids.slice(0, 2), ids.slice(2, 4), ids.slice(4)]);
    expect(link.requests.every((r) => r.terminalId === 'kiosk-test' && r.v === PROTOCOL_VERSION)).toBe(true);
    expect(ids.map((id) => journal.outbox.get(id)!.state)).toEqual(['done', 'done', 'done', 'done', 'done']);
  });

  it('sends an entry again when its request timed out or was dropped on a connected link', async () => {
    const { journal, ids } = journalWithPayments(1);
    let calls = 0;
    const link = new FakeLink((r) => {
      calls += 1;
      if (calls === 1) return { ok: false, error: { code: 'unavailable', message: 'no reply within 20000 ms' } };
      if (calls === 2) return { ok: false, error: { code: 'internal', message: 'the server sent a reply this terminal does not understand' } };
      return allCreated(r);
    });
    const outbox = relay(journal, link);
    expect(await outbox.round()).toBe('retry-later');
    expect(journal.outbox.get(ids[0]!)).toMatchObject({ state: 'pending', attempts: 1 });
    expect(await outbox.round()).toBe('retry-later');
    expect(journal.outbox.get(ids[0]!)).toMatchObject({ state: 'pending', attempts: 2 });
    expect(await outbox.round()).toBe('empty');
    expect(journal.outbox.get(ids[0]!)).toMatchObject({ state: 'done', result: 'created' });
    expect(link.requests.map((r) => r.events[0]!.id)).toEqual([ids[0], ids[0], ids[0]]);
  });

  it('leaves an entry pending when the gateway did not apply it (after a refusal in the same batch)', async () => {
    const { journal, ids } = journalWithPayments(2);
    const link = new FakeLink((r) => ({ ok: true, data: { results: [applied(r.events[0]!.id), { id: r.events[1]!.id, outcome: 'not-applied' }] } }));
    expect(await relay(journal, link).round()).toBe('retry-later');
    expect(journal.outbox.get(ids[0]!)!.state).toBe('done');
    expect(journal.outbox.get(ids[1]!)!.state).toBe('pending');
  });

  it('stops at an id reused with other content, raises an alarm, sends nothing after it until settled', async () => {
    const { journal, ids } = journalWithPayments(3);
    const link = new FakeLink((r) => ({
      ok: true,
      data: { results: r.events.map((e, i) => (e.id === ids[1] ? applied(e.id, 'exists_with_different_amount') : i > r.events.findIndex((x) => x.id === ids[1]) && r.events.some((x) => x.id === ids[1]) ? { id: e.id, outcome: 'not-applied' as const } : applied(e.id))) },
    }));
    const outbox = relay(journal, link);
    expect(await outbox.round()).toBe('halted');
    // The entry before it in the same batch was committed: it is done, not sent again.
    expect(journal.outbox.get(ids[0]!)).toMatchObject({ state: 'done', result: 'created' });
    expect(journal.outbox.get(ids[1]!)).toMatchObject({ state: 'halted', result: 'exists_with_different_amount' });
    expect(journal.outbox.get(ids[2]!)!.state).toBe('pending');
    expect(journal.openAlarms()).toEqual([expect.objectContaining({ code: 'outbox-halted', eventId: ids[1] })]);
    // Nothing more is sent while it is halted.
    const sent = link.requests.length;
    expect(await outbox.round()).toBe('halted');
    expect(link.requests).toHaveLength(sent);
    // An operator settles it at the office; the gateway pushes outbox.settled.
    link.answer = allCreated;
    outbox.settled({ v: PROTOCOL_VERSION, eventId: ids[1]!, settledBy: 'operator', note: 'refunded at the counter' });
    await outbox.idle();
    expect(journal.outbox.get(ids[1]!)!.state).toBe('settled');
    expect(journal.outbox.get(ids[2]!)!.state).toBe('done');
    expect(journal.openAlarms()).toEqual([]);
  });

  it('goes on past a refused certification (no money moves) with an alarm for staff', async () => {
    const { journal, ids } = journalWithPayments(1);
    const certificationId = uuidv7();
    journal.queueCertification({ id: certificationId, citizenNumber: CITIZEN, certifiedOn: '2026-12-05', certifiedAt: new Date().toISOString(), cardSession: 'e30.c2ln' });
    const link = new FakeLink((r) => ({
      ok: true,
      data: {
        results: r.events.map((e) =>
          e.kind === 'certification' ? { id: e.id, outcome: 'refused' as const, error: { code: 'refused' as const, message: 'no card session', reason: 'card-session-invalid' } } : applied(e.id),
        ),
      },
    }));
    expect(await relay(journal, link).round()).toBe('empty');
    expect(journal.outbox.get(ids[0]!)!.state).toBe('done');
    expect(journal.outbox.get(certificationId)).toMatchObject({ state: 'done', reason: 'card-session-invalid' });
    expect(journal.openAlarms()).toEqual([expect.objectContaining({ code: 'certification-refused', eventId: certificationId })]);
  });

  it('halts at a row that cannot make a valid event instead of sending it', async () => {
    const { journal } = journalWithPayments(0);
    const id = uuidv7();
    // What a version-2 journal holds: a certification without a card session.
    journal.queueCertification({ id, citizenNumber: CITIZEN, certifiedOn: '2026-12-05', certifiedAt: new Date().toISOString(), cardSession: '' });
    const link = new FakeLink(allCreated);
    expect(await relay(journal, link).round()).toBe('halted');
    expect(link.requests).toHaveLength(0);
    expect(journal.outbox.get(id)).toMatchObject({ state: 'halted', result: 'unsendable' });
  });

  it('waits while the link is down', async () => {
    const { journal, ids } = journalWithPayments(1);
    const link = new FakeLink(allCreated);
    link.connected = false;
    expect(await relay(journal, link).round()).toBe('offline');
    expect(journal.outbox.get(ids[0]!)!.state).toBe('pending');
    expect(link.requests).toHaveLength(0);
  });

  it('cuts batches by size as well as by count, so a batch of photos stays under the gateway\'s message limit', async () => {
    const { journal } = journalWithPayments(0);
    const serverKey = (generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' }) as { x: string }).x;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = uuidv7();
      // The largest photo the protocol carries, of bytes that do not compress.
      const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(PHOTO_JPEG_BYTES_LIMIT - 3, i + 1)]);
      const photo = sealPhoto(jpeg, serverKey, `${id}|${CITIZEN}`);
      journal.queueCertification({ id, citizenNumber: CITIZEN, certifiedOn: '2026-11-22', certifiedAt: new Date().toISOString(), cardSession: 'e30.c2ln', photo });
      ids.push(id);
    }
    const link = new FakeLink((r) => ({ ok: true, data: { results: r.events.map((e) => ({ ...applied(e.id), money: { result: 'created', booking: 'certification' } })) } }));
    expect(await relay(journal, link).round()).toBe('empty');
    expect(link.requests.flatMap((r) => r.events.map((e) => e.id))).toEqual(ids);
    expect(link.requests.length).toBeGreaterThan(1);
    for (const request of link.requests) {
      expect(Buffer.byteLength(JSON.stringify(request))).toBeLessThan(MAX_MESSAGE_BYTES);
      if (request.events.length > 1) expect(Buffer.byteLength(JSON.stringify(request.events))).toBeLessThanOrEqual(OUTBOX_BATCH_BYTES_LIMIT + 2 * request.events.length);
    }
  });

  it('goes on past a refused complaint or help request (they move no money), with an alarm', async () => {
    const { journal, ids } = journalWithPayments(1);
    const complaint = uuidv7();
    journal.queueRequest({ id: complaint, kind: 'pension-complaint', citizenNumber: CITIZEN, month: '2026-10', amountFen: 6_625, madeAt: new Date().toISOString() });
    const help = uuidv7();
    journal.queueRequest({ id: help, kind: 'help-request', citizenNumber: null, madeAt: new Date().toISOString() });
    const { ids: later } = { ids: [uuidv7()] };
    journal.queueRequest({ id: later[0]!, kind: 'help-request', citizenNumber: CITIZEN, madeAt: new Date().toISOString() });
    const link = new FakeLink((r) => ({
      ok: true,
      data: {
        results: r.events.map((e): EventOutcome =>
          e.kind === 'pension-complaint'
            ? { id: e.id, outcome: 'refused', error: { code: 'refused', message: 'no pension was paid', reason: 'pension-month-unknown' } }
            : e.kind === 'payment'
              ? applied(e.id)
              : { id: e.id, outcome: 'applied', money: { result: 'created', booking: 'request' } },
        ),
      },
    }));
    expect(await relay(journal, link).round()).toBe('empty');
    expect(link.requests[0]!.events.map((e) => e.kind)).toEqual(['payment', 'pension-complaint', 'help-request', 'help-request']);
    expect(link.requests[0]!.events[1]).toMatchObject({ month: '2026-10', amountFen: 6_625 });
    expect([ids[0]!, complaint, help, later[0]!].map((id) => journal.outbox.get(id)!.state)).toEqual(['done', 'done', 'done', 'done']);
    expect(journal.openAlarms()).toMatchObject([{ code: 'request-refused', eventId: complaint }]);
  });
});
