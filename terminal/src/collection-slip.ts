// The cash-box collection slip (issue 13 section 2): printed when staff start
// a collection, and carried with the cash to the county office, where the
// operator scans its QR code (the collection id) and records the count
// against it. It says what the kiosk's journal counted in the box: notes by
// denomination, the payments and credits they came from, unattributed
// notes, the total, the kiosk, the staff card and the time.
import { collectionQrText } from '@nongbao/protocol';
import { ReceiptBuilder } from '@nongbao/drivers/escpos';
import type { CollectionRow } from './journal/index.js';
import { shanghaiTime, yuanText } from './receipts.js';

/**
 * `reprint`: printed again after a restart found the slip unmarked (the
 * kiosk cannot know whether the first one reached the paper); the id is the
 * same, so two slips are one collection.
 */
export function collectionSlip(c: CollectionRow, terminalId: string, options: { reprint?: boolean } = {}): Buffer {
  const builder = new ReceiptBuilder().title('农村社会养老保险').text('钱箱现金归集单', { align: 'center', bold: true });
  if (options.reprint) builder.text('（补打）', { align: 'center' });
  builder.separator().row('终端', terminalId).row('员工卡号', c.staffCardNumber).row('开始时间', shanghaiTime(c.startedAt)).separator();
  if (c.notes.length === 0) builder.text('钱箱内无现金记录', { align: 'center' });
  for (const n of c.notes) builder.row(`${n.denominationFen / 100}元 × ${n.count}`, yuanText(n.denominationFen * n.count));
  builder
    .separator()
    .row('缴费笔数', `${c.payments.count}笔 ${yuanText(c.payments.amountFen)}`)
    .row('暂存笔数', `${c.credits.count}笔 ${yuanText(c.credits.amountFen)}`);
  if (c.unattributed.count > 0) builder.row('未归属现金', `${c.unattributed.count}张 ${yuanText(c.unattributed.amountFen)}`);
  return builder
    .row('合计', yuanText(c.amountFen), { bold: true })
    .separator()
    .text(`归集单号 ${c.id}`)
    .qr(collectionQrText(c.id))
    .text('请将本单与现金一同交乡镇社保所清点', { align: 'center' })
    .feed(2)
    .build();
}
