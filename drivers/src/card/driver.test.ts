// PcscCardReader's event handling against a scripted binding that behaves
// like `pcsclite` (same callbacks, error messages with PC/SC codes). The real
// daemon is exercised in tests/src/card/pcsc.test.ts.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { PcscCardReader, type PcscBindingContext, type PcscBindingReader } from './driver.js';
import { CardErrorCode, type CardError } from './errors.js';
import type { CardInsertedEvent } from './types.js';

const PRESENT = 0x20;
const EMPTY = 0x10;

class FakeReader extends EventEmitter implements PcscBindingReader {
  readonly SCARD_SHARE_SHARED = 2;
  readonly SCARD_SHARE_EXCLUSIVE = 1;
  readonly SCARD_PROTOCOL_T0 = 1;
  readonly SCARD_PROTOCOL_T1 = 2;
  readonly SCARD_STATE_PRESENT = PRESENT;
  readonly SCARD_STATE_MUTE = 0x200;
  readonly SCARD_LEAVE_CARD = 0;
  readonly SCARD_UNPOWER_CARD = 2;
  connected = false;
  closed = false;
  pendingTransmit: ((err: Error | null, response: Buffer) => void) | undefined;
  constructor(readonly name: string) {
    super();
  }
  connect(_o: unknown, cb: (err: Error | null, protocol: number) => void): void {
    this.connected = true;
    setImmediate(() => cb(null, 1));
  }
  disconnect(_d: number, cb: (err: Error | null) => void): void {
    this.connected = false;
    setImmediate(() => cb(null));
  }
  transmit(_data: Buffer, _len: number, _p: number, cb: (err: Error | null, response: Buffer) => void): void {
    this.pendingTransmit = cb;
  }
  close(): void {
    this.closed = true;
  }
}

class FakeContext extends EventEmitter implements PcscBindingContext {
  closed = false;
  close(): void {
    this.closed = true;
  }
}

function harness() {
  const contexts: FakeContext[] = [];
  let serviceUp = false;
  const driver = new PcscCardReader({
    retryMs: 10,
    removalSettleMs: 300,
    binding: () => {
      if (!serviceUp) throw new Error('SCardEstablishContext error: Service not available.(0x8010001d)');
      const c = new FakeContext();
      contexts.push(c);
      return c;
    },
  });
  const events: string[] = [];
  const errors: CardError[] = [];
  driver.on('reader-added', (e) => events.push(`added ${e.readerName}`));
  driver.on('reader-removed', (e) => events.push(`removed ${e.readerName}`));
  driver.on('card-inserted', (e) => events.push(`inserted ${e.readerName}`));
  driver.on('card-removed', (e) => events.push(`card-removed ${e.readerName}`));
  driver.on('error', (e) => errors.push(e));
  return { driver, contexts, events, errors, up: () => (serviceUp = true), down: () => (serviceUp = false) };
}

const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));

async function withCard(h: ReturnType<typeof harness>) {
  const reader = new FakeReader('R 00');
  h.contexts.at(-1)!.emit('reader', reader);
  const inserted = new Promise<CardInsertedEvent>((resolve) => h.driver.once('card-inserted', resolve));
  reader.emit('status', { state: PRESENT, atr: Buffer.from('3B6A0000', 'hex') });
  return { reader, event: await inserted };
}

describe('PcscCardReader', () => {
  it('reports pcscd missing once, keeps retrying, and comes up when it appears', async () => {
    const h = harness();
    await h.driver.start();
    await tick(50);
    expect(h.errors.map((e) => e.code)).toEqual([CardErrorCode.readerServiceUnavailable]);
    h.up();
    await tick(30);
    expect(h.contexts).toHaveLength(1);
    await h.driver.stop();
  });

  it('card pulled mid-exchange, removal reported first: the exchange ends in CardRemoved', async () => {
    const h = harness();
    h.up();
    await h.driver.start();
    const { reader, event } = await withCard(h);
    const pending = event.transport.transmit(Buffer.from('0020000003123456', 'hex'));
    await tick();
    reader.emit('status', { state: EMPTY });
    reader.pendingTransmit?.(new Error('SCardTransmit error: Transaction failed.(0x80100016)'), Buffer.alloc(0));
    await expect(pending).rejects.toMatchObject({ code: CardErrorCode.cardRemoved });
    expect(h.events).toEqual(['added R 00', 'inserted R 00', 'card-removed R 00']);
    await h.driver.stop();
  });

  it('card pulled mid-exchange, transmit fails first: still one CardRemoved', async () => {
    const h = harness();
    h.up();
    await h.driver.start();
    const { reader, event } = await withCard(h);
    const pending = event.transport.transmit(Buffer.from('0020000003123456', 'hex'));
    await tick();
    reader.pendingTransmit?.(new Error('SCardTransmit error: Transaction failed.(0x80100016)'), Buffer.alloc(0));
    await tick(50);
    reader.emit('status', { state: EMPTY });
    await expect(pending).rejects.toMatchObject({ code: CardErrorCode.cardRemoved });
    await h.driver.stop();
  });

  it('maps the removed-card return code straight to CardRemoved', async () => {
    const h = harness();
    h.up();
    await h.driver.start();
    const { reader, event } = await withCard(h);
    const pending = event.transport.transmit(Buffer.from('00A4040000', 'hex'));
    await tick();
    reader.pendingTransmit?.(new Error('SCardTransmit error: Card was removed.(0x80100069)'), Buffer.alloc(0));
    await expect(pending).rejects.toMatchObject({ code: CardErrorCode.cardRemoved });
    await h.driver.stop();
  });

  it('reader unplugged mid-session: card-removed, reader-removed, transport rejects with ReaderRemoved', async () => {
    const h = harness();
    h.up();
    await h.driver.start();
    const { reader, event } = await withCard(h);
    const pending = event.transport.transmit(Buffer.from('00A4040000', 'hex'));
    await tick();
    reader.emit('end');
    await expect(pending).rejects.toMatchObject({ code: CardErrorCode.readerRemoved });
    expect(h.events.slice(-2)).toEqual(['card-removed R 00', 'removed R 00']);
    await h.driver.stop();
  });

  it('pcscd going away drops readers and cards and re-creates the context', async () => {
    const h = harness();
    h.up();
    await h.driver.start();
    const { reader, event } = await withCard(h);
    h.down();
    h.contexts[0]!.emit('error', new Error('SCardGetStatusChange error: RPC transport error.(0x80100013)'));
    await expect(event.transport.transmit(Buffer.from('00A4040000', 'hex'))).rejects.toMatchObject({ code: CardErrorCode.readerServiceUnavailable });
    expect(h.contexts[0]!.closed).toBe(true);
    await tick();
    expect(h.events.slice(-2)).toEqual(['card-removed R 00', 'removed R 00']);
    // Its watcher is not closed: without pcscd, pcsclite's close() can block the event loop for good.
    expect(reader.closed).toBe(false);
    h.up();
    await tick(50);
    expect(h.contexts).toHaveLength(2);
    await h.driver.stop();
  });
});
