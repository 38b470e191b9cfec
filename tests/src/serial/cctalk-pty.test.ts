// The bill acceptor contract over a real pty: the driver on one end, the
// simulator in its own process (`node --import tsx simulator-main.ts`) on the other.
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CCTALK_BAUD_RATE, CctalkBillAcceptor, openSerialLink, RemoteBillValidator } from '@nongbao/drivers/cctalk';
import type { BillAcceptorEvent, DeviceErrorEvent, EscrowHandler } from '@nongbao/drivers';
import { billAcceptorContract } from '@nongbao/drivers/testing';
import { openPtyPair, type PtyPair } from './pty.js';

async function ptyHarness(simulatorArgs: string[], mode: 'simple8' | 'crc16', echo: boolean) {
  const pty = await openPtyPair();
  const script = await RemoteBillValidator.start(['--port', pty.device, '--mode', mode, ...(echo ? ['--echo'] : []), ...simulatorArgs]);
  return {
    pty,
    script,
    async connect(options: { lastEventCounter?: number; escrowHandler?: EscrowHandler } = {}) {
      const link = await openSerialLink({ path: pty.host, baudRate: CCTALK_BAUD_RATE });
      return new CctalkBillAcceptor({ link, mode, echo, pollIntervalMs: 50, ...options });
    },
    async dispose() {
      await script.stop();
      await pty.dispose();
    },
  };
}

billAcceptorContract('driver over a socat pty + simulator process', () => ptyHarness([], 'simple8', false));
billAcceptorContract('driver over a socat pty + simulator process (CRC-16, echo)', () => ptyHarness([], 'crc16', true));

describe('bill acceptor faults over a pty', () => {
  let pty: PtyPair | undefined;
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    await pty?.dispose();
    stop = undefined;
  });

  it('goes offline with a checkConnection error when the line is unplugged (socat killed)', async () => {
    const harness = await ptyHarness([], 'simple8', false);
    pty = harness.pty;
    stop = () => harness.script.stop();
    const driver = await harness.connect();
    const errors: DeviceErrorEvent[] = [];
    driver.on('deviceError', (e) => errors.push(e));
    await driver.open();
    await driver.enable([5000]);
    await harness.pty.unplug();
    const deadline = Date.now() + 5_000;
    while (driver.status().device !== 'offline' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(driver.status()).toMatchObject({ device: 'offline', accepting: false });
    expect(errors.map((e) => e.suggestedAction)).toContain('checkConnection');
    await driver.close();
  });

  it('runs a fault script given with --script: a full stacker found at start-up', async () => {
    const file = join(tmpdir(), `nongbao-script-${process.pid}.txt`);
    writeFileSync(file, '# stacker full right away\n0 fillStacker\n');
    const harness = await ptyHarness(['--script', file], 'simple8', false);
    pty = harness.pty;
    stop = () => harness.script.stop();
    // The script step runs right after the ready line; give it a moment.
    await new Promise((r) => setTimeout(r, 200));
    const driver = await harness.connect();
    const events: BillAcceptorEvent[] = [];
    driver.on('bill', (e) => events.push(e));
    await driver.open();
    expect(events).toEqual([expect.objectContaining({ type: 'fault', fault: 'stackerFull', eventCounter: 1, suggestedAction: 'emptyStacker' })]);
    expect(driver.status()).toMatchObject({ stacker: 'full', device: 'userError' });
    await driver.close();
    rmSync(file, { force: true });
  });
});
