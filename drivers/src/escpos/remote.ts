// A receipt printer simulator in its own process (simulator-main.ts), driven
// through the same PrinterControl as the in-process one (issue #4 §5).
import { SimulatorProcess } from '../device/simulator-process.js';
import type { PrinterControl } from './simulator.js';

export class RemotePrinter implements PrinterControl {
  private constructor(readonly process: SimulatorProcess) {}

  static async start(args: string[], options: { stderr?: 'inherit' | 'ignore' } = {}): Promise<RemotePrinter> {
    const main = new URL('./simulator-main.ts', import.meta.url).pathname;
    return new RemotePrinter(await SimulatorProcess.start(main, args, options));
  }

  async setPaper(paper: 'ok' | 'nearEnd' | 'out'): Promise<void> {
    await this.process.call('setPaper', paper);
  }
  async setCoverOpen(open: boolean): Promise<void> {
    await this.process.call('setCoverOpen', open);
  }
  async setCutterError(error: boolean): Promise<void> {
    await this.process.call('setCutterError', error);
  }
  async setUnresponsive(unresponsive: boolean): Promise<void> {
    await this.process.call('setUnresponsive', unresponsive);
  }
  receiptTexts(): Promise<string[]> {
    return this.process.call('receiptTexts') as Promise<string[]>;
  }
  /** PNG of receipt `index`, base64 over the control line. */
  async receiptPng(index: number): Promise<Buffer> {
    return Buffer.from((await this.process.call('receiptPng', index)) as string, 'base64');
  }
  stop(): Promise<void> {
    return this.process.stop();
  }
}
