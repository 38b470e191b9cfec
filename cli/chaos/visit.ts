// One resident's visit to a kiosk (ARCHITECTURE.md journey 2), driven as the
// resident would: card in, PIN, the account, "pay", a tier, notes into the
// bill acceptor one by one, then the receipt, a cancel, or the card pulled
// part-way; card out. A kill -9 of the terminal ends the visit where it is.
import { setTimeout as sleep } from 'node:timers/promises';
import type { DemoResident } from '@nongbao/server';
import type { Kiosk } from './kiosk.js';
import { KIOSK_ACTION_TIMEOUT_MS, type KioskState } from './kiosk-api.js';
import type { LogLine } from './processes.js';
import { splitIntoNotes, type Ending } from './schedule.js';

/** A screen change after a touch (a card read, an account from the server, a payment opening). */
export const SCREEN_TIMEOUT_MS = 20_000;
/** A note from the slot to the cash box: escrow, journal, stack, credit (a few acceptor polls). */
export const NOTE_TIMEOUT_MS = 15_000;
/** A kiosk reconnects to a restarted gateway (its reconnection delay is at most 2 s in a chaos run). */
export const LINK_TIMEOUT_MS = 30_000;
/** The end of a payment: closing in the journal and printing the receipt. */
export const FINISH_TIMEOUT_MS = 20_000;

export type VisitOutcome = 'paid' | 'short' | 'no-payment' | 'interrupted';

export interface VisitResult {
  outcome: VisitOutcome;
  /** Why there was no payment (a screen's message key), or what interrupted it. */
  reason: string | null;
  paymentId: string | null;
  offline: boolean;
  dueFen: number;
  /** Notes handed to the acceptor, yuan, and what the acceptor said to each. */
  notes: { yuan: number; outcome: string }[];
}

export interface VisitPlan {
  resident: DemoResident;
  tierIndex: number;
  ending: Ending | 'look-up';
  partialNotes: number;
  splitSeed: number;
  /** The kiosk is meant to be offline (the network cut): do not wait for its link first. */
  offline?: boolean;
  /** Called with the notes the resident will insert, before the first (arms a note-step crash point). */
  beforeNotes?: (notes: number[]) => Promise<void>;
}

class NoPayment extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

const screenIs =
  (...screens: string[]) =>
  (s: KioskState) =>
    screens.includes(s.screen);

/** A killed terminal's exit reaches this process within this after its local API stops answering. */
export const EXIT_NOTICE_MS = 2_000;

/** The visit, from an idle kiosk; the terminal's death (a planned kill) ends it as 'interrupted'. */
export async function runVisit(kiosk: Kiosk, plan: VisitPlan): Promise<VisitResult> {
  const life = kiosk.process!;
  const alive = () => life.running;
  const result: VisitResult = { outcome: 'no-payment', reason: null, paymentId: null, offline: false, dueFen: 0, notes: [] };
  try {
    // A kiosk reconnecting after a restart would serve the resident from its cache: wait for its link.
    const ready = (st: KioskState) => st.screen === 'idle' && (plan.offline === true || st['serverConnected'] === true);
    await kiosk.api.waitState('the idle screen, connected', ready, LINK_TIMEOUT_MS, alive);
    const menu = await openMenu(kiosk, plan.resident, alive);
    result.offline = menu['offline'] === true;
    if (plan.ending === 'look-up') await lookUp(kiosk, alive);
    else await pay(kiosk, plan, result, alive);
    await kiosk.api.removeCard();
    await kiosk.api.waitState('the idle screen after the card', screenIs('idle'), SCREEN_TIMEOUT_MS, alive);
  } catch (error) {
    if (error instanceof NoPayment) {
      result.reason = error.reason;
      await kiosk.api.removeCard().catch(() => undefined);
      return result;
    }
    // A request that failed because the terminal was just killed can fail
    // before its exit is seen here: give the exit a moment to arrive.
    if (alive()) await Promise.race([life.exited, sleep(EXIT_NOTICE_MS, undefined, { ref: false })]);
    if (alive()) throw error;
    result.outcome = 'interrupted';
    result.reason = 'the terminal was killed';
  }
  return result;
}

async function openMenu(kiosk: Kiosk, resident: DemoResident, alive: () => boolean): Promise<KioskState> {
  await kiosk.api.insertCard(resident.card.cardNumber);
  const read = await kiosk.api.waitState('the PIN screen', screenIs('pin', 'message'), SCREEN_TIMEOUT_MS, alive);
  if (read.screen === 'message') throw new NoPayment(String(read['messageKey']));
  await kiosk.api.pin(resident.card.pin);
  const menu = await kiosk.api.waitState('the menu', screenIs('menu', 'message'), SCREEN_TIMEOUT_MS, alive);
  if (menu.screen === 'message') throw new NoPayment(String(menu['messageKey']));
  return menu;
}

/** From the menu: "my account" (the kiosk caches what it shows). */
async function lookUp(kiosk: Kiosk, alive: () => boolean): Promise<void> {
  await kiosk.api.action('account');
  await kiosk.api.waitState('the account screen', screenIs('account'), SCREEN_TIMEOUT_MS, alive);
}

/** From the menu: "pay this year", a tier, the notes. */
async function pay(kiosk: Kiosk, plan: VisitPlan, result: VisitResult, alive: () => boolean): Promise<void> {
  await kiosk.api.action('pay');
  const offer = await kiosk.api.waitState('the tiers screen', screenIs('tiers'), SCREEN_TIMEOUT_MS, alive);
  const tiers = offer['tiers'] as { tierYuan: number; dueFen: number }[];
  if (offer['refusal'] !== null || tiers.length === 0) throw new NoPayment(String(offer['refusal'] ?? 'no payment offered'));
  const tier = tiers[plan.tierIndex % tiers.length]!;
  await kiosk.api.pay(tier.tierYuan);
  const opened = await kiosk.api.waitState('the paying screen', screenIs('paying', 'message'), SCREEN_TIMEOUT_MS, alive);
  if (opened.screen === 'message') throw new NoPayment(String(opened['messageKey']));
  result.paymentId = opened['progress'].paymentId as string;
  result.dueFen = tier.dueFen;
  const notes = splitIntoNotes(tier.dueFen / 100, plan.splitSeed, plan.ending !== 'complete');
  const inserting = plan.ending === 'complete' ? notes : notes.slice(0, Math.min(plan.partialNotes, notes.length - 1));
  await plan.beforeNotes?.(inserting);
  let state = opened;
  let refused = false;
  for (const yuan of inserting) {
    const stackedBefore = state['progress']?.stackedFen ?? 0;
    const outcome = await kiosk.insertNote(yuan);
    result.notes.push({ yuan, outcome });
    // The acceptor would not take the note (inhibited, busy): the resident keeps it and cancels.
    refused = outcome !== 'escrow';
    if (refused) break;
    state = await kiosk.api.waitState(
      `the ${yuan}-yuan note credited`,
      (s) => s.screen === 'receipt' || (s.screen === 'paying' && s.progress.stackedFen >= stackedBefore + yuan * 100),
      NOTE_TIMEOUT_MS,
      alive,
    );
  }
  if (plan.ending === 'cancel' || (refused && state.screen === 'paying')) await kiosk.api.action('cancel-payment');
  if (plan.ending === 'pull-card') {
    const paymentId = result.paymentId;
    await kiosk.api.removeCard();
    // The screen goes idle at once; the kiosk closes the payment behind it (intake stopped, the
    // credit receipt printed). The visit ends when it has, or the next resident finds it busy
    // and a crash point armed for the next visit could fire at this payment's steps.
    const closed = (l: LogLine) => l.event === 'payment.closed_short' && l['paymentId'] === paymentId;
    await kiosk.process!.waitFor(`payment ${paymentId} closed`, closed, KIOSK_ACTION_TIMEOUT_MS, { lookBack: true });
    result.outcome = 'short';
    return;
  }
  const finished = await kiosk.api.waitState('the receipt screen', screenIs('receipt'), FINISH_TIMEOUT_MS, alive);
  result.outcome = finished['outcome'].outcome === 'paid' ? 'paid' : 'short';
}
