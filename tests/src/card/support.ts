// Helpers for the card integration tests (real pcscd + vpcd).
import { EventEmitter } from 'node:events';
import { PcscCardReader, VirtualCard, runVpcdClient, vpcdPort, vpcdReaderName, type CardInsertedEvent } from '@nongbao/drivers/card';

/** pcscd notices a vpcd connection on its next poll (~450 ms) and connects: leave room. */
export const CARD_EVENT_TIMEOUT_MS = 10_000;

export function waitForEvent<T>(emitter: EventEmitter, event: string, predicate: (value: T) => boolean = () => true, timeoutMs = CARD_EVENT_TIMEOUT_MS): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    function listener(value: T): void {
      if (!predicate(value)) return;
      clearTimeout(timer);
      emitter.off(event, listener);
      resolve(value);
    }
    emitter.on(event, listener);
  });
}

/** Serves `card` on vpcd slot `slot` until the returned remove() is called. */
export function insertIntoVpcd(card: VirtualCard, slot: 0 | 1, reconnect = false): { remove: () => Promise<void>; done: Promise<void> } {
  const controller = new AbortController();
  const done = runVpcdClient(card, { port: vpcdPort(slot), signal: controller.signal, reconnect });
  done.catch(() => undefined);
  return {
    done,
    remove: async () => {
      controller.abort();
      await done.catch(() => undefined);
    },
  };
}

export function virtualReaders(): PcscCardReader {
  return new PcscCardReader({ readerFilter: (name) => name.startsWith('Virtual PCD') });
}

export function insertedInto(slot: 0 | 1): (e: CardInsertedEvent) => boolean {
  return (e) => e.readerName === vpcdReaderName(slot);
}
