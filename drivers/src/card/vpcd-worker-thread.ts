// The body of the virtual-card worker (see vpcd-worker.ts): serves at most one
// card on one vpcd slot, inserting and removing it on the main thread's word.
import { parentPort, workerData } from 'node:worker_threads';
import { isCardError } from './errors.js';
import { parseVirtualCardProfile } from './profile.js';
import { VirtualCardWallet } from './wallet.js';
import { runVpcdClient } from './vpcd.js';
import type { VpcdWorkerData, VpcdWorkerReply, VpcdWorkerRequest } from './vpcd-worker.js';

const port = parentPort!;
const { host, port: vpcdPort } = workerData as VpcdWorkerData;
let current: { abort: AbortController; done: Promise<void> } | undefined;
/** A card inserted again is the same card: its PIN tries carry over (wallet.ts). */
const wallet = new VirtualCardWallet();

function reply(message: VpcdWorkerReply): void {
  port.postMessage(message);
}

function failure(error: unknown): { code: number | undefined; message: string } {
  return { code: isCardError(error) ? error.code : undefined, message: error instanceof Error ? error.message : String(error) };
}

async function remove(): Promise<void> {
  const card = current;
  if (!card) return;
  current = undefined;
  card.abort.abort();
  await card.done;
}

function insert(profileJson: unknown): void {
  const abort = new AbortController();
  const card = wallet.card(parseVirtualCardProfile(profileJson));
  const done = runVpcdClient(card, { host, port: vpcdPort, signal: abort.signal }).catch((error: unknown) => {
    // The connection ended without being asked to (pcscd stopped, vpcd refused).
    if (current?.abort === abort) current = undefined;
    reply({ type: 'ended', ...failure(error) });
  });
  current = { abort, done };
}

port.on('message', (request: VpcdWorkerRequest) => {
  void (async () => {
    try {
      await remove();
      if (request.type === 'insert') insert(request.profile);
      reply({ type: 'done', id: request.id });
    } catch (error) {
      reply({ type: 'failed', id: request.id, ...failure(error) });
    }
  })();
});
