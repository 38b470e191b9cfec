import { describe, expect, it } from 'vitest';
import { receiptPrinterContract } from '../device/contract.js';
import { createMemoryLinkPair } from '../device/link.js';
import { ReceiptBuilder } from './builder.js';
import { EscPosPrinter } from './driver.js';
import { createInProcessPrinter } from './index.js';
import { PrinterSimulator } from './simulator.js';

receiptPrinterContract('driver + in-process simulator', async () => {
  const { printer, simulator } = createInProcessPrinter();
  return {
    device: printer,
    script: simulator,
    receipt: (marker) => new ReceiptBuilder().title('RECEIPT').row('id', marker).build(),
    async dispose() {
      simulator.stop();
    },
  };
});

describe('EscPosPrinter', () => {
  it('asks again when a status byte fails the fixed-bit check, and fails on a second bad byte', async () => {
    const { host, device } = createMemoryLinkPair();
    let replies = [0x13, 0x12, 0x12, 0x12, 0x12];
    device.onData(() => void device.write(Buffer.from([replies.shift() ?? 0xff])));
    const printer = new EscPosPrinter({ link: host });
    await printer.open();
    expect(printer.status().device).toBe('online');
    replies = [0xff, 0xff];
    await expect(printer.queryStatus()).rejects.toMatchObject({ code: 1104 });
    await printer.close();
  });

  it('keeps every printed receipt in the simulator with its PNG', async () => {
    const { printer, simulator } = createInProcessPrinter();
    await printer.open();
    await printer.print(new ReceiptBuilder().title('A').build());
    await printer.print(new ReceiptBuilder().title('B').build());
    expect(simulator.receipts.map((r) => r.render().text.trim())).toEqual(['A', 'B']);
    expect(simulator.receipts.every((r) => r.cut)).toBe(true);
    await printer.close();
  });

  it('refuses an empty or oversized print job with a typed error', async () => {
    const { printer } = createInProcessPrinter();
    await printer.open();
    await expect(printer.print(Buffer.alloc(0))).rejects.toMatchObject({ code: 1300 });
    await printer.close();
  });

  it('drops data the simulator receives while out of paper', async () => {
    const { host, device } = createMemoryLinkPair();
    const simulator = new PrinterSimulator({ link: device });
    await simulator.setPaper('out');
    await host.write(new ReceiptBuilder().title('LOST').build());
    await new Promise((r) => setImmediate(r));
    expect(simulator.receipts).toHaveLength(0);
    expect(simulator.lostCommands).toBeGreaterThan(0);
  });
});
