// The collection slip (issue 13 section 2) as the printer prints it: the
// ESC/POS bytes rendered back to text by the same renderer the simulator uses.
import { describe, expect, it } from 'vitest';
import { renderReceipt } from '@nongbao/drivers/escpos';
import { collectionSlip } from './collection-slip.js';
import type { CollectionRow } from './journal/index.js';

const collection: CollectionRow = {
  id: '01a20562-9ad7-7028-b880-1783f7c2e6ec',
  previousId: null,
  staffCardNumber: 'S00000001',
  startedAt: '2026-11-22T02:05:00.000Z',
  notes: [
    { denominationFen: 10_000, count: 3 },
    { denominationFen: 5_000, count: 1 },
    { denominationFen: 100, count: 2 },
  ],
  amountFen: 35_200,
  payments: { count: 2, amountFen: 30_000 },
  credits: { count: 1, amountFen: 5_000 },
  unattributed: { count: 2, amountFen: 200 },
  slipPrintedAt: null,
  finishedAt: null,
};

function lines(bytes: Buffer): string[] {
  return renderReceipt(bytes).text.split('\n').map((l) => l.replace(/\s+/g, ' ').trim());
}

describe('the collection slip', () => {
  it('lists the notes by denomination, the payment and credit counts, the total, the kiosk, the staff card, the time and the id as a QR code', () => {
    const text = lines(collectionSlip(collection, 'kiosk-hongyan-01'));
    expect(text).toContain('钱箱现金归集单');
    expect(text).toContain('100元 × 3 300.00元');
    expect(text).toContain('50元 × 1 50.00元');
    expect(text).toContain('1元 × 2 2.00元');
    expect(text).toContain('缴费笔数 2笔 300.00元');
    expect(text).toContain('暂存笔数 1笔 50.00元');
    expect(text).toContain('未归属现金 2张 2.00元');
    expect(text).toContain('合计 352.00元');
    expect(text).toContain('终端 kiosk-hongyan-01');
    expect(text).toContain('员工卡号 S00000001');
    // 02:05 UTC is 10:05 in Asia/Shanghai.
    expect(text).toContain('开始时间 2026/11/22 10:05');
    expect(text).toContain('[QR: nongbao:collection:01a20562-9ad7-7028-b880-1783f7c2e6ec]');
    expect(text).not.toContain('（补打）');
  });

  it('says so on an empty box and on a slip printed again', () => {
    const empty = { ...collection, notes: [], amountFen: 0, payments: { count: 0, amountFen: 0 }, credits: { count: 0, amountFen: 0 }, unattributed: { count: 0, amountFen: 0 } };
    const text = lines(collectionSlip(empty, 'kiosk-hongyan-01', { reprint: true }));
    expect(text).toContain('钱箱内无现金记录');
    expect(text).toContain('（补打）');
    expect(text).toContain('合计 0.00元');
    expect(text.some((l) => l.startsWith('未归属现金'))).toBe(false);
  });
});
