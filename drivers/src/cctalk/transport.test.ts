// The ccTalk transport's reply matching when a reply comes late (issue 11
// section 7: found by the chaos run on a loaded host). ccTalk replies carry
// no request id; a reply to a request that timed out must never be taken as
// the answer to the next one.
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createMemoryLinkPair } from '../device/link.js';
import { DeviceError, DeviceErrorCode } from '../device/errors.js';
import { decodeFrame, encodeFrame } from './codec.js';
import { CctalkTransport } from './transport.js';

const HOST = 1;
const DEVICE = 40;
const REPLY_TIMEOUT_MS = 100;
/** The device answers the first request this late (after the host's deadline), the others at once. */
const LATE_REPLY_MS = 180;

describe('ccTalk transport', () => {
  it('never takes the late reply to a timed-out request as the answer to the next one', async () => {
    const { host, device } = createMemoryLinkPair();
    // A device that answers each request with its number (1, 2, ...): the first one late.
    let requests = 0;
    device.onData((bytes) => {
      const decoded = decodeFrame(bytes, 'simple8');
      if (!decoded.ok) return;
      requests += 1;
      const reply = encodeFrame({ destination: HOST, source: DEVICE, header: 0, data: Buffer.from([requests]) }, 'simple8');
      setTimeout(() => void device.write(reply), requests === 1 ? LATE_REPLY_MS : 5);
    });
    const transport = new CctalkTransport({ link: host, mode: 'simple8', hostAddress: HOST, deviceAddress: DEVICE, echo: false, log: pino({ level: 'silent' }) });

    const first = transport.request(157, Uint8Array.of(4), { what: 'bill id 4', timeoutMs: REPLY_TIMEOUT_MS });
    await expect(first).rejects.toSatisfy((e) => e instanceof DeviceError && e.code === DeviceErrorCode.timeout);
    // Asked at once, as the driver asks the next bill type: its answer is the device's second reply.
    const second = await transport.request(157, Uint8Array.of(5), { what: 'bill id 5', timeoutMs: REPLY_TIMEOUT_MS });
    expect([...second.data]).toEqual([2]);
    transport.dispose();
  });
});
