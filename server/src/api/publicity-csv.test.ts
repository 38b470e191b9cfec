import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { PublicityList } from '../registry/index.js';
import { PUBLICITY_CSV_HEADER, publicityCsvLines } from './publicity-csv.js';

const list: PublicityList = {
  villageCode: 'V001',
  villageName: '上坝村',
  year: 2011,
  contributors: [
    { name: '张*丰', tierYuan: 100, paidOn: '2011-08-01' },
    { name: '=*******)', tierYuan: 500, paidOn: '2011-09-02' },
    { name: '欧阳,"*"', tierYuan: 200, paidOn: '2011-09-03' },
  ],
  recipients: [{ name: '孙*', monthlyFen: 6516, certification: 'lapsed' }],
};

describe('the printed publicity list', () => {
  it('starts with a BOM and the header, one CRLF line per person, contributors then recipients', () => {
    const lines = [...publicityCsvLines(list)];
    expect(lines[0]).toBe(`\uFEFF${PUBLICITY_CSV_HEADER}\r\n`);
    expect(lines[1]).toBe('contributor,张*丰,100,2011-08-01,,,\r\n');
    expect(lines[4]).toBe('recipient,孙*,,,6516,65.16,lapsed\r\n');
    expect(lines).toHaveLength(5);
  });

  it('keeps a name from running as a spreadsheet formula and quotes commas and quotes', () => {
    const rows = parse([...publicityCsvLines(list)].join(''), { bom: true, relax_column_count: false }) as string[][];
    expect(rows[0]).toEqual(PUBLICITY_CSV_HEADER.split(','));
    expect(rows[2]![1]).toBe("'=*******)");
    expect(rows[3]![1]).toBe('欧阳,"*"');
    expect(rows.every((r) => r.length === 7)).toBe(true);
  });

  it('writes only the header for a village with nobody on the list', () => {
    expect([...publicityCsvLines({ ...list, contributors: [], recipients: [] })]).toEqual([`\uFEFF${PUBLICITY_CSV_HEADER}\r\n`]);
  });
});
