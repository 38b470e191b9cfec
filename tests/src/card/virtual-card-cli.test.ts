// `nongbao virtual-card --profile FILE --slot 1` as an operator runs it: the
// card appears in pcscd's "Virtual PCD 00 01" reader, a client nobody here
// wrote (opensc-tool) reads the citizen number from it, Ctrl-C removes it.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citizenNumberCheckChar, makeVirtualCardProfile, vpcdReaderName } from '@nongbao/drivers/card';
import { acquireMachineLock } from '../support/machine-lock.js';
import { REPO_ROOT } from '../support/demo-process.js';
import { openscReadCitizenRecord } from './support.js';

const run = promisify(execFile);
const bin = resolve(REPO_ROOT, 'bin/nongbao.mjs');

describe('nongbao virtual-card', () => {
  let release: () => void = () => undefined;
  beforeAll(async () => {
    release = await acquireMachineLock('pcsc');
  });
  afterAll(() => release());

  it('serves a profile in slot 1 to pcscd until Ctrl-C', async () => {
    const first17 = '62010219700101' + '123';
    const profile = makeVirtualCardProfile({ citizenNumber: first17 + citizenNumberCheckChar(first17), name: '央金', pin: '135790', kind: 'staff' });
    const file = join(mkdtempSync(join(tmpdir(), 'nb-vcard-')), 'card.json');
    writeFileSync(file, JSON.stringify(profile));

    const child = spawn(process.execPath, [bin, 'virtual-card', '--profile', file, '--slot', '1'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const deadline = Date.now() + 20_000;
      while (!output.includes('in slot 1') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(output).toContain(`"${vpcdReaderName(1)}"`);

      const hexOut = await openscReadCitizenRecord(vpcdReaderName(1));
      expect(hexOut).toContain(`0812${Buffer.from(profile.holder.citizenNumber, 'latin1').toString('hex').toUpperCase()}`);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(output).toContain('virtual card removed');
  });

  it('refuses a broken profile with exit 2 and says what is wrong', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'nb-vcard-')), 'broken.json');
    writeFileSync(file, JSON.stringify({ formatVersion: 1, kind: 'resident' }));
    const result = await run(process.execPath, [bin, 'virtual-card', '--profile', file], { cwd: REPO_ROOT }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot load profile');
    expect(result.stderr).toMatch(/profile invalid/);
  });
});
