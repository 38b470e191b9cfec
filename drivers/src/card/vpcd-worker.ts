// A vpcd slot whose virtual card answers from a worker thread.
//
// A process that holds a PC/SC reader must not serve a virtual card on its own
// event loop. pcsclite's CardReader.close() calls SCardCancel, which blocks
// the event loop until pcscd answers; a pcscd that is shutting down first
// waits for its vpcd thread, which waits for the card's answer, which the
// blocked event loop cannot give. That deadlock hung the demo on Ctrl-C with a
// card inserted. From a worker the card answers whatever the main thread is
// blocked in, as a real card in a real reader does.
import { Worker } from 'node:worker_threads';
import { CardError, CardErrorCode } from './errors.js';
import type { VirtualCardProfile } from './profile.js';
import { VPCD_BASE_PORT, VPCD_HOST } from './vpcd.js';

export interface VpcdWorkerData {
  host: string;
  port: number;
}

export type VpcdWorkerRequest = { type: 'insert'; id: number; profile: VirtualCardProfile } | { type: 'remove'; id: number };

export type VpcdWorkerReply =
  | { type: 'done'; id: number }
  | { type: 'failed'; id: number; code: number | undefined; message: string }
  /** The card's connection ended without a request (pcscd stopped, vpcd refused it). */
  | { type: 'ended'; code: number | undefined; message: string };

export interface VpcdSlotWorkerOptions {
  host?: string;
  /** Defaults to slot 0's port. */
  port?: number;
  /** Told when the card's connection ends without a request. */
  onCardEnded?: (error: CardError) => void;
}

function cardError(code: number | undefined, message: string): CardError {
  return new CardError((code ?? CardErrorCode.vpcdDisconnected) as CardErrorCode, message);
}

/** One vpcd slot served from a worker thread: insert a card, remove it, close. */
export class VpcdSlotWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  private nextId = 1;
  private exited: Error | undefined;

  constructor(options: VpcdSlotWorkerOptions = {}) {
    const data: VpcdWorkerData = { host: options.host ?? VPCD_HOST, port: options.port ?? VPCD_BASE_PORT };
    this.worker = new Worker(new URL('./vpcd-worker-entry.mjs', import.meta.url), { workerData: data });
    this.worker.on('message', (message: VpcdWorkerReply) => {
      if (message.type === 'ended') {
        options.onCardEnded?.(cardError(message.code, message.message));
        return;
      }
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.type === 'done') waiter?.resolve();
      else waiter?.reject(cardError(message.code, message.message));
    });
    const fail = (error: Error): void => {
      this.exited ??= error;
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new CardError(CardErrorCode.vpcdUnavailable, `virtual card worker exited (code ${code})`)));
  }

  /**
   * Inserts `profile`'s card (taking out the one inserted before); resolves
   * once the worker serves it. The same card inserted again is the same card
   * (wallet.ts): its PIN tries are as it was taken out with.
   */
  insert(profile: VirtualCardProfile): Promise<void> {
    return this.request({ type: 'insert', profile });
  }

  /** Takes the card out (closes its vpcd connection); resolves once it is out. */
  remove(): Promise<void> {
    return this.request({ type: 'remove' });
  }

  /** Takes the card out and ends the worker. */
  async close(): Promise<void> {
    if (!this.exited) await this.remove().catch(() => undefined);
    await this.worker.terminate();
  }

  private request(body: { type: 'insert'; profile: VirtualCardProfile } | { type: 'remove' }): Promise<void> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...body, id } satisfies VpcdWorkerRequest);
    });
  }
}
