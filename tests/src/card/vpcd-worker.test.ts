// VpcdSlotWorker: a virtual card served from a worker thread answers pcscd
// while this thread is blocked in a synchronous call, as the terminal's thread
// is inside pcsclite's close(). Served from this thread, the card could not
// answer and the read below would time out (the demo's Ctrl-C deadlock).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardError, CardErrorCode, VpcdSlotWorker, citizenNumberCheckChar, makeVirtualCardProfile, vpcdPort, vpcdReaderName, type VirtualCardProfile } from '@nongbao/drivers/card';
import { acquireMachineLock } from '../support/machine-lock.js';
import { TOOL_TIMEOUT_MS, openscReadCitizenRecordSync } from './support.js';

const first17 = '62010219480704' + '031';
const profile = makeVirtualCardProfile({ citizenNumber: first17 + citizenNumberCheckChar(first17), name: '次仁', pin: '482913' });

/** opensc-tool's reader list says whether a card is present in `readerName` ("Yes"/"No" column). */
async function cardPresent(readerName: string): Promise<boolean> {
  const { stdout } = await promisify(execFile)('opensc-tool', ['--list-readers'], { timeout: TOOL_TIMEOUT_MS });
  const line = stdout.split('\n').find((l) => l.includes(readerName));
  if (!line) throw new Error(`${readerName} not listed:\n${stdout}`);
  return /\sYes\s/.test(line);
}

async function until(predicate: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a virtual card served from a worker thread', () => {
  let release: () => void = () => undefined;
  const slot = new VpcdSlotWorker({ port: vpcdPort(0) });
  beforeAll(async () => {
    release = await acquireMachineLock('pcsc');
  });
  afterAll(async () => {
    await slot.close();
    release();
  });

  it('answers pcscd while this thread is blocked, and comes out on remove()', async () => {
    await slot.insert(profile);
    const hexOut = openscReadCitizenRecordSync(vpcdReaderName(0));
    expect(hexOut).toContain(`0812${Buffer.from(profile.holder.citizenNumber, 'latin1').toString('hex').toUpperCase()}`);
    await slot.remove();
    await until(async () => !(await cardPresent(vpcdReaderName(0))));
  });

  it('refuses a broken profile with the card error that names it, and keeps serving', async () => {
    const broken = { ...profile, pin: '12' } as VirtualCardProfile;
    const refused = await slot.insert(broken).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CardError);
    expect((refused as CardError).code).toBe(CardErrorCode.profileInvalid);
    expect((refused as CardError).message).toContain('pin');
    await slot.insert(profile);
    await until(() => cardPresent(vpcdReaderName(0)));
    await slot.remove();
  });

  it('refuses requests once closed', async () => {
    const other = new VpcdSlotWorker({ port: vpcdPort(0) });
    await other.close();
    await expect(other.insert(profile)).rejects.toMatchObject({ code: CardErrorCode.vpcdUnavailable });
  });
});
