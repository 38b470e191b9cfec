import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { spawnSync } from 'node:child_process';
import { simulateCommand, type CommandIo } from './index.js';

function capture(stdin?: NodeJS.ReadableStream): CommandIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    ...(stdin ? { stdin } : {}),
    out: () => out,
    err: () => err,
  };
}

/** Starting node with the tsx loader on a busy 2-core machine. */
const SPAWN_TIMEOUT_MS = 30_000;
const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'nongbao.mjs');

const scenario = {
  schemeStart: '2010-07-01',
  person: { birthDate: '1945-03-15' },
  events: [{ date: '2010-07-01', type: 'legacy', amountFen: 139_000 }],
  until: '2010-09',
};

describe('nongbao simulate (simulateCommand)', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nongbao-simulate-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the result JSON on stdout and exits 0', async () => {
    const file = join(dir, 'ok.json');
    writeFileSync(file, JSON.stringify(scenario));
    const io = capture();
    expect(await simulateCommand([file], io)).toBe(0);
    const result = JSON.parse(io.out());
    expect(result.pension).toEqual({ startMonth: '2010-08', basicFen: 5500, topUpFen: 0, accountFen: 1000 });
    expect(result.months).toHaveLength(2);
    expect(io.err()).toBe('');
  });

  it('accepts a leading "simulate" from the dispatcher and "-" for stdin', async () => {
    const io = capture(Readable.from([Buffer.from(JSON.stringify(scenario))]));
    expect(await simulateCommand(['simulate', '-'], io)).toBe(0);
    expect(JSON.parse(io.out()).requiredYears).toBe(0);
  });

  it('exits 2 naming the field of a malformed scenario', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ ...scenario, events: [scenario.events[0], { date: '2010-09-01', type: 'contribute', year: 2010, tier: -100 }] }));
    const io = capture();
    expect(await simulateCommand([file], io)).toBe(2);
    expect(io.err()).toContain('events[1].tier');
    expect(io.out()).toBe('');
  });

  it('applies person.enrolledDate (the pension starts the month after it) and exits 2 naming it when malformed', async () => {
    const late = join(dir, 'enrolled.json');
    writeFileSync(late, JSON.stringify({ ...scenario, person: { ...scenario.person, enrolledDate: '2010-08-20' } }));
    const io = capture();
    expect(await simulateCommand([late], io)).toBe(0);
    expect(JSON.parse(io.out()).pension.startMonth).toBe('2010-09');
    const bad = join(dir, 'enrolled-bad.json');
    writeFileSync(bad, JSON.stringify({ ...scenario, person: { ...scenario.person, enrolledDate: '2010-08-32' } }));
    const refused = capture();
    expect(await simulateCommand([bad], refused)).toBe(2);
    expect(refused.err()).toContain('person.enrolledDate');
    expect(refused.out()).toBe('');
  });

  it('exits 2 on text that is not JSON', async () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ "schemeStart": "2010-07-01", ');
    const io = capture();
    expect(await simulateCommand([file], io)).toBe(2);
    expect(io.err()).toContain('not JSON');
  });

  it('exits 2 on an unreadable file and on a missing argument', async () => {
    const io = capture();
    expect(await simulateCommand([join(dir, 'missing.json')], io)).toBe(2);
    expect(io.err()).toContain('cannot read');
    const usage = capture();
    expect(await simulateCommand([], usage)).toBe(2);
    expect(usage.err()).toContain('usage');
    const directory = capture();
    expect(await simulateCommand([dir], directory)).toBe(2);
  });

  it('runs as `nongbao simulate FILE` from the root package bin: exit 0 with JSON, exit 2 naming the field', () => {
    const good = join(dir, 'bin-ok.json');
    writeFileSync(good, JSON.stringify(scenario));
    const ok = spawnSync(process.execPath, [BIN, 'simulate', good], { encoding: 'utf8', timeout: SPAWN_TIMEOUT_MS });
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).pension.accountFen).toBe(1000);
    const bad = join(dir, 'bin-bad.json');
    writeFileSync(bad, JSON.stringify({ ...scenario, until: '2010-13' }));
    const refused = spawnSync(process.execPath, [BIN, 'simulate', bad], { encoding: 'utf8', timeout: SPAWN_TIMEOUT_MS });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('until');
    expect(refused.stdout).toBe('');
  });
});
