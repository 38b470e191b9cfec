// The card path through the real PC/SC stack: PcscCardReader over pcsclite,
// pcscd with the vsmartcard vpcd driver, and our VirtualCard on vpcd's socket
// (issue #3 §4). Holds the machine-wide 'pcsc' lock: one pcscd, fixed ports.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CardErrorCode,
  SocialSecurityCardApp,
  VirtualCard,
  citizenNumberCheckChar,
  makeVirtualCardProfile,
  residentMessage,
  vpcdReaderName,
  type CardInsertedEvent,
} from '@nongbao/drivers/card';
import { acquireMachineLock } from '../support/machine-lock.js';
import { OWNED_PCSCD_PID_FILE, pcscdPids, startPcscd, stopPcscd } from '../global-setup.js';
import { TOOL_TIMEOUT_MS, insertIntoVpcd, insertedInto, openscReadCitizenRecord, virtualReaders, waitForEvent } from './support.js';

const run = promisify(execFile);
/** pcscd polls vpcd about every 450 ms. */
const VPCD_POLL_SETTLE_MS = 1_000;

function person(birth: string, sequence: number, name: string, pin: string, extra: Partial<Parameters<typeof makeVirtualCardProfile>[0]> = {}) {
  const first17 = `620102${birth}${String(sequence).padStart(3, '0')}`;
  return makeVirtualCardProfile({ citizenNumber: first17 + citizenNumberCheckChar(first17), name, pin, ...extra });
}

let release: () => void = () => undefined;
const reader = virtualReaders();

beforeAll(async () => {
  release = await acquireMachineLock('pcsc');
  await reader.start();
});

afterAll(async () => {
  await reader.stop();
  release();
});

describe('a virtual card behind pcscd', () => {
  it('is read and PIN-verified through pcscd by the driver (T=0 card, slot 0)', async () => {
    const profile = person('19520411', 31, '王桂兰', '482915', { protocol: 't0' });
    const inserted = waitForEvent<CardInsertedEvent>(reader, 'card-inserted', insertedInto(0));
    const card = insertIntoVpcd(new VirtualCard(profile), 0);
    const { transport, atr } = await inserted;
    expect(atr).toEqual(new VirtualCard(profile).atr);
    const app = new SocialSecurityCardApp(transport);
    await expect(app.readIdentity()).resolves.toMatchObject({ citizenNumber: profile.holder.citizenNumber, name: '王桂兰', birthDate: '1952-04-11' });
    await expect(app.verifyPin('111111')).rejects.toMatchObject({ code: CardErrorCode.pinWrong, triesLeft: 2 });
    await app.verifyPin('482915');
    const removed = waitForEvent(reader, 'card-removed');
    await card.remove();
    await removed;
    await expect(transport.transmit(Buffer.from('00A4040000', 'hex'))).rejects.toMatchObject({ code: CardErrorCode.cardRemoved });
  });

  it('serves a staff card on slot 1 ("Virtual PCD 00 01", T=1)', async () => {
    const profile = person('19800101', 55, '赵工', '900900', { kind: 'staff', protocol: 't1' });
    const inserted = waitForEvent<CardInsertedEvent>(reader, 'card-inserted', insertedInto(1));
    const card = insertIntoVpcd(new VirtualCard(profile), 1);
    const { transport, readerName } = await inserted;
    expect(readerName).toBe(vpcdReaderName(1));
    await expect(new SocialSecurityCardApp(transport).readIdentity()).resolves.toMatchObject({ kind: 'staff', name: '赵工' });
    const removed = waitForEvent(reader, 'card-removed');
    await card.remove();
    await removed;
  });

  it('ends in one CardRemoved when the card is pulled in the middle of an exchange', async () => {
    const profile = person('19490101', 17, '马福', '123123');
    let pull: () => void = () => undefined;
    class PulledDuringVerify extends VirtualCard {
      override transmit(command: Buffer): Buffer {
        if (command[1] === 0x20) pull(); // taken out while VERIFY is on the wire
        return super.transmit(command);
      }
    }
    const inserted = waitForEvent<CardInsertedEvent>(reader, 'card-inserted', insertedInto(0));
    const card = insertIntoVpcd(new PulledDuringVerify(profile), 0);
    pull = () => void card.remove();
    const { transport } = await inserted;
    const app = new SocialSecurityCardApp(transport);
    await app.readIdentity();
    const removed = waitForEvent(reader, 'card-removed');
    const errors = await Promise.allSettled([app.verifyPin('123123'), app.readIdentity()]);
    await removed;
    for (const result of errors) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toMatchObject({ code: CardErrorCode.cardRemoved });
    }
    expect(residentMessage((errors[0] as PromiseRejectedResult).reason)).toEqual({ key: 'card.removed' });
  });
});

describe('a client no one here wrote reads our virtual card', () => {
  it('scriptor (pcsc-tools) selects the application and reads the citizen number by tag', async () => {
    const profile = person('19600229', 42, '拉姆', '654321');
    const card = insertIntoVpcd(new VirtualCard(profile), 0);
    await waitForEvent<CardInsertedEvent>(reader, 'card-inserted', insertedInto(0));
    // Our driver connects exclusively; step aside so scriptor can connect.
    await reader.stop();
    try {
      const script = `/tmp/nongbao-scriptor-${process.pid}.txt`;
      writeFileSync(script, ['00 A4 04 00 0F 73 78 31 2E 73 68 2E C9 E7 BB E1 B1 A3 D5 CF', '00 A4 00 00 02 EF 06', '00 B2 08 00 14', ''].join('\n'));
      const { stdout } = await run('scriptor', ['-r', vpcdReaderName(0), script], { timeout: TOOL_TIMEOUT_MS });
      // scriptor prints "< 08 12 36 32 ... \n30 30 ... 90 00 : Normal processing.": keep the hex digits.
      const hexOut = stdout.replace(/[^0-9A-Fa-f]/g, '').toUpperCase();
      const citizenHex = Buffer.from(profile.holder.citizenNumber, 'latin1').toString('hex').toUpperCase();
      expect(hexOut).toContain(`0812${citizenHex}9000`);
    } finally {
      rmSync(`/tmp/nongbao-scriptor-${process.pid}.txt`, { force: true });
      await card.remove();
      // pcscd notices the removal on its next vpcd poll; start watching after it.
      await sleep(VPCD_POLL_SETTLE_MS);
      await reader.start();
    }
  });

  it('opensc-tool sends the same APDUs and gets the citizen number', async () => {
    const profile = person('19550505', 8, '阿依古丽', '777777', { protocol: 't1' });
    const card = insertIntoVpcd(new VirtualCard(profile), 0);
    await reader.stop();
    try {
      const hexOut = await openscReadCitizenRecord(vpcdReaderName(0));
      const citizenHex = Buffer.from(profile.holder.citizenNumber, 'latin1').toString('hex').toUpperCase();
      expect(hexOut).toContain(`0812${citizenHex}`);
    } finally {
      await card.remove();
      // pcscd notices the removal on its next vpcd poll; start watching after it.
      await sleep(VPCD_POLL_SETTLE_MS);
      await reader.start();
    }
  });
});

describe('pcscd restarting', () => {
  it('reports the outage, then finds the reader and the card again', async () => {
    // The suite's own pcscd, or one that was running before it: either way the
    // test stops it and starts a replacement, which teardown then stops.
    const runningPid = existsSync(OWNED_PCSCD_PID_FILE) ? Number(readFileSync(OWNED_PCSCD_PID_FILE, 'utf8')) : pcscdPids()[0];
    expect(runningPid).toBeGreaterThan(0);
    const profile = person('19500315', 64, '格桑', '246135');
    const inserted = waitForEvent<CardInsertedEvent>(reader, 'card-inserted', insertedInto(0));
    const card = insertIntoVpcd(new VirtualCard(profile), 0, true);
    const first = await inserted;
    await new SocialSecurityCardApp(first.transport).readIdentity();

    const outage = waitForEvent(reader, 'error', (e: { code: number }) => e.code === CardErrorCode.readerServiceUnavailable);
    const readerGone = waitForEvent(reader, 'reader-removed', (e: { readerName: string }) => e.readerName === vpcdReaderName(0));
    const cardGone = waitForEvent(reader, 'card-removed');
    await stopPcscd(runningPid!);
    await Promise.all([outage, readerGone, cardGone]);
    // The reader watcher or the context watcher may notice first: either way the session is over
    // with a reader-side error, and the resident is told the reader is out of order.
    const lost = await first.transport.transmit(Buffer.from('00A4040000', 'hex')).catch((e: unknown) => e);
    expect([CardErrorCode.readerServiceUnavailable, CardErrorCode.readerRemoved]).toContain((lost as { code: number }).code);
    expect(residentMessage(lost)).toEqual({ key: 'card.readerUnavailable' });

    const back = waitForEvent<CardInsertedEvent>(reader, 'card-inserted', insertedInto(0), 20_000);
    writeFileSync(OWNED_PCSCD_PID_FILE, String(await startPcscd()));
    const again = await back;
    await expect(new SocialSecurityCardApp(again.transport).readIdentity()).resolves.toMatchObject({ name: '格桑' });
    await card.remove();
  });
});
