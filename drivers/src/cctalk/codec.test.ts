import { describe, expect, it } from 'vitest';
import {
  checksum8,
  crc16Ccitt,
  decodeBillId,
  decodeBufferedBillEvents,
  decodeFrame,
  decodeInhibitMask,
  encodeBillId,
  encodeBufferedBillEvents,
  encodeFrame,
  encodeInhibitMask,
} from './codec.js';
import { FRAME_FIXTURES } from './fixtures/frames.js';

/** Bit-by-bit CRC-16/XMODEM, written independently of the table-driven one. */
function referenceCrc(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    for (let bit = 7; bit >= 0; bit--) {
      const top = ((crc >> 15) & 1) ^ ((byte >> bit) & 1);
      crc = (crc << 1) & 0xffff;
      if (top) crc ^= 0x1021;
    }
  }
  return crc;
}

describe('ccTalk codec', () => {
  for (const fixture of FRAME_FIXTURES) {
    it(`round-trips "${fixture.name}"`, () => {
      const bytes = Buffer.from(fixture.hex, 'hex');
      const decoded = decodeFrame(bytes, fixture.mode, fixture.source);
      expect(decoded).toEqual({
        ok: true,
        frame: { destination: fixture.destination, source: fixture.source, header: fixture.header, data: Buffer.from(fixture.dataHex, 'hex') },
      });
      if (decoded.ok) expect(encodeFrame(decoded.frame, fixture.mode).toString('hex').toUpperCase()).toBe(fixture.hex);
    });
  }

  it('makes every byte of a simple-checksum frame sum to zero mod 256', () => {
    const frame = encodeFrame({ destination: 40, source: 1, header: 231, data: Buffer.from([0x3f, 0x00]) }, 'simple8');
    expect(frame.reduce((sum, b) => (sum + b) & 0xff, 0)).toBe(0);
    expect(checksum8(frame.subarray(0, -1))).toBe(frame.at(-1));
  });

  it('computes the CRC-16/CCITT (XMODEM) check value', () => {
    expect(crc16Ccitt(Buffer.from('123456789'))).toBe(0x31c3);
  });

  it('keeps leading zero nibbles of CRCs below 0x1000', () => {
    // Header 2 to the validator: CRC 0x0F25; header 2 with data 0x1F: CRC 0x0001.
    const small = encodeFrame({ destination: 40, source: 1, header: 2, data: Buffer.alloc(0) }, 'crc16');
    expect([...small]).toEqual([0x28, 0x00, 0x25, 0x02, 0x0f]);
    const tiny = encodeFrame({ destination: 40, source: 1, header: 2, data: Buffer.from([0x1f]) }, 'crc16');
    expect([...tiny]).toEqual([0x28, 0x01, 0x01, 0x02, 0x1f, 0x00]);
    for (let header = 0; header < 256; header++) {
      const input = Buffer.from([40, 0, header]);
      expect(crc16Ccitt(input)).toBe(referenceCrc(input));
    }
  });

  it('rejects a frame with a wrong checksum or CRC', () => {
    expect(decodeFrame(Buffer.from('280001FED8', 'hex'), 'simple8')).toEqual({ ok: false, reason: 'badChecksum' });
    expect(decodeFrame(Buffer.from('2800B6FE22', 'hex'), 'crc16')).toEqual({ ok: false, reason: 'badChecksum' });
  });

  it('rejects a frame whose length byte does not match its size', () => {
    expect(decodeFrame(Buffer.from('280101FED9', 'hex'), 'simple8')).toEqual({ ok: false, reason: 'badLength' });
    expect(decodeFrame(Buffer.from('2800', 'hex'), 'simple8')).toEqual({ ok: false, reason: 'badLength' });
  });

  it('refuses to encode more than 252 data bytes or a non-byte address', () => {
    expect(() => encodeFrame({ destination: 40, source: 1, header: 1, data: Buffer.alloc(253) }, 'simple8')).toThrow(/exceeds 252/);
    expect(() => encodeFrame({ destination: 256, source: 1, header: 1, data: Buffer.alloc(0) }, 'simple8')).toThrow(/not a byte/);
  });

  it('decodes header 159 events newest first: credits, escrow and status codes', () => {
    const data = encodeBufferedBillEvents(7, [
      { a: 5, b: 0 },
      { a: 5, b: 1 },
      { a: 0, b: 11 },
    ]);
    expect(decodeBufferedBillEvents(data)).toEqual({
      eventCounter: 7,
      events: [
        { kind: 'bill', billType: 5, result: 'stacked', resultB: 0 },
        { kind: 'bill', billType: 5, result: 'escrow', resultB: 1 },
        { kind: 'status', code: 11 },
        { kind: 'status', code: 0 },
        { kind: 'status', code: 0 },
      ],
    });
    expect(decodeBufferedBillEvents(data.subarray(0, 10))).toBeUndefined();
  });

  it('reads CNY bill ids and refuses malformed ones', () => {
    expect(decodeBillId(Buffer.from('CN0100A'))).toEqual({ country: 'CN', value: 100, issue: 'A' });
    expect(encodeBillId({ country: 'CN', value: 5, issue: 'A' }).toString()).toBe('CN0005A');
    expect(decodeBillId(Buffer.from('.......'))).toBeUndefined();
  });

  it('maps bill types to the inhibit mask, bit set = accepted', () => {
    expect([...encodeInhibitMask([1, 5, 9])]).toEqual([0b0001_0001, 0b0000_0001]);
    expect(decodeInhibitMask(Buffer.from([0x11, 0x01]))).toEqual([1, 5, 9]);
    expect(() => encodeInhibitMask([17])).toThrow(/1\.\.16/);
  });
});
