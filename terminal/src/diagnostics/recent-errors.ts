// The kiosk's recent errors (issue 13 section 1): device faults, card reader
// errors, the gateway's refusals and failed self-tests, by their code in the
// one error register (protocol errors.ts). Staff read the register's words
// and suggested action for each; the status report carries them to the
// county office. Bounded: RECENT_ERRORS_LIMIT entries, a repeat of the
// newest entry counted instead of stored again.
import { ERROR_REGISTER, RECENT_ERRORS_LIMIT, registeredCode, type RecentError } from '@nongbao/protocol';

/** Longest detail kept (the protocol's limit). */
const DETAIL_CHARS_LIMIT = 200;

export class RecentErrors {
  /** Oldest first. */
  private readonly entries: RecentError[] = [];

  constructor(private readonly limit = RECENT_ERRORS_LIMIT) {}

  /** Records a registered code; an unregistered one is a programming error, recorded as the layer's generic fault. */
  record(code: number, source: string, detail: string, at = new Date()): void {
    if (!ERROR_REGISTER.has(code)) throw new RangeError(`error code ${code} is not in the error register`);
    const newest = this.entries.at(-1);
    if (newest && newest.code === code && newest.source === source) {
      newest.count += 1;
      newest.at = at.toISOString();
      newest.detail = detail.slice(0, DETAIL_CHARS_LIMIT);
      return;
    }
    this.entries.push({ code, source, at: at.toISOString(), count: 1, detail: detail.slice(0, DETAIL_CHARS_LIMIT) });
    if (this.entries.length > this.limit) this.entries.shift();
  }

  /** Records an error object by its registered code; returns false (records nothing) when it carries none. */
  recordError(error: unknown, source: string): boolean {
    const code = registeredCode(error);
    if (code === undefined) return false;
    this.record(code, source, error instanceof Error ? error.message : String(error));
    return true;
  }

  /** Newest first. */
  list(): RecentError[] {
    return this.entries.map((e) => ({ ...e })).reverse();
  }
}
