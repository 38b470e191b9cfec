// Every fault of a switch, over real processes and real files (issue 13
// section 4): the supervisor (`nongbao kiosk run`) runs version 1.0.0; a
// staged 1.1.0 passes or fails its health gate, crashes, is killed with
// SIGKILL, or is changed on disk after staging; the supervisor itself is
// killed with SIGKILL mid-switch. After each: the old version keeps running
// or comes back, no unsigned code runs, the version never goes down, and
// the journal stays readable by both versions.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readSupervisorState, stageBundle, versionFloor } from '@nongbao/terminal/updates';
import { installedKiosk, requestSwitch, startSupervisor, waitFor, type KioskFixture, type SupervisorProcess } from './kiosk-fixture.js';
import { readRanLog } from './synthetic-release.js';
import type { Behaviour } from './synthetic-release.js';

const running: SupervisorProcess[] = [];

afterEach(async () => {
  for (const s of running.splice(0)) {
    if (s.child.exitCode === null && s.child.signalCode === null) {
      s.child.kill('SIGTERM');
      await s.exited;
    }
  }
});

function supervise(fixture: KioskFixture, gateMs = 5_000): SupervisorProcess {
  const s = startSupervisor(fixture, gateMs);
  running.push(s);
  return s;
}

function state(fixture: KioskFixture) {
  return readSupervisorState(fixture.root)!;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** 1.0.0 installed and running under its supervisor, 1.1.0 staged with `behaviour`. */
async function runningWithStaged(behaviour: Partial<Behaviour>, gateMs = 5_000): Promise<{ fixture: KioskFixture; supervisor: SupervisorProcess; oldPid: number }> {
  const fixture = await installedKiosk('1.0.0');
  const staged = await stageBundle(fixture.root, await fixture.bundle('1.1.0', { journalSchema: 4, ...behaviour }), { floor: '1.0.0', keep: ['1.0.0'] });
  expect(staged).toMatchObject({ ok: true });
  const supervisor = supervise(fixture, gateMs);
  const first = await waitFor('1.0.0 to start', () => readRanLog(fixture.dataDir).starts[0], 30_000);
  expect(first).toMatchObject({ version: '1.0.0', trial: false });
  return { fixture, supervisor, oldPid: first.pid };
}

/** The journal lines each start wrote: every version read every row, and quick_check passed. */
function journalReads(fixture: KioskFixture): string[] {
  return readRanLog(fixture.dataDir).lines.filter((l) => l.startsWith('journal '));
}

describe('switching releases under the supervisor', () => {
  it('switches to a new version that passes its health gate, keeping the old one as previous', async () => {
    const { fixture, oldPid } = await runningWithStaged({ health: 'ok' });
    requestSwitch(fixture, '1.1.0', '01936d3c-1b2a-7cde-8f00-0123456789ab');
    const record = await waitFor('the switch outcome', () => state(fixture).switches.at(-1));
    expect(record).toMatchObject({ from: '1.0.0', to: '1.1.0', outcome: 'healthy', rolloutId: '01936d3c-1b2a-7cde-8f00-0123456789ab' });
    expect(state(fixture)).toMatchObject({ current: '1.1.0', previous: '1.0.0', highestTrusted: '1.1.0', trial: null });
    await waitFor('the old version to stop', () => !isAlive(oldPid));
    await waitFor('the committed message', () => readRanLog(fixture.dataDir).lines.some((l) => l.startsWith('message 1.1.0') && l.includes('committed')));
    expect(journalReads(fixture)).toEqual([
      expect.stringMatching(/^journal 1\.0\.0 schema=3 rows=1 quick_check=ok$/),
      expect.stringMatching(/^journal 1\.1\.0 schema=4 rows=2 quick_check=ok$/),
    ]);
  });

  it.each<[string, Partial<Behaviour>, RegExp]>([
    ['reports a failed check', { health: 'fail' }, /journal: simulated journal failure/],
    ['never reports within the gate', { health: 'silent' }, /no passing health report within 3000 ms/],
    ['crashes at start', { health: 'crash' }, /exited \(code 1\) during its health gate/],
  ])('switches back by itself when the new version %s', async (_what, behaviour, detail) => {
    const { fixture } = await runningWithStaged(behaviour, 3_000);
    requestSwitch(fixture, '1.1.0');
    const record = await waitFor('the switch outcome', () => state(fixture).switches.at(-1), 30_000);
    expect(record).toMatchObject({ from: '1.0.0', to: '1.1.0', outcome: 'rolled-back', reason: 'health-gate' });
    expect(record.detail).toMatch(detail);
    const starts = await waitFor('1.0.0 to come back', () => {
      const s = readRanLog(fixture.dataDir).starts;
      return s.length >= 3 ? s : undefined;
    });
    expect(starts.map((s) => `${s.version}${s.trial ? ' trial' : ''}`)).toEqual(['1.0.0', '1.1.0 trial', '1.0.0']);
    expect(state(fixture)).toMatchObject({ current: '1.0.0', highestTrusted: '1.1.0', trial: null });
    // The version that failed is never started again: it is not above the floor any more.
    expect(versionFloor(state(fixture))).toBe('1.1.0');
    await waitFor('1.0.0 reading the journal 1.1.0 expanded', () => journalReads(fixture).length === 3);
    expect(journalReads(fixture).at(-1)).toMatch(/^journal 1\.0\.0 schema=4 rows=\d+ quick_check=ok$/);
  });

  it('switches back when the new version is killed with SIGKILL during its gate', async () => {
    const { fixture } = await runningWithStaged({ health: 'silent' }, 20_000);
    requestSwitch(fixture, '1.1.0');
    const trial = await waitFor('the trial to start', () => readRanLog(fixture.dataDir).starts.find((s) => s.trial));
    process.kill(trial.pid, 'SIGKILL');
    const record = await waitFor('the switch outcome', () => state(fixture).switches.at(-1));
    expect(record).toMatchObject({ outcome: 'rolled-back', reason: 'health-gate' });
    expect(record.detail).toMatch(/SIGKILL/);
    await waitFor('1.0.0 to come back', () => readRanLog(fixture.dataDir).starts.length === 3);
    expect(readRanLog(fixture.dataDir).starts.at(-1)).toMatchObject({ version: '1.0.0', trial: false });
  });

  it('comes back on the old version when the supervisor is killed with SIGKILL during the switch', async () => {
    const { fixture, supervisor } = await runningWithStaged({ health: 'silent' }, 20_000);
    requestSwitch(fixture, '1.1.0');
    const trial = await waitFor('the trial to start', () => readRanLog(fixture.dataDir).starts.find((s) => s.trial));
    expect(state(fixture).trial).toMatchObject({ version: '1.1.0', from: '1.0.0' });
    supervisor.child.kill('SIGKILL');
    await supervisor.exited;
    // The release loses its supervisor's channel and stops: two versions never run at once.
    await waitFor('the orphaned trial to stop', () => !isAlive(trial.pid), 10_000);
    supervise(fixture, 20_000);
    const record = await waitFor('the outcome of the cut switch', () => state(fixture).switches.at(-1));
    expect(record).toMatchObject({ from: '1.0.0', to: '1.1.0', outcome: 'rolled-back', reason: 'interrupted' });
    await waitFor('1.0.0 to run again', () => readRanLog(fixture.dataDir).starts.length === 3);
    expect(readRanLog(fixture.dataDir).starts.at(-1)).toMatchObject({ version: '1.0.0', trial: false });
    expect(state(fixture)).toMatchObject({ current: '1.0.0', highestTrusted: '1.1.0', trial: null });
  });

  it('never starts a staged release changed on disk after staging', async () => {
    const { fixture, oldPid } = await runningWithStaged({ health: 'ok' });
    appendFileSync(join(fixture.root.releaseDir('1.1.0'), 'main.mjs'), "\nappendFileSync(join(dataDir, 'ran.log'), 'UNSIGNED CODE RAN\\n');\n");
    requestSwitch(fixture, '1.1.0');
    const record = await waitFor('the refusal', () => state(fixture).switches.at(-1));
    expect(record).toMatchObject({ to: '1.1.0', outcome: 'failed', reason: 'release-damaged' });
    expect(record.detail).toMatch(/main\.mjs differs/);
    await waitFor('the refusal to reach the running release', () => readRanLog(fixture.dataDir).lines.some((l) => l.includes('switch-refused')));
    expect(readFileSync(join(fixture.dataDir, 'ran.log'), 'utf8')).not.toContain('UNSIGNED CODE RAN');
    expect(readRanLog(fixture.dataDir).starts).toEqual([{ version: '1.0.0', pid: oldPid, trial: false }]);
    expect(isAlive(oldPid)).toBe(true);
    expect(state(fixture)).toMatchObject({ current: '1.0.0', highestTrusted: '1.0.0' });
  });

  it('falls back to the previous release when the current one no longer matches its bundle, and runs nothing when none does', async () => {
    const { fixture, supervisor } = await runningWithStaged({ health: 'ok' });
    requestSwitch(fixture, '1.1.0');
    await waitFor('the switch', () => state(fixture).current === '1.1.0');
    supervisor.child.kill('SIGTERM');
    await supervisor.exited;
    appendFileSync(join(fixture.root.releaseDir('1.1.0'), 'behaviour.json'), ' ');
    const second = supervise(fixture);
    const record = await waitFor('the fallback', () => state(fixture).switches.at(-1)?.reason === 'release-damaged' && state(fixture).switches.at(-1));
    expect(record).toMatchObject({ from: '1.1.0', to: '1.0.0', outcome: 'rolled-back' });
    await waitFor('1.0.0 to run', () => readRanLog(fixture.dataDir).starts.at(-1)?.version === '1.0.0' && readRanLog(fixture.dataDir).starts.length === 3);
    second.child.kill('SIGTERM');
    await second.exited;
    appendFileSync(join(fixture.root.releaseDir('1.0.0'), 'main.mjs'), '\n// changed\n');
    const third = supervise(fixture);
    expect(await third.exited).toBe(3);
    expect(third.output()).toContain('supervisor.nothing_to_run');
    expect(readRanLog(fixture.dataDir).starts).toHaveLength(3);
  });

  it('refuses a switch to a version that is not above every version started before', async () => {
    const { fixture } = await runningWithStaged({ health: 'fail' }, 3_000);
    requestSwitch(fixture, '1.1.0');
    await waitFor('the rollback', () => state(fixture).switches.at(-1)?.outcome === 'rolled-back');
    await waitFor('1.0.0 back', () => readRanLog(fixture.dataDir).starts.length === 3);
    expect(existsSync(fixture.root.releaseDir('1.1.0'))).toBe(false);
    requestSwitch(fixture, '1.1.0');
    const record = await waitFor('the refusal', () => state(fixture).switches.length === 2 && state(fixture).switches.at(-1));
    expect(record).toMatchObject({ to: '1.1.0', outcome: 'failed', reason: 'downgrade' });
    expect(readRanLog(fixture.dataDir).starts).toHaveLength(3);
  });
});
