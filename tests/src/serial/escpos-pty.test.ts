// The receipt printer contract over a real pty with the printer simulator in
// its own process, plus unplug and the receipt files it writes with --out.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EscPosPrinter, openSerialLink, ReceiptBuilder, RemotePrinter } from '@nongbao/drivers/escpos';
import { receiptPrinterContract } from '@nongbao/drivers/testing';
import type { DeviceErrorEvent } from '@nongbao/drivers';
import { openPtyPair } from './pty.js';

const PRINTER_BAUD_RATE = 9600;

receiptPrinterContract('driver over a socat pty + printer simulator process', async () => {
  const pty = await openPtyPair();
  const script = await RemotePrinter.start(['--port', pty.device]);
  const link = await openSerialLink({ path: pty.host, baudRate: PRINTER_BAUD_RATE });
  return {
    device: new EscPosPrinter({ link }),
    script,
    receipt: (marker: string) => new ReceiptBuilder().title('RECEIPT').row('id', marker).build(),
    async dispose() {
      await script.stop();
      await pty.dispose();
    },
  };
});

describe('receipt printer over a pty', () => {
  it('writes each cut receipt as text and PNG with --out, including a raster line', async () => {
    const pty = await openPtyPair();
    const out = mkdtempSync(join(tmpdir(), 'nongbao-receipts-'));
    const sim = await RemotePrinter.start(['--port', pty.device, '--out', out]);
    const printer = new EscPosPrinter({ link: await openSerialLink({ path: pty.host, baudRate: PRINTER_BAUD_RATE }) });
    try {
      await printer.open();
      await printer.print(new ReceiptBuilder().title('缴费凭证').row('姓名', '吉𠮷').row('金额', '300.00').qr('0190a-b').build());
      const deadline = Date.now() + 3_000;
      while (!existsSync(join(out, 'receipt-0.png')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const text = readFileSync(join(out, 'receipt-0.txt'), 'utf8');
      expect(text.split('\n').slice(0, 4)).toEqual([`${' '.repeat(8)}缴费凭证`, '[image 384x24]', `金额${' '.repeat(22)}300.00`, expect.stringContaining('[QR: 0190a-b]')]);
      expect(readFileSync(join(out, 'receipt-0.png')).subarray(1, 4).toString()).toBe('PNG');
      expect((await sim.receiptPng(0)).subarray(1, 4).toString()).toBe('PNG');
    } finally {
      await printer.close();
      await sim.stop();
      await pty.dispose();
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('goes offline with a checkConnection error when unplugged', async () => {
    const pty = await openPtyPair();
    const sim = await RemotePrinter.start(['--port', pty.device]);
    const printer = new EscPosPrinter({ link: await openSerialLink({ path: pty.host, baudRate: PRINTER_BAUD_RATE }), statusPollIntervalMs: 200 });
    const errors: DeviceErrorEvent[] = [];
    printer.on('deviceError', (e) => errors.push(e));
    try {
      await printer.open();
      await pty.unplug();
      const deadline = Date.now() + 5_000;
      while (printer.status().device !== 'offline' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(printer.status().device).toBe('offline');
      expect(errors.map((e) => e.suggestedAction)).toContain('checkConnection');
      await expect(printer.queryStatus()).rejects.toMatchObject({ completion: 'deviceNotReady' });
    } finally {
      await printer.close();
      await sim.stop();
      await pty.dispose();
    }
  });
});
