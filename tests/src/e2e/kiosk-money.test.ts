// Money the server can vouch for (issue 10 sections 2-4), at the gateway's
// edge over a real port: a kiosk's word decides neither the date, nor the
// amount, nor who is alive. Cash the server will not book as a contribution
// is kept as the person's credit, and the office sees it.
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { io, type Socket } from 'socket.io-client';
import { v7 as uuidv7 } from 'uuid';
import { DEMO_ISSUER_KEY, computeCardCryptogram, diversifyCardKey } from '@nongbao/drivers/card';
import { DEMO_OFFICE_PASSWORD, KIOSK_CASH_BOX_CAPACITY_FEN, createServerServices, startServer, type RunningServer } from '@nongbao/server';
import { PROTOCOL_VERSION, TERMINAL_NAMESPACE, authMessage } from '@nongbao/protocol';
import { county, pensionersLapsed, residentsWhoOwe, thisYear, today } from '../support/demo-residents.js';

const silent = pino({ level: 'silent' });

interface Kiosk {
  terminalId: string;
  privateKey: KeyObject;
  socket?: Socket;
}

function handshake(kiosk: Kiosk) {
  const base = { terminalId: kiosk.terminalId, timestampMs: Date.now(), nonce: randomBytes(16).toString('hex') };
  return { v: PROTOCOL_VERSION, ...base, signature: sign(null, authMessage(base), kiosk.privateKey).toString('base64') };
}

async function enrolKiosk(server: RunningServer, terminalId: string): Promise<Kiosk> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const code = server.terminals.issueEnrolCode(terminalId);
  const response = await fetch(`${server.url}/api/v1/terminals/enrol`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ terminalId, code, publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64') }),
  });
  expect(response.status).toBe(201);
  return { terminalId, privateKey };
}

function connect(server: RunningServer, kiosk: Kiosk): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = io(`${server.url}${TERMINAL_NAMESPACE}`, { transports: ['websocket'], reconnection: false, auth: handshake(kiosk) });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
    kiosk.socket = socket;
  });
}

type Reply = { ok: true; data: Record<string, unknown> } | { ok: false; error: { code: string; reason?: string; message: string } };

async function ask(kiosk: Kiosk, event: string, payload: unknown): Promise<Reply> {
  return (await kiosk.socket!.timeout(5_000).emitWithAck(event, payload)) as Reply;
}

/** Sends one money event in an outbox request, as the kiosk's outbox does, and answers its outcome as a reply. */
async function submit(kiosk: Kiosk, event: Record<string, unknown>): Promise<Reply> {
  const reply = (await kiosk.socket!.timeout(5_000).emitWithAck('outbox.submit', { v: PROTOCOL_VERSION, terminalId: kiosk.terminalId, events: [event] })) as
    | { ok: true; data: { results: [{ outcome: string; money?: Record<string, unknown>; error?: { code: string; reason?: string; message: string } }] } }
    | { ok: false; error: { code: string; reason?: string; message: string } };
  if (!reply.ok) return reply;
  const [outcome] = reply.data.results;
  return outcome.outcome === 'applied' ? { ok: true, data: outcome.money! } : { ok: false, error: outcome.error! };
}

/** What a real card answers: the cryptogram of its diversified key over the challenge. */
function cardEvidence(resident: (typeof county.residents)[number]) {
  const challenge = randomBytes(16);
  const cryptogram = computeCardCryptogram(diversifyCardKey(DEMO_ISSUER_KEY, resident.card.cardIdentifier), resident.card.cardIdentifier, challenge);
  return {
    v: PROTOCOL_VERSION,
    cardIdentifier: resident.card.cardIdentifier,
    challenge: challenge.toString('hex'),
    cryptogram: cryptogram.toString('hex'),
    citizenNumber: resident.citizenNumber,
    cardNumber: resident.card.cardNumber,
    kind: 'resident' as const,
  };
}

describe('money the server can vouch for', () => {
  let server: RunningServer;
  let kiosk: Kiosk;
  let other: Kiosk;
  let token: string;
  const payer = residentsWhoOwe[0]!;
  const secondPayer = residentsWhoOwe[1]!;
  const thirdPayer = residentsWhoOwe[2]!;
  const pensioner = pensionersLapsed[0]!;

  const statement = async (citizenNumber: string) => {
    const res = await fetch(`${server.url}/api/v1/persons/${citizenNumber}/statement`, { headers: { authorization: `Bearer ${token}` } });
    return (await res.json()) as { contributions: { year: number }[]; credits: { balanceFen: number; entries: { id: string; reason: string; amountFen: number }[] }; certification: { lastCertifiedOn: string | null } };
  };
  const payment = (citizenNumber: string, extra: Record<string, unknown> = {}) => ({
    kind: 'payment',
    id: uuidv7(),
    citizenNumber,
    year: thisYear,
    tierYuan: 100,
    cashFen: 10_000,
    paidAt: new Date().toISOString(),
    ...extra,
  });

  beforeAll(async () => {
    server = await startServer({
      db: join(mkdtempSync(join(tmpdir(), 'nb-kiosk-money-')), 'server.sqlite'),
      host: '127.0.0.1',
      port: 0,
      logger: silent,
      services: (db, gateway) => createServerServices(db, { logger: silent, seedDemo: county, issuerKey: DEMO_ISSUER_KEY }, gateway),
    });
    kiosk = await enrolKiosk(server, 'kiosk-money-01');
    other = await enrolKiosk(server, 'kiosk-money-02');
    await connect(server, kiosk);
    await connect(server, other);
    const login = await fetch(`${server.url}/api/v1/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'auditor', password: DEMO_OFFICE_PASSWORD }),
    });
    token = ((await login.json()) as { token: string }).token;
  });
  afterAll(async () => {
    kiosk?.socket?.close();
    other?.socket?.close();
    await server?.close();
  });

  it('books a payment dated long before the kiosk last spoke to the server as the person credit, not a subsidised 2015 contribution', async () => {
    // Someone who never paid 2015 and could have: the policy would take 2015 as a subsidised payment made in 2015.
    const unpaid2015 = county.residents.find(
      (r) => residentsWhoOwe.includes(r) && r !== payer && !r.contributions.some((c) => c.year === 2015) && Number(r.birthDate.slice(0, 4)) + 16 <= 2015,
    );
    expect(unpaid2015).toBeDefined();
    const before = await statement(unpaid2015!.citizenNumber);
    const backdated = payment(unpaid2015!.citizenNumber, { year: 2015, paidAt: '2015-03-01T10:00:00+08:00' });
    const reply = await submit(kiosk, backdated);
    expect(reply).toEqual({ ok: true, data: { result: 'created', booking: 'credit', reason: 'paid-at-before-window' } });
    const s = await statement(unpaid2015!.citizenNumber);
    expect(s.contributions).toEqual(before.contributions);
    expect(s.credits.entries).toContainEqual(expect.objectContaining({ id: backdated.id, amountFen: 10_000, reason: 'paid-at-before-window' }));
    // A replay gets the first answer, and books nothing more.
    expect(await submit(kiosk, backdated)).toEqual({ ok: true, data: { result: 'exists', booking: 'credit', reason: 'paid-at-before-window' } });
    expect((await statement(unpaid2015!.citizenNumber)).credits.balanceFen).toBe(s.credits.balanceFen);
  });

  it('refuses a payment dated after the server today with a specific reason (never internal), keeping the cash', async () => {
    const future = payment(payer.citizenNumber, { paidAt: new Date(Date.now() + 3 * 86_400_000).toISOString() });
    expect(await submit(kiosk, future)).toEqual({ ok: true, data: { result: 'created', booking: 'credit', reason: 'paid-at-in-future' } });
  });

  it('books as a contribution only the cash the policy says is due; one fen for the 100-yuan tier is a one-fen credit', async () => {
    const oneFen = payment(secondPayer.citizenNumber, { cashFen: 1 });
    expect(await submit(kiosk, oneFen)).toEqual({ ok: true, data: { result: 'created', booking: 'credit', reason: 'cash-mismatch' } });
    const s = await statement(secondPayer.citizenNumber);
    expect(s.contributions.map((c) => c.year)).not.toContain(thisYear);
    expect(s.credits.entries).toContainEqual(expect.objectContaining({ id: oneFen.id, amountFen: 1, reason: 'cash-mismatch' }));
    // The right cash, a few minutes ago (inside the window): a contribution.
    const good = payment(secondPayer.citizenNumber, { paidAt: new Date(Date.now() - 5 * 60_000).toISOString() });
    expect(await submit(kiosk, good)).toEqual({ ok: true, data: { result: 'created', booking: 'contribution' } });
    expect((await statement(secondPayer.citizenNumber)).contributions.map((c) => c.year)).toContain(thisYear);
    // The year is paid now: the next payment for it is the person's credit, with the policy's reason.
    expect(await submit(kiosk, payment(secondPayer.citizenNumber))).toEqual({ ok: true, data: { result: 'created', booking: 'credit', reason: 'already-paid' } });
  });

  it('caps every amount at what a cash box holds, with a refusal that names it', async () => {
    const huge = { kind: 'cash-credit', id: uuidv7(), citizenNumber: thirdPayer.citizenNumber, amountFen: 10 ** 15, at: new Date().toISOString(), reason: 'cancelled' };
    const reply = await submit(kiosk, huge);
    expect(reply).toMatchObject({ ok: false, error: { code: 'refused', reason: 'amount-over-limit' } });
    expect((await statement(thirdPayer.citizenNumber)).credits.balanceFen).toBe(0);
    const full = await submit(kiosk, { ...huge, id: uuidv7(), amountFen: KIOSK_CASH_BOX_CAPACITY_FEN + 1 });
    expect(full).toMatchObject({ ok: false, error: { reason: 'amount-over-limit' } });
    const payment1 = payment(thirdPayer.citizenNumber, { cashFen: KIOSK_CASH_BOX_CAPACITY_FEN + 1 });
    expect(await submit(kiosk, payment1)).toMatchObject({ ok: false, error: { reason: 'amount-over-limit' } });
  });

  it('answers an id reused with other content with the ledger exists_with_different result and books nothing', async () => {
    const credit = { kind: 'cash-credit', id: uuidv7(), citizenNumber: thirdPayer.citizenNumber, amountFen: 5_000, at: new Date().toISOString(), reason: 'cancelled' };
    expect(await submit(kiosk, credit)).toEqual({ ok: true, data: { result: 'created', booking: 'credit' } });
    expect(await submit(kiosk, { ...credit, amountFen: 6_000 })).toMatchObject({ ok: true, data: { result: 'exists_with_different_amount' } });
    expect(await submit(other, credit)).toMatchObject({ ok: true, data: { result: 'exists_with_different_debit_account_id' } });
    expect((await statement(thirdPayer.citizenNumber)).credits.balanceFen).toBe(5_000);
  });

  it('records a proof of life only with the card session the gateway issued for that card, terminal and time', async () => {
    const certification = (extra: Record<string, unknown>) => ({
      kind: 'certification',
      id: uuidv7(),
      citizenNumber: pensioner.citizenNumber,
      certifiedOn: today,
      certifiedAt: new Date().toISOString(),
      ...extra,
    });
    // A stolen kiosk key alone: no card session at all, or a made-up one.
    expect(await submit(kiosk, certification({}))).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    const forged = `${Buffer.from(JSON.stringify({ t: kiosk.terminalId, c: pensioner.citizenNumber, k: pensioner.card.cardNumber, i: Date.now(), e: Date.now() + 60_000 })).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
    expect(await submit(kiosk, certification({ cardSession: forged }))).toMatchObject({ ok: false, error: { reason: 'card-session-invalid' } });

    // The card itself, through the gateway: a session bound to this kiosk and this person.
    const verified = await ask(kiosk, 'card.authenticate', cardEvidence(pensioner));
    expect(verified).toMatchObject({ ok: true, data: { authentic: true, cardSession: expect.any(String) } });
    const cardSession = (verified as unknown as { data: { cardSession: string } }).data.cardSession;
    expect(await submit(other, certification({ cardSession }))).toMatchObject({ ok: false, error: { reason: 'card-session-other-terminal' } });
    const someoneElse = certification({ cardSession, citizenNumber: payer.citizenNumber });
    expect(await submit(kiosk, someoneElse)).toMatchObject({ ok: false, error: { reason: 'card-session-other-person' } });
    const longAgo = certification({ cardSession, certifiedOn: '2000-01-01', certifiedAt: '2000-01-01T10:00:00+08:00' });
    expect(await submit(kiosk, longAgo)).toMatchObject({ ok: false, error: { reason: 'certified-outside-card-session' } });
    expect((await statement(pensioner.citizenNumber)).certification.lastCertifiedOn).not.toBe(today);

    const good = certification({ cardSession });
    expect(await submit(kiosk, good)).toEqual({ ok: true, data: { result: 'created', booking: 'certification' } });
    expect((await statement(pensioner.citizenNumber)).certification.lastCertifiedOn).toBe(today);
  });

  it('issues no card session for a genuine chip carrying another person data, nor for a card that is not the person active one', async () => {
    const evidence = cardEvidence(pensioner);
    // The chip proves it is pensioner's card, but says it belongs to someone else.
    const relabelled = await ask(kiosk, 'card.authenticate', { ...evidence, citizenNumber: payer.citizenNumber, cardNumber: payer.card.cardNumber });
    expect(relabelled).toEqual({ ok: true, data: { authentic: false } });
    const otherCardNumber = await ask(kiosk, 'card.authenticate', { ...cardEvidence(pensioner), cardNumber: 'A00000000' });
    expect(otherCardNumber).toEqual({ ok: true, data: { authentic: false } });
  });
});
