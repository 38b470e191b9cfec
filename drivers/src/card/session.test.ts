import fc from 'fast-check';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { CardSession } from './session.js';
import { exchangeT0 } from './t0.js';
import { CardError, CardErrorCode, isCardError } from './errors.js';
import { SocialSecurityCardApp } from './application.js';
import { VirtualCard } from './simulator.js';
import { residentProfile } from './test-support.js';

const silent = pino({ level: 'silent' });
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const FUZZ_SEED = 0x5eed_0301;

/** A raw channel answering from a script, recording what was sent. */
function scripted(answers: string[]) {
  const sent: string[] = [];
  const raw = async (command: Buffer) => {
    sent.push(command.toString('hex').toUpperCase());
    const next = answers.shift();
    if (next === undefined) throw new Error('script exhausted');
    return hex(next);
  };
  return { raw, sent };
}

describe('T=0 handling', () => {
  it('follows 61xx with GET RESPONSE and concatenates the chain', async () => {
    const { raw, sent } = scripted(['61 04', '01 02 03 04 61 02', '05 06 90 00']);
    await expect(exchangeT0(raw, hex('00 A4 04 00 02 3F 00'))).resolves.toEqual(hex('01 02 03 04 05 06 90 00'));
    expect(sent).toEqual(['00A40400023F00', '00C0000004', '00C0000002']);
  });

  it('resends with the Le a 6Cxx names', async () => {
    const { raw, sent } = scripted(['6C 09', '41 42 43 44 45 46 47 48 49 90 00']);
    await expect(exchangeT0(raw, hex('00 B2 07 00 FF'))).resolves.toEqual(hex('41 42 43 44 45 46 47 48 49 90 00'));
    expect(sent).toEqual(['00B20700FF', '00B2070009']);
  });

  it('stops a card that answers 61xx for ever', async () => {
    const raw = async () => hex('61 10');
    await expect(exchangeT0(raw, hex('00 A4 04 00 00'))).rejects.toMatchObject({ code: CardErrorCode.responseTooLong });
  });

  it('passes other status words through untouched', async () => {
    const { raw } = scripted(['63 C1']);
    await expect(exchangeT0(raw, hex('00 20 00 00 03 12 34 56'))).resolves.toEqual(hex('63 C1'));
  });
});

describe('card session', () => {
  it('times out an exchange the card never answers, and the next command waits for the card', async () => {
    let answer: (b: Buffer) => void = () => undefined;
    const session = new CardSession(() => new Promise<Buffer>((resolve) => (answer = resolve)), { readerName: 'r', logger: silent });
    await expect(session.transmit(hex('00 A4 04 00 00'), { timeoutMs: 20 })).rejects.toMatchObject({ code: CardErrorCode.timeout });
    const next = session.transmit(hex('00 A4 04 00 00'), { timeoutMs: 1_000 });
    answer(hex('90 00'));
    // The first (timed-out) exchange took that answer; the second gets its own.
    await new Promise((r) => setTimeout(r, 5));
    answer(hex('6A 82'));
    await expect(next).resolves.toEqual(hex('6A 82'));
  });

  it('rejects with Aborted when the caller aborts', async () => {
    const session = new CardSession(() => new Promise<Buffer>(() => undefined), { readerName: 'r', logger: silent });
    const controller = new AbortController();
    const pending = session.transmit(hex('00 A4 04 00 00'), { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: CardErrorCode.aborted });
  });

  it('ends in CardRemoved whether the removal report or the failed transmit comes first', async () => {
    // Removal reported first, transmit fails afterwards.
    let fail: (e: Error) => void = () => undefined;
    const first = new CardSession(() => new Promise<Buffer>((_, reject) => (fail = reject)), { readerName: 'r', logger: silent });
    const p1 = first.transmit(hex('00 20 00 00 03 12 34 56'));
    first.end(new CardError(CardErrorCode.cardRemoved, 'card removed'));
    fail(new CardError(CardErrorCode.transportFailed, 'transaction failed'));
    await expect(p1).rejects.toMatchObject({ code: CardErrorCode.cardRemoved });

    // Transmit fails first (vaguely), removal reported within the settle time.
    const second = new CardSession(async () => Promise.reject(new CardError(CardErrorCode.transportFailed, 'transaction failed')), {
      readerName: 'r',
      logger: silent,
      removalSettleMs: 500,
    });
    const p2 = second.transmit(hex('00 20 00 00 03 12 34 56'));
    setTimeout(() => second.end(new CardError(CardErrorCode.cardRemoved, 'card removed')), 20);
    await expect(p2).rejects.toMatchObject({ code: CardErrorCode.cardRemoved });
    await expect(second.transmit(hex('00 A4 04 00 00'))).rejects.toMatchObject({ code: CardErrorCode.cardRemoved });
  });

  it('keeps TransportFailed when no removal follows', async () => {
    const session = new CardSession(async () => Promise.reject(new CardError(CardErrorCode.transportFailed, 'x')), { readerName: 'r', logger: silent, removalSettleMs: 10 });
    await expect(session.transmit(hex('00 A4 04 00 00'))).rejects.toMatchObject({ code: CardErrorCode.transportFailed });
  });

  it('refuses more queued commands than its limit with SessionBusy', async () => {
    const session = new CardSession(() => new Promise<Buffer>(() => undefined), { readerName: 'r', logger: silent });
    const pending = Array.from({ length: 8 }, () => session.transmit(hex('00 A4 04 00 00'), { timeoutMs: 50 }).catch((e: unknown) => e));
    await expect(session.transmit(hex('00 A4 04 00 00'))).rejects.toMatchObject({ code: CardErrorCode.sessionBusy });
    await Promise.all(pending);
  });
});

describe('fuzz: random and mutated card answers', () => {
  it('over 10 000 cases the application ends in a result or a typed CardError, never a crash or hang', async () => {
    const genuine = new VirtualCard(residentProfile({ protocol: 't0' }));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.uint8Array({ maxLength: 80 }), fc.constantFrom(hex('61 05'), hex('6C 03'), hex('63 C2'), hex('69 83'), hex('90 00'), hex('6A 82'))), {
          maxLength: 12,
        }),
        fc.nat(40),
        fc.array(fc.tuple(fc.nat(200), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
        async (randomAnswers, switchAt, flips) => {
          genuine.reset();
          let n = 0;
          // First `switchAt` answers come from the genuine card (mutated), then random bytes.
          const raw = async (command: Buffer): Promise<Buffer> => {
            n += 1;
            if (n > 60) throw new CardError(CardErrorCode.timeout, 'fuzz exchange limit');
            if (n <= switchAt) {
              const answer = Buffer.from(genuine.transmit(command));
              for (const [at, value] of flips) if (answer.length > 0) answer[at % answer.length] = value;
              return answer;
            }
            return Buffer.from(randomAnswers[(n - switchAt) % Math.max(1, randomAnswers.length)] ?? []);
          };
          const session = new CardSession(raw, { readerName: 'fuzz', logger: silent, removalSettleMs: 0 });
          const app = new SocialSecurityCardApp(session);
          try {
            await app.readIdentity();
            await app.verifyPin('246810');
          } catch (error) {
            if (!isCardError(error)) throw error;
          }
        },
      ),
      { seed: FUZZ_SEED, numRuns: 10_000 },
    );
  });
});
