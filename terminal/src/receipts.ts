// Receipts (ARCHITECTURE.md journey 2): what the printer prints and the
// screen shows. A paid receipt; a credit slip when a payment ends short (the
// cash is the person's, never lost); and, for a payment taken while the
// gateway was unreachable, a provisional receipt whose QR code carries the
// terminal's ed25519 signature over the payment (protocol receipt.ts), which
// the county office checks with `nongbao receipt verify`.
import { maskCitizenNumber, receiptQrText, receiptSigningBytes, type CreditCloseReason, type ProvisionalReceipt } from '@nongbao/protocol';
import { ReceiptBuilder, renderReceipt } from '@nongbao/drivers/escpos';

export interface ReceiptPayment {
  paymentId: string;
  citizenNumber: string;
  /** Already masked (王*英). */
  holderName: string;
  year: number;
  tierYuan: number;
  dueFen: number;
  stackedFen: number;
  creditedFen: number;
}

/** Signs bytes with this kiosk's enrolled key; returns the signature, base64url. */
export type ReceiptSigner = (bytes: Uint8Array) => string;

export function yuanText(fen: number): string {
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}元`;
}

export function shanghaiTime(iso: string): string {
  return new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(new Date(iso));
}

function header(builder: ReceiptBuilder, p: ReceiptPayment, at: string, terminalId: string): ReceiptBuilder {
  return builder
    .row('姓名', p.holderName)
    .row('身份证号', maskCitizenNumber(p.citizenNumber))
    .row('缴费年度', String(p.year))
    .row('缴费档次', `${p.tierYuan}元`)
    .row('时间', shanghaiTime(at))
    .row('终端', terminalId);
}

export function paidReceipt(p: ReceiptPayment, at: string, terminalId: string): Buffer {
  const builder = new ReceiptBuilder().title('农村社会养老保险').text('缴费凭条', { align: 'center', bold: true }).separator();
  return header(builder, p, at, terminalId)
    .row('实收现金', yuanText(p.stackedFen), { bold: true })
    .row('记入个人账户', yuanText(p.creditedFen))
    .separator()
    .text(`交易号 ${p.paymentId}`)
    .qr(`nongbao:payment:${p.paymentId}`)
    .text('请妥善保管本凭条', { align: 'center' })
    .feed(2)
    .build();
}

/** The fields of a provisional receipt, as signed. `at` is the payment's time (UTC ISO). */
export function provisionalFields(p: ReceiptPayment, at: string, terminalId: string): ProvisionalReceipt {
  return { paymentId: p.paymentId, amountFen: p.stackedFen, year: p.year, maskedCitizenNumber: maskCitizenNumber(p.citizenNumber), paidAt: new Date(at).toISOString(), terminalId };
}

/** Signs a payment taken offline; the signature goes with the payment to the gateway, and on the receipt. */
export function signProvisional(p: ReceiptPayment, at: string, terminalId: string, signer: ReceiptSigner): string {
  return signer(receiptSigningBytes(provisionalFields(p, at, terminalId)));
}

export function provisionalReceipt(p: ReceiptPayment, at: string, terminalId: string, signature: string): Buffer {
  const builder = new ReceiptBuilder().title('农村社会养老保险').text('临时缴费凭条（待确认）', { align: 'center', bold: true }).separator();
  return header(builder, p, at, terminalId)
    .row('实收现金', yuanText(p.stackedFen), { bold: true })
    .row('记入个人账户', yuanText(p.creditedFen))
    .separator()
    .text('网络中断时收取。联网后自动上报，确认后可在终端查询。如有疑问请持本凭条到乡镇社保所核对。')
    .text(`交易号 ${p.paymentId}`)
    .qr(receiptQrText(provisionalFields(p, at, terminalId), signature))
    .feed(2)
    .build();
}

const CREDIT_WHY: Record<CreditCloseReason, string> = {
  cancelled: '您取消了缴费',
  'card-removed': '社保卡已取出',
  timeout: '等待超时',
  'device-fault': '收款设备故障',
};

export function creditReceipt(p: ReceiptPayment, at: string, terminalId: string, reason: CreditCloseReason): Buffer {
  const builder = new ReceiptBuilder().title('农村社会养老保险').text('现金暂存凭条', { align: 'center', bold: true }).separator();
  return header(builder, p, at, terminalId)
    .row('应缴金额', yuanText(p.dueFen))
    .row('已收现金', yuanText(p.stackedFen), { bold: true })
    .row('原因', CREDIT_WHY[reason])
    .separator()
    .text('缴费没有完成。已收的现金记在您的名下，不会丢失。请带本凭条到乡镇社保所补缴或退款。')
    .text(`凭条号 ${p.paymentId}`)
    .qr(`nongbao:credit:${p.paymentId}`)
    .feed(2)
    .build();
}

/** What the screen shows of a receipt: its text and a PNG of the paper. */
export function renderForScreen(bytes: Buffer): { text: string; pngBase64: string } {
  const rendered = renderReceipt(bytes);
  return { text: rendered.text, pngBase64: rendered.png.toString('base64') };
}
