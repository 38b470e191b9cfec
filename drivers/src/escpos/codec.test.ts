import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildReceipt, columnsOf, ReceiptBuilder, wrapText } from './builder.js';
import { decodeStatusByte, encodeGb18030, encodeStatusByte, hasStatusFixedBits, isPrintableInFont, qrCode, rasterImage, rasterToBitmap, statusQuery } from './codec.js';
import { StatusQuery } from './constants.js';
import { ESCPOS_FIXTURES } from './fixtures/commands.js';
import { EscPosParser, parseEscPos } from './parser.js';
import { decodePrinterText, renderReceipt } from './render.js';

const FUZZ_SEED = 0x4e42_0443;
const hex = (s: string) => Buffer.from(s, 'hex');

describe('ESC/POS codec', () => {
  it('encodes the four DLE EOT status queries', () => {
    expect([1, 2, 3, 4].map((n) => statusQuery(n as StatusQuery).toString('hex'))).toEqual([...ESCPOS_FIXTURES.statusQueries]);
  });

  it('validates the fixed bits of every status reply', () => {
    expect(hasStatusFixedBits(ESCPOS_FIXTURES.statusClear)).toBe(true);
    expect(decodeStatusByte(StatusQuery.paper, ESCPOS_FIXTURES.badFixedBits)).toEqual({ ok: false, reason: 'fixedBits' });
    expect(decodeStatusByte(StatusQuery.paper, 0x92)).toEqual({ ok: false, reason: 'fixedBits' });
  });

  it('decodes paper near end, paper out, cover open and cutter error', () => {
    expect(decodeStatusByte(StatusQuery.paper, ESCPOS_FIXTURES.paperOutReply)).toEqual({ ok: true, value: { nearEnd: true, out: true } });
    expect(decodeStatusByte(StatusQuery.paper, 0x1e)).toEqual({ ok: true, value: { nearEnd: true, out: false } });
    expect(decodeStatusByte(StatusQuery.offline, 0x16)).toEqual({ ok: true, value: { coverOpen: true, paperEndStop: false, errorOccurred: false } });
    expect(decodeStatusByte(StatusQuery.error, 0x1a)).toEqual({ ok: true, value: { cutterError: true, unrecoverable: false, autoRecoverable: false } });
  });

  it('round-trips every printer state through status bytes', () => {
    for (const paperOut of [false, true])
      for (const coverOpen of [false, true])
        for (const cutterError of [false, true]) {
          const state = { offline: paperOut || coverOpen, coverOpen, paperOut, paperNearEnd: false, cutterError, otherError: false };
          const paper = decodeStatusByte(StatusQuery.paper, encodeStatusByte(StatusQuery.paper, state));
          const offline = decodeStatusByte(StatusQuery.offline, encodeStatusByte(StatusQuery.offline, state));
          const error = decodeStatusByte(StatusQuery.error, encodeStatusByte(StatusQuery.error, state));
          expect([paper.ok && paper.value.out, offline.ok && offline.value.coverOpen, error.ok && error.value.cutterError]).toEqual([paperOut, coverOpen, cutterError]);
        }
  });

  it('sends ASCII and two-byte GB18030 as text, and four-byte GB18030 characters to the raster fallback', () => {
    expect(isPrintableInFont('A')).toBe(true);
    expect(isPrintableInFont('农')).toBe(true);
    expect(encodeGb18030('𠮷').length).toBe(4);
    expect(isPrintableInFont('𠮷')).toBe(false);
    expect(isPrintableInFont('¥')).toBe(false); // U+00A5 is four bytes in GB18030
  });

  it('round-trips a raster image bit for bit', () => {
    const bitmap = { width: 16, height: 3, dots: new Uint8Array(48) };
    [0, 7, 8, 15, 17, 40, 47].forEach((i) => (bitmap.dots[i] = 1));
    const bytes = rasterImage(bitmap);
    const [command] = parseEscPos(bytes);
    expect(command).toMatchObject({ op: 'raster', widthBytes: 2, heightDots: 3 });
    if (command?.op === 'raster') expect(rasterToBitmap(2, 3, command.data).dots).toEqual(bitmap.dots);
  });

  it('refuses a QR payload over the limit with a typed error', () => {
    expect(() => qrCode('x'.repeat(513))).toThrow(/1\.\.512/);
  });
});

describe('ESC/POS parser', () => {
  it('cuts the fixture receipt into commands', () => {
    expect(parseEscPos(hex(ESCPOS_FIXTURES.centeredBoldTitle)).map((c) => c.op)).toEqual(['init', 'kanji', 'align', 'bold', 'size', 'text', 'lf', 'cut']);
  });

  it('gives the same commands when fed one byte at a time (split chunks)', () => {
    const bytes = buildReceipt([{ kind: 'title', text: '缴费' }, { kind: 'qr', payload: 'abc' }, { kind: 'text', text: '𠮷' }]);
    const parser = new EscPosParser();
    const split = [...bytes].flatMap((b) => parser.push(Buffer.from([b])));
    const whole = parseEscPos(bytes);
    const join = (cs: typeof whole) => cs.map((c) => (c.op === 'text' ? `text:${c.bytes.toString('hex')}` : JSON.stringify(c)));
    expect(join(split).join('|').replace(/\|?text:/g, '')).toBe(join(whole).join('|').replace(/\|?text:/g, ''));
  });

  it('skips garbage and unknown commands as discards, then parses on', () => {
    const commands = parseEscPos(Buffer.concat([hex('00071B7F'), hex(ESCPOS_FIXTURES.statusQueries[0]!)]));
    expect(commands.filter((c) => c.op === 'discard')).toHaveLength(3);
    expect(commands.at(-1)).toEqual({ op: 'status', n: 1 });
  });

  it('never throws and bounds its buffer on 10 000 random and mutated inputs', () => {
    const receipt = buildReceipt([{ kind: 'title', text: '农保' }, { kind: 'row', key: 'a', value: '¥1' }, { kind: 'qr', payload: 'q' }]);
    const mutated = fc
      .tuple(fc.integer({ min: 0, max: receipt.length - 1 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: receipt.length }))
      .map(([at, byte, cut]) => {
        const copy = Buffer.from(receipt);
        copy[at] = byte;
        return copy.subarray(0, cut);
      });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), mutated), (bytes) => {
        const parser = new EscPosParser();
        parser.push(bytes.subarray(0, bytes.length >> 1));
        parser.push(bytes.subarray(bytes.length >> 1));
        parser.end();
        expect(parser.pendingBytes).toBe(0);
      }),
      { seed: FUZZ_SEED, numRuns: 10_000 },
    );
  });

  it('renders 300 random inputs without throwing', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const r = renderReceipt(bytes);
        expect(r.png.subarray(1, 4).toString()).toBe('PNG');
      }),
      { seed: FUZZ_SEED + 1, numRuns: 300 },
    );
  });
});

describe('receipt builder and renderer', () => {
  it('wraps by printer columns, Chinese characters counting two', () => {
    expect(columnsOf('农保ab')).toBe(6);
    expect(wrapText('一二三四五', 4)).toEqual(['一二', '三四', '五']);
  });

  it('prints a contribution receipt that renders back to the same text', () => {
    const bytes = new ReceiptBuilder()
      .title('缴费凭证')
      .separator()
      .row('姓名', '张三')
      .row('缴费金额', '300.00 元')
      .text('谢谢', { align: 'center' })
      .qr('https://nongbao.example/r/0190a')
      .build();
    const rendered = renderReceipt(bytes);
    expect(rendered.text.split('\n')).toEqual([
      `${' '.repeat(8)}缴费凭证`,
      '-'.repeat(32),
      `姓名${' '.repeat(24)}张三`,
      `缴费金额${' '.repeat(15)}300.00 元`,
      `${' '.repeat(14)}谢谢`,
      expect.stringContaining('[QR: https://nongbao.example/r/0190a]'),
    ]);
    expect(rendered.cuts).toBe(1);
    expect(rendered.discarded).toBe(0);
    expect(rendered.png.subarray(1, 4).toString()).toBe('PNG');
  });

  it('draws a line with a four-byte GB18030 character as a raster image instead of text', () => {
    const bytes = new ReceiptBuilder().row('姓名', '吉𠮷').build();
    const commands = parseEscPos(bytes);
    expect(commands.some((c) => c.op === 'raster' && c.widthBytes === 48 && c.heightDots === 24)).toBe(true);
    // No four-byte sequence reaches the printer as text.
    const text = Buffer.concat(commands.flatMap((c) => (c.op === 'text' ? [c.bytes] : [])));
    expect(text.includes(encodeGb18030('𠮷'))).toBe(false);
    expect(renderReceipt(bytes).text).toBe('[image 384x24]');
  });

  it('keeps control characters in data from becoming printer commands', () => {
    const bytes = new ReceiptBuilder().row('name', 'A\x1bB\x1dV').build();
    expect(renderReceipt(bytes).text).toBe(`name${' '.repeat(23)}A B V`);
  });

  it('decodes what the printer would print in and out of Kanji mode', () => {
    expect(String.fromCodePoint(...decodePrinterText(encodeGb18030('农A'), true))).toBe('农A');
    expect(decodePrinterText(encodeGb18030('农'), false)).toEqual([0xfffd, 0xfffd]);
    expect(decodePrinterText(encodeGb18030('𠮷'), true)).toEqual([0xfffd]);
  });
});
