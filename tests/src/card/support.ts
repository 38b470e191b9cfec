// Helpers for the card integration tests (real pcscd + vpcd).
import { execFile, execFileSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { promisify } from 'node:util';
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

/** How long an outside PC/SC tool (opensc-tool, scriptor) may take. */
export const TOOL_TIMEOUT_MS = 20_000;

/**
 * Has opensc-tool (OpenSC, not ours) SELECT the application, SELECT EF06 and
 * READ RECORD 8 (the citizen number) on a vpcd reader; returns the response
 * bytes as one uppercase hex string. Response lines are "08 12 36 32 ...
 * <ASCII column>": the hex columns are joined.
 */
export async function openscReadCitizenRecord(readerName: string): Promise<string> {
  const { stdout } = await promisify(execFile)('opensc-tool', openscReadArgs(readerName), { timeout: TOOL_TIMEOUT_MS });
  return responseHex(stdout);
}

/** The same read with this thread blocked until opensc-tool is done (as a synchronous native call blocks it). */
export function openscReadCitizenRecordSync(readerName: string): string {
  return responseHex(execFileSync('opensc-tool', openscReadArgs(readerName), { timeout: TOOL_TIMEOUT_MS, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
}

function openscReadArgs(readerName: string): string[] {
  return ['--reader', readerName, '--wait', '-s', '00:A4:04:00:0F:73:78:31:2E:73:68:2E:C9:E7:BB:E1:B1:A3:D5:CF', '-s', '00:A4:00:00:02:EF:06', '-s', '00:B2:08:00:14'];
}

function responseHex(stdout: string): string {
  return stdout
    .split('\n')
    .map((line) => /^((?:[0-9A-F]{2} )+)/.exec(line)?.[1] ?? '')
    .join('')
    .replace(/ /g, '');
}
