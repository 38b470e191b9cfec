// The chaos run's schedule (issue 11 section 7): which resident pays at which
// kiosk, how (in full, cancelled part-way, card pulled part-way), and which
// fault is injected during the visit. A pure function of (seed, terminals,
// payments): the same seed replays the same schedule, and its digest is
// printed so two runs can be compared at a glance.
//
// Every fault kind is planned at least once when there are enough payments:
// a kill -9 of a terminal at each step of a payment, of the server at each
// step of a batch, the network cut for a whole payment and for the answer
// only, duplicated and reordered deliveries. Further visits draw faults at
// random (or none).
import { createHash } from 'node:crypto';
import { prng } from './prng.js';

/** Steps of a payment a terminal is killed at (issue 11 section 7), in the order a payment goes through them. */
export const TERMINAL_STEPS = ['escrowed', 'journalled', 'stacked', 'credited', 'committed', 'printed', 'sent', 'acknowledged'] as const;
export type TerminalStep = (typeof TERMINAL_STEPS)[number];
/** Steps of an outbox batch the server is killed at. */
export const SERVER_STEPS = ['received', 'committed', 'answered'] as const;
export type ServerStep = (typeof SERVER_STEPS)[number];
/** Steps that concern one note of the payment (the others concern the payment). */
export const NOTE_STEPS: readonly TerminalStep[] = ['escrowed', 'journalled', 'stacked', 'credited'];

export type Fault =
  | { kind: 'none' }
  /** kill -9 of the terminal at `step`; for a note step, at the `note`-th note of the visit (1-based). */
  | { kind: 'kill-terminal'; step: TerminalStep; note: number }
  /** kill -9 of the server at `step` of the next batch from the visit's terminal. */
  | { kind: 'kill-server'; step: ServerStep }
  /** The network between the kiosk and the server is down for the whole payment. */
  | { kind: 'cut-payment' }
  /** The gateway's answers to the kiosk's money batches are lost, the requests get through. */
  | { kind: 'cut-answer' }
  /** Every money batch is delivered twice, and an older batch of the kiosk's is delivered again late. */
  | { kind: 'duplicate' }
  /** The first money batch is held past its deadline: the kiosk's retry overtakes it. */
  | { kind: 'reorder' };
export type FaultKind = Fault['kind'];

export type Ending = 'complete' | 'cancel' | 'pull-card';

export interface PlannedVisit {
  index: number;
  /** 0-based terminal index. */
  terminal: number;
  /** 0-based resident index in the chaos county: each visit its own resident. */
  resident: number;
  /** Which of the offered tiers (modulo how many are offered). */
  tierIndex: number;
  ending: Ending;
  /** For 'cancel' / 'pull-card': notes inserted before the ending (clamped below what is due). */
  partialNotes: number;
  /** Seeds the split of the amount due into notes (splitIntoNotes). */
  splitSeed: number;
  fault: Fault;
}

export interface Schedule {
  seed: number;
  terminals: number;
  payments: number;
  visits: PlannedVisit[];
  /** First 16 hex digits of the SHA-256 of the schedule. */
  digest: string;
  /** Fault kinds (with their step) not planned because there were too few payments. */
  uncovered: string[];
}

/** Chance that a visit past the planned coverage gets a random fault. */
const EXTRA_FAULT_RATE = 0.35;
/** CNY notes a resident carries, yuan (the kiosk's NOTES_FEN). */
export const NOTES_YUAN = [1, 5, 10, 20, 50, 100] as const;
/** Notes in one payment at most: a resident pays with what they have, but not in a hundred small notes. */
const NOTES_PER_PAYMENT_LIMIT = 8;

export function faultLabel(fault: Fault): string {
  switch (fault.kind) {
    case 'kill-terminal':
      return NOTE_STEPS.includes(fault.step) ? `kill -9 terminal at ${fault.step} (note ${fault.note})` : `kill -9 terminal at ${fault.step}`;
    case 'kill-server':
      return `kill -9 server at ${fault.step}`;
    case 'cut-payment':
      return 'network cut for the whole payment';
    case 'cut-answer':
      return 'network cut for the answer only';
    case 'duplicate':
      return 'duplicated deliveries';
    case 'reorder':
      return 'reordered deliveries';
    case 'none':
      return 'no fault';
  }
}

/** The fault kinds coverage asks for, one each. */
export function coverageFaults(): Fault[] {
  return [
    ...TERMINAL_STEPS.map((step): Fault => ({ kind: 'kill-terminal', step, note: 1 })),
    ...SERVER_STEPS.map((step): Fault => ({ kind: 'kill-server', step })),
    { kind: 'cut-payment' },
    { kind: 'cut-answer' },
    { kind: 'duplicate' },
    { kind: 'reorder' },
  ];
}

/** Faults that need the payment to complete (they act on its delivery). */
export function needsCompletion(fault: Fault): boolean {
  if (fault.kind === 'kill-terminal') return !NOTE_STEPS.includes(fault.step);
  return fault.kind !== 'none';
}

export function buildSchedule(options: { seed: number; terminals: number; payments: number }): Schedule {
  const rng = prng(options.seed);
  const pool = rng.shuffle(coverageFaults());
  const planned = pool.slice(0, options.payments);
  const uncovered = pool.slice(options.payments).map(faultLabel);
  const visits: PlannedVisit[] = [];
  for (let i = 0; i < options.payments; i++) {
    let fault: Fault = planned[i] ?? { kind: 'none' };
    if (i >= planned.length && rng.next() < EXTRA_FAULT_RATE) fault = rng.pick(coverageFaults());
    if (fault.kind === 'kill-terminal' && NOTE_STEPS.includes(fault.step)) fault = { ...fault, note: 1 + rng.int(3) };
    const ending: Ending = needsCompletion(fault) ? 'complete' : rng.pick(['complete', 'complete', 'complete', 'cancel', 'pull-card'] as const);
    visits.push({ index: i, terminal: 0, resident: i, tierIndex: rng.int(5), ending, partialNotes: 1 + rng.int(3), splitSeed: rng.seed(), fault });
  }
  // Spread in a seeded order over the terminals, each taking every K-th visit.
  const ordered = rng.shuffle(visits).map((v, i) => ({ ...v, index: i, terminal: i % options.terminals }));
  const body = { seed: options.seed, terminals: options.terminals, payments: options.payments, visits: ordered };
  const digest = createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 16);
  return { ...body, digest, uncovered };
}

/**
 * The notes (yuan) a resident pays `dueYuan` with: seeded, mostly no more
 * than NOTES_PER_PAYMENT_LIMIT of them. `atLeastTwo`: never one note for the
 * whole amount (a payment to be cancelled part-way needs a part).
 */
export function splitIntoNotes(dueYuan: number, seed: number, atLeastTwo = false): number[] {
  const rng = prng(seed);
  const notes: number[] = [];
  let left = dueYuan;
  while (left > 0) {
    const whole = atLeastTwo && notes.length === 0 && dueYuan > 1;
    const fitting = NOTES_YUAN.filter((n) => (whole ? n < left : n <= left)).reverse();
    // Past the limit, only the largest note that fits; otherwise one of the three largest, mostly the largest.
    const roll = notes.length >= NOTES_PER_PAYMENT_LIMIT - 1 ? 0 : rng.next();
    const note = roll < 0.6 ? fitting[0]! : roll < 0.85 ? (fitting[1] ?? fitting[0]!) : (fitting[2] ?? fitting[0]!);
    notes.push(note);
    left -= note;
  }
  return notes;
}
