// A bill validator simulator in its own process (simulator-main.ts), driven
// through the same BillValidatorControl as the in-process one, so one contract
// suite covers both (issue #4 §5).
import { SimulatorProcess } from '../device/simulator-process.js';
import type { BillValidatorControl, InsertOutcome, SimulatorState } from './simulator.js';

export class RemoteBillValidator implements BillValidatorControl {
  private constructor(readonly process: SimulatorProcess) {}

  /** `args` as for simulator-main.ts, e.g. ['--port', '/tmp/x/B', '--echo']. */
  static async start(args: string[], options: { stderr?: 'inherit' | 'ignore' } = {}): Promise<RemoteBillValidator> {
    const main = new URL('./simulator-main.ts', import.meta.url).pathname;
    return new RemoteBillValidator(await SimulatorProcess.start(main, args, options));
  }

  insertNote(yuan: number): Promise<InsertOutcome> {
    return this.process.call('insertNote', yuan) as Promise<InsertOutcome>;
  }
  async jam(kind: 'unsafe' | 'safe' | 'stacker' = 'unsafe'): Promise<void> {
    await this.process.call('jam', kind);
  }
  async clearJam(): Promise<void> {
    await this.process.call('clearJam');
  }
  async removeStacker(): Promise<void> {
    await this.process.call('removeStacker');
  }
  async insertStacker(): Promise<void> {
    await this.process.call('insertStacker');
  }
  async fillStacker(): Promise<void> {
    await this.process.call('fillStacker');
  }
  async fraud(kind: 'opto' | 'string' | 'pulledBack'): Promise<void> {
    await this.process.call('fraud', kind);
  }
  async powerCycle(): Promise<void> {
    await this.process.call('powerCycle');
  }
  async setUnresponsive(unresponsive: boolean): Promise<void> {
    await this.process.call('setUnresponsive', unresponsive);
  }
  stackedYuan(): Promise<number[]> {
    return this.process.call('stackedYuan') as Promise<number[]>;
  }
  state(): Promise<SimulatorState> {
    return this.process.call('state') as Promise<SimulatorState>;
  }
  async injectBytes(bytes: Uint8Array): Promise<void> {
    await this.process.call('injectHex', Buffer.from(bytes).toString('hex'));
  }
  stop(): Promise<void> {
    return this.process.stop();
  }
}
