import { createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { VpcdFrameParser, encodeVpcdFrame, runVpcdClient } from './vpcd.js';
import { VirtualCard } from './simulator.js';
import { residentProfile } from './test-support.js';
import { CardErrorCode } from './errors.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('vpcd framing', () => {
  it('cuts controls and APDUs, also when split across chunks', () => {
    const stream = Buffer.concat([encodeVpcdFrame(hex('04')), encodeVpcdFrame(hex('00 A4 04 00 00')), encodeVpcdFrame(hex('01'))]);
    for (let cut = 0; cut <= stream.length; cut += 1) {
      const parser = new VpcdFrameParser();
      const items = [...parser.push(stream.subarray(0, cut)), ...parser.push(stream.subarray(cut))];
      expect(items).toEqual([
        { kind: 'control', code: 4 },
        { kind: 'apdu', apdu: hex('00 A4 04 00 00') },
        { kind: 'control', code: 1 },
      ]);
    }
  });

  it('discards a frame longer than its limit instead of buffering it', () => {
    const parser = new VpcdFrameParser();
    expect(parser.push(hex('FF FF 00 01 02'))).toEqual([expect.objectContaining({ kind: 'discard', reason: 'frame-too-long' })]);
  });
});

/** A stand-in for vpcd's listening side on an ephemeral port. */
async function fakeVpcd(): Promise<{ port: number; connection: Promise<Socket>; close: () => void }> {
  const server = createServer();
  const connection = new Promise<Socket>((resolve) => server.once('connection', resolve));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { port: address.port, connection, close: () => server.close() };
}

function reader(socket: Socket): () => Promise<Buffer> {
  const parser = new VpcdFrameParser();
  const queue: Buffer[] = [];
  let wake: () => void = () => undefined;
  socket.on('data', (chunk: Buffer) => {
    for (const item of parser.push(chunk)) if (item.kind === 'apdu') queue.push(item.apdu);
    wake();
  });
  return async () => {
    while (queue.length === 0) await new Promise<void>((r) => (wake = r));
    return queue.shift()!;
  };
}

describe('runVpcdClient', () => {
  it('answers ATR requests and APDUs like vpcd expects, and closes on abort', async () => {
    const vpcd = await fakeVpcd();
    const card = new VirtualCard(residentProfile({ protocol: 't1' }));
    const controller = new AbortController();
    const serving = runVpcdClient(card, { port: vpcd.port, signal: controller.signal });
    const socket = await vpcd.connection;
    const next = reader(socket);
    socket.write(encodeVpcdFrame(hex('04')));
    expect(await next()).toEqual(card.atr);
    socket.write(encodeVpcdFrame(hex('00 A4 04 00 0F 73 78 31 2E 73 68 2E C9 E7 BB E1 B1 A3 D5 CF')));
    expect((await next()).subarray(-2)).toEqual(hex('90 00'));
    const closed = new Promise((r) => socket.once('close', r));
    controller.abort();
    await serving;
    await closed;
    vpcd.close();
  });

  it('rejects with VpcdUnavailable when nothing listens and reconnect is off', async () => {
    const vpcd = await fakeVpcd();
    vpcd.close();
    await new Promise((r) => setTimeout(r, 20));
    await expect(runVpcdClient(new VirtualCard(residentProfile()), { port: vpcd.port })).rejects.toMatchObject({ code: CardErrorCode.vpcdUnavailable });
  });
});
