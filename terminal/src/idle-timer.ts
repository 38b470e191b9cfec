// The kiosk's idle timeout (issue 12 section 1: "an idle timeout with a
// visible countdown and a spoken warning, then back to idle"). After
// `idleAfterMs` without a touch, a key, a note or a card event, a countdown of
// `countdownMs` runs, ticking once a second; any activity stops it; at zero
// the session times out. Time is the timers' only input: no clock reads.

/** How long a screen waits for the person before the countdown starts. */
export const IDLE_AFTER_MS = 60_000;
/** How long the countdown runs before the session times out. */
export const IDLE_COUNTDOWN_MS = 20_000;
const TICK_MS = 1_000;

export interface IdleTimings {
  idleAfterMs: number;
  countdownMs: number;
}

export class IdleTimer {
  private idle: NodeJS.Timeout | undefined;
  private tick: NodeJS.Timeout | undefined;
  private left: number | null = null;

  constructor(
    private readonly timings: IdleTimings,
    private readonly on: { countdown: (secondsLeft: number | null) => void; timeout: () => void },
  ) {}

  /** Seconds left of a running countdown, or null. */
  get secondsLeft(): number | null {
    return this.left;
  }

  /** The person did something: the countdown (if any) stops and the wait starts again. */
  activity(): void {
    this.stop();
    this.idle = setTimeout(() => this.startCountdown(), this.timings.idleAfterMs);
    this.idle.unref();
  }

  /** Nobody is expected (idle screen, card out): no timer runs. */
  stop(): void {
    clearTimeout(this.idle);
    clearInterval(this.tick);
    this.idle = undefined;
    this.tick = undefined;
    if (this.left !== null) {
      this.left = null;
      this.on.countdown(null);
    }
  }

  /** Starts the countdown now (the demo's "walk away" button; the wait ran out). */
  startCountdown(): void {
    clearTimeout(this.idle);
    clearInterval(this.tick);
    this.left = Math.max(1, Math.ceil(this.timings.countdownMs / TICK_MS));
    this.on.countdown(this.left);
    this.tick = setInterval(() => {
      if (this.left === null) return;
      this.left -= 1;
      if (this.left > 0) {
        this.on.countdown(this.left);
        return;
      }
      clearInterval(this.tick);
      this.tick = undefined;
      this.left = null;
      this.on.timeout();
    }, TICK_MS);
    this.tick.unref();
  }
}
