// A typed EventEmitter whose emit never lets a listener's exception unwind into
// the driver (a throwing UI handler must not stop the poll loop that guards
// the cash path). Listener errors are logged and dropped.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type EventMap<Events> = { [K in keyof Events]: (...args: any[]) => void };

export class TypedEmitter<Events extends EventMap<Events>> {
  readonly #emitter = new EventEmitter();
  constructor(protected readonly log: Logger) {
    // Several consumers (terminal, diagnostics, tests) may listen; bounded anyway.
    this.#emitter.setMaxListeners(32);
  }
  on<E extends keyof Events & string>(event: E, listener: Events[E]): this {
    this.#emitter.on(event, listener);
    return this;
  }
  off<E extends keyof Events & string>(event: E, listener: Events[E]): this {
    this.#emitter.off(event, listener);
    return this;
  }
  once<E extends keyof Events & string>(event: E, listener: Events[E]): this {
    this.#emitter.once(event, listener);
    return this;
  }
  protected emit<E extends keyof Events & string>(event: E, ...args: Parameters<Events[E]>): void {
    for (const listener of this.#emitter.listeners(event)) {
      try {
        (listener as (...a: unknown[]) => void)(...args);
      } catch (error) {
        this.log.error({ err: error, event }, 'event listener threw; ignored');
      }
    }
  }
}
