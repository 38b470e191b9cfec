// What a resident does at a kiosk, through its local API (docs/protocol.md
// "The kiosk's local API"): the card goes in over the chaos terminal's demo
// card route, the PIN and the touches over the routes the kiosk UI uses. The
// screen is read from GET /api/state.
import { setTimeout as sleep } from 'node:timers/promises';

/** A read of the screen (GET /api/state). */
export const KIOSK_REQUEST_TIMEOUT_MS = 10_000;
/**
 * A touch (card, PIN, tier, cancel): the kiosk answers when it has acted, and
 * a cancel ends the payment first: intake stopped (CCTALK_COMMAND_TIMEOUT_MS,
 * 2 s), a note on its way waited for (STACK_SETTLE_TIMEOUT_MS, 5 s), the
 * credit receipt printed (PRINT_TIMEOUT_MS, 30 s) and rendered for the screen.
 * Seed 90001 saw a cancel take over 10 s on a loaded machine.
 */
export const KIOSK_ACTION_TIMEOUT_MS = 60_000;
/** How often the screen is read while waiting for it to change. */
const STATE_POLL_MS = 50;

// The state is read loosely: the run needs a few fields of it (protocol KioskView).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KioskState = Record<string, any> & { screen: string };

export class KioskApiError extends Error {
  override readonly name = 'KioskApiError';
  constructor(
    readonly route: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(`${route}: ${status} ${code}`);
  }
}

export class KioskApi {
  constructor(private readonly baseUrl: string) {}

  private async call(method: string, route: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.baseUrl}${route}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(method === 'GET' ? KIOSK_REQUEST_TIMEOUT_MS : KIOSK_ACTION_TIMEOUT_MS),
    });
    const json = (await response.json().catch(() => ({}))) as { error?: { code?: string } };
    if (!response.ok) throw new KioskApiError(route, response.status, json.error?.code ?? 'unknown');
    return json;
  }

  async state(): Promise<KioskState> {
    return (await this.call('GET', '/api/state')) as KioskState;
  }

  async insertCard(cardNumber: string): Promise<void> {
    await this.call('POST', '/api/demo/card', { cardNumber });
  }

  async removeCard(): Promise<void> {
    await this.call('DELETE', '/api/demo/card');
  }

  async pin(pin: string): Promise<void> {
    await this.call('POST', '/api/pin', { pin });
  }

  async action(action: 'account' | 'pay' | 'cancel-payment' | 'done' | 'back'): Promise<void> {
    await this.call('POST', '/api/action', { action });
  }

  async pay(tierYuan: number): Promise<void> {
    await this.call('POST', '/api/pay', { tierYuan });
  }

  /** Reads the screen until `predicate` holds; rejects after `timeoutMs`, or at once when `alive()` turns false. */
  async waitState(what: string, predicate: (state: KioskState) => boolean, timeoutMs: number, alive: () => boolean): Promise<KioskState> {
    const deadline = Date.now() + timeoutMs;
    let last: KioskState | undefined;
    while (Date.now() < deadline) {
      if (!alive()) throw new Error(`the terminal died while waiting for ${what}`);
      try {
        last = await this.state();
        if (predicate(last)) return last;
      } catch (error) {
        if (!alive()) throw new Error(`the terminal died while waiting for ${what}`);
        if (!(error instanceof TypeError)) throw error;
      }
      await sleep(STATE_POLL_MS);
    }
    throw new Error(`no ${what} within ${timeoutMs} ms (screen ${last?.screen ?? 'unknown'})`);
  }
}
