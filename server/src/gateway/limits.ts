// Limits at the gateway's edge (issue 11 "Bad input"): connections per
// address, requests per terminal, so that one client cannot starve the others.

/** Connections one address may hold (engine.io level): a village's NAT holds a few kiosks, not thousands. */
export const CONNECTIONS_PER_ADDRESS_LIMIT = 100;
/** Sustained requests per second one terminal may send, and the burst above it. */
export const TERMINAL_REQUESTS_PER_SECOND = 20;
export const TERMINAL_REQUEST_BURST = 60;
/** Requests refused for the rate in a row after which the terminal is disconnected as hostile. */
export const RATE_REFUSALS_BEFORE_DROP = 200;
/** How often the gateway checks its connected terminals for revocations made elsewhere (CLI, another gateway). */
export const REVOCATION_CHECK_INTERVAL_MS = 2_000;

/** A token bucket: `take()` is false when the holder is over its rate. Time is passed in. */
export class TokenBucket {
  private tokens: number;
  private lastMs: number;
  /** Refusals since the last accepted take. */
  refusedInARow = 0;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    nowMs: number,
  ) {
    this.tokens = burst;
    this.lastMs = nowMs;
  }

  take(nowMs: number): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.lastMs) / 1000) * this.perSecond);
    this.lastMs = nowMs;
    if (this.tokens < 1) {
      this.refusedInARow += 1;
      return false;
    }
    this.tokens -= 1;
    this.refusedInARow = 0;
    return true;
  }
}

/** Counts open connections per address; `open` is false when the address is at its limit. */
export class AddressCounter {
  private readonly counts = new Map<string, number>();

  constructor(private readonly limit: number) {}

  open(address: string): boolean {
    const n = this.counts.get(address) ?? 0;
    if (n >= this.limit) return false;
    this.counts.set(address, n + 1);
    return true;
  }

  close(address: string): void {
    const n = (this.counts.get(address) ?? 1) - 1;
    if (n <= 0) this.counts.delete(address);
    else this.counts.set(address, n);
  }
}

/** Failed enrolments per address and per terminal id in ENROL_WINDOW_MS before further attempts are refused (429). */
export const ENROL_FAILURES_LIMIT = 10;
export const ENROL_WINDOW_MS = 15 * 60_000;
const ENROL_KEYS_LIMIT = 10_000;

/**
 * Wrong enrolment codes, remembered per address and per terminal id: an
 * 8-character code from a 32-letter alphabet cannot be guessed at 10 tries
 * per quarter hour, from one address or for one terminal.
 */
export class EnrolAttempts {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Seconds until the address or the terminal id may try again; undefined when they may now. */
  blockedForSeconds(address: string, terminalId: string): number | undefined {
    const until = Math.max(this.blockedUntil(`a:${address}`), this.blockedUntil(`t:${terminalId}`));
    return until > this.now() ? Math.ceil((until - this.now()) / 1000) : undefined;
  }

  failed(address: string, terminalId: string): void {
    for (const key of [`a:${address}`, `t:${terminalId}`]) {
      const list = this.recent(key);
      list.push(this.now());
      if (!this.failures.has(key) && this.failures.size >= ENROL_KEYS_LIMIT) this.failures.delete(this.failures.keys().next().value!);
      this.failures.set(key, list);
    }
  }

  private blockedUntil(key: string): number {
    const list = this.recent(key);
    return list.length >= ENROL_FAILURES_LIMIT ? list[list.length - ENROL_FAILURES_LIMIT]! + ENROL_WINDOW_MS : 0;
  }

  private recent(key: string): number[] {
    const since = this.now() - ENROL_WINDOW_MS;
    return (this.failures.get(key) ?? []).filter((t) => t > since);
  }
}
