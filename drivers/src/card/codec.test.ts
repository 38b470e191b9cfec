import { describe, expect, it } from 'vitest';
import {
  buildAtr,
  changePinCommand,
  decodeBcd,
  decodeCardDate,
  decodeCommand,
  decodeGbkPadded,
  decodeResponse,
  encodeCommand,
  encodeGbkPadded,
  encodePin,
  parseAtr,
  readRecordByTag,
  selectApplication,
  verifyPinCommand,
} from './codec.js';
import { CardErrorCode } from './errors.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('command APDUs', () => {
  it('SELECT by name is the exact bytes of issue #3 §2', () => {
    expect(selectApplication()).toEqual(hex('00 A4 04 00 0F 73 78 31 2E 73 68 2E C9 E7 BB E1 B1 A3 D5 CF'));
  });

  it('VERIFY PIN carries the 6 digits as 3 BCD bytes', () => {
    expect(verifyPinCommand('666666')).toEqual(hex('00 20 00 00 03 66 66 66'));
  });

  it('CHANGE PIN is 80 5E 01 00 07 <old> FF <new>', () => {
    expect(changePinCommand('123456', '654321')).toEqual(hex('80 5E 01 00 07 12 34 56 FF 65 43 21'));
  });

  it('READ RECORD by tag asks for the value length plus tag and length bytes', () => {
    expect(readRecordByTag(0x08, 18)).toEqual(hex('00 B2 08 00 14'));
  });

  it.each(['12345', '1234567', '12a456', '', ' 12345'])('refuses PIN %j with PinFormat and no PIN in the message', (pin) => {
    expect(() => encodePin(pin)).toThrow(expect.objectContaining({ code: CardErrorCode.pinFormat }));
    try {
      encodePin(pin);
    } catch (error) {
      if (pin.length > 0) expect((error as Error).message).not.toContain(pin);
    }
  });

  it('decodes every case of short APDU back to what was encoded', () => {
    const cases = [
      { cla: 0, ins: 0xa4, p1: 4, p2: 0 },
      { cla: 0, ins: 0xb2, p1: 1, p2: 5, le: 0xff },
      { cla: 0, ins: 0x20, p1: 0, p2: 0, data: hex('123456') },
      { cla: 0, ins: 0x88, p1: 0, p2: 0, data: hex('00112233445566778899AABBCCDDEEFF'), le: 16 },
    ];
    for (const c of cases) expect(decodeCommand(encodeCommand(c))).toEqual(c);
  });

  it('does not take inconsistent lengths for a command', () => {
    expect(decodeCommand(hex('00 20 00 00 05 12 34'))).toBeUndefined();
    expect(decodeCommand(hex('00 20'))).toBeUndefined();
  });

  it('splits a response into data and status word and refuses one without a status word', () => {
    expect(decodeResponse(hex('01 02 90 00'))).toEqual({ data: hex('0102'), sw: 0x9000 });
    expect(() => decodeResponse(hex('90'))).toThrow(expect.objectContaining({ code: CardErrorCode.responseTooShort }));
  });
});

describe('field encodings', () => {
  it('reads BCD and refuses nibbles above 9', () => {
    expect(decodeBcd(hex('19491231'))).toBe('19491231');
    expect(decodeBcd(hex('1A'))).toBeUndefined();
  });

  it('reads dates in BCD, ASCII YYYYMMDD and ASCII year-only like the 2012 card', () => {
    expect(decodeCardDate(hex('20300601'), true)).toEqual({ date: '2030-06-01', precision: 'day' });
    expect(decodeCardDate(Buffer.from('20300601'), true)).toEqual({ date: '2030-06-01', precision: 'day' });
    expect(decodeCardDate(Buffer.from('2022'), true)).toEqual({ date: '2022-12-31', precision: 'year' });
    expect(decodeCardDate(Buffer.from('2012'), false)).toEqual({ date: '2012-01-01', precision: 'year' });
  });

  it('refuses dates that are not on the calendar', () => {
    expect(decodeCardDate(hex('20230230'), true)).toBeUndefined();
    expect(decodeCardDate(hex('2023'), true)).toBeUndefined();
    expect(decodeCardDate(Buffer.from('20x3'), true)).toBeUndefined();
  });

  it('round-trips a GBK name padded with NULs and refuses broken GBK', () => {
    const field = encodeGbkPadded('阿旺·次仁', 30);
    expect(field).toHaveLength(30);
    expect(decodeGbkPadded(field)).toBe('阿旺·次仁');
    expect(decodeGbkPadded(hex('D5 00 00'))).toBeUndefined();
  });
});

describe('ATR', () => {
  it('parses the T=0 and T=1 ATRs the virtual card sends', () => {
    expect(parseAtr(buildAtr('t0', Buffer.from('NB-SSC-VC3')))?.protocols).toEqual([0]);
    expect(parseAtr(buildAtr('t1', Buffer.from('NB-SSC-VC3')))?.protocols).toEqual([0, 1]);
  });

  it('refuses an ATR with a wrong checksum, a wrong first byte or missing historical bytes', () => {
    const t1 = buildAtr('t1', Buffer.from('NB'));
    t1[t1.length - 1]! ^= 1;
    expect(parseAtr(t1)).toBeUndefined();
    expect(parseAtr(hex('3A 60 00 00'))).toBeUndefined();
    expect(parseAtr(hex('3B 6A 00 00 01 02'))).toBeUndefined();
  });
});
