// A hardware PIN pad, where the kiosk has one (issue #4 §4): while the
// session asks for a PIN, an entry runs on the pad; the digits go from the
// pad's SecretPin straight to the card's VERIFY and are wiped. The screen only
// learns how many digits were typed (for the dots), never which.
import type { Logger } from 'pino';
import { isCanceled, type PinPad } from '@nongbao/drivers';
import type { KioskSession, KioskState } from './session.js';

/** How long one PIN entry on the pad may take before it is restarted. */
export const PIN_PAD_ENTRY_TIMEOUT_MS = 60_000;
const PIN_DIGITS = 6;

export class PinPadInput {
  private entry: { session: number; abort: AbortController } | null = null;
  private readonly onState = (state: KioskState) => this.follow(state);

  constructor(private readonly deps: { pad: PinPad; session: KioskSession; logger: Logger }) {}

  async start(): Promise<void> {
    await this.deps.pad.open();
    this.deps.pad.on('key', (event) => {
      if (this.deps.session.state.screen === 'pin') {
        this.deps.session.pinPadDigits(event.enteredDigits);
        return;
      }
      // Outside PIN entry the pad navigates the screens (issue 12 section 3).
      if (event.key === 'digit' && event.menuDigit === undefined) return;
      this.deps.session.navigationKey({ key: event.key, ...(event.menuDigit !== undefined ? { digit: event.menuDigit } : {}) });
    });
    this.deps.session.on('state', this.onState);
  }

  async stop(): Promise<void> {
    this.deps.session.off('state', this.onState);
    this.entry?.abort.abort();
    this.entry = null;
    await this.deps.pad.close();
  }

  /** Runs an entry while the session shows the PIN screen; stops it otherwise. */
  private follow(state: KioskState): void {
    if (state.screen !== 'pin') {
      if (this.entry) {
        this.entry.abort.abort();
        this.entry = null;
      }
      return;
    }
    if (this.entry && this.entry.session === state.session) return;
    this.entry?.abort.abort();
    const entry = { session: state.session, abort: new AbortController() };
    this.entry = entry;
    void this.run(entry);
  }

  private async run(entry: { session: number; abort: AbortController }): Promise<void> {
    try {
      const secret = await this.deps.pad.readPin({
        minDigits: PIN_DIGITS,
        maxDigits: PIN_DIGITS,
        timeoutMs: PIN_PAD_ENTRY_TIMEOUT_MS,
        signal: entry.abort.signal,
      });
      if (this.entry !== entry) return;
      // The entry is over before the card answers: a wrong PIN brings the PIN
      // screen back and, with it, a new entry.
      this.entry = null;
      const pin = secret.reveal();
      secret.wipe();
      await this.deps.session.enterPin(pin);
    } catch (error) {
      if (this.entry === entry) this.entry = null;
      if (entry.abort.signal.aborted) return;
      if (isCanceled(error)) {
        // The Cancel key: start over with an empty entry.
        this.deps.session.pinPadDigits(0);
        this.follow(this.deps.session.state);
        return;
      }
      this.deps.logger.warn({ event: 'pinpad.entry_failed', err: error });
    }
  }
}
