// Rollouts over the fleet (issue 13 section 3): a canary share first, then
// everyone once the canaries are healthy; a canary that fails halts the rest;
// a terminal's state only moves forward; a download token opens its bundle
// only while the offer stands.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { createRelease, signRelease } from '@nongbao/protocol/release';
import { makeKeySet, tempDir, type KeySet } from '@nongbao/protocol/release/test-support';
import type { UpdateReport } from '@nongbao/protocol';
import { openTestServerDatabase } from '../sql/test-db.js';
import { UpdateService } from './index.js';
import { pickCanaries } from './states.js';

const EXPIRES = new Date(Date.now() + 90 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const TERMINALS = Array.from({ length: 10 }, (_, i) => `kiosk-${String(i).padStart(2, '0')}`);

let dir: string;
let keys: KeySet;
let updates: UpdateService;

async function publish(version: string, signers = ['k1', 'k2']) {
  const payload = join(dir, `payload-${version}`);
  mkdirSync(payload, { recursive: true });
  writeFileSync(join(payload, 'release.json'), '{"entry":"main.mjs"}');
  writeFileSync(join(payload, 'main.mjs'), `// ${version}\n`);
  const out = join(dir, `${version}.nbundle`);
  await createRelease({ version, model: 'nb-test', minVersion: '1.0.0', expires: EXPIRES, payload, out });
  for (const s of signers) signRelease(out, keys.keys[s]!);
  return updates.releases.publish(out, { trustedKeys: keys.trusted, threshold: 2 }, join(dir, 'releases'), 'test');
}

function report(rolloutId: string, state: UpdateReport['state'], extra: Partial<UpdateReport> = {}): UpdateReport {
  return { v: 1, rolloutId, version: '1.1.0', state, runningVersion: '1.0.0', at: new Date().toISOString(), ...extra };
}

beforeEach(() => {
  dir = tempDir('nongbao-rollouts-');
  keys = makeKeySet(dir);
  updates = new UpdateService(openTestServerDatabase(dir));
});

describe('publishing', () => {
  it('keeps a bundle a kiosk would take, and refuses one it would not, with the reason', async () => {
    const release = await publish('1.1.0');
    expect(release).toMatchObject({ version: '1.1.0', model: 'nb-test', signedBy: ['k1', 'k2'] });
    await expect(publish('1.2.0', ['k1'])).rejects.toMatchObject({ code: 'release-refused', details: { reason: 'too-few-signatures' } });
    expect(updates.releases.list().map((r) => r.version)).toEqual(['1.1.0']);
  });
});

describe('a rollout', () => {
  it('offers the canary share first, and everyone only when the canaries are healthy', async () => {
    await publish('1.1.0');
    const { rollout, offerTo } = updates.rollouts.create({ version: '1.1.0', terminalIds: TERMINALS, canaryPercent: 20, createdBy: 'op' });
    expect(offerTo).toHaveLength(2);
    expect(rollout.counts).toMatchObject({ offered: 2, waiting: 8 });
    expect(() => updates.rollouts.promote(rollout.rolloutId)).toThrow(expect.objectContaining({ code: 'canary-not-healthy' }));
    for (const t of offerTo) {
      expect(updates.rollouts.report(t, report(rollout.rolloutId, 'staged')).recorded).toBe(true);
      expect(updates.rollouts.report(t, report(rollout.rolloutId, 'healthy', { runningVersion: '1.1.0' })).recorded).toBe(true);
    }
    const promoted = updates.rollouts.promote(rollout.rolloutId);
    expect(promoted.offerTo.sort()).toEqual(TERMINALS.filter((t) => !offerTo.includes(t)));
    expect(promoted.rollout).toMatchObject({ phase: 'everyone', counts: { healthy: 2, offered: 8 } });
  });

  it('halts when a canary rolls back, withdrawing the offer from those that have not switched', async () => {
    await publish('1.1.0');
    const { rollout, offerTo } = updates.rollouts.create({ version: '1.1.0', terminalIds: TERMINALS, canaryPercent: 20, createdBy: 'op' });
    const [first, second] = offerTo as [string, string];
    updates.rollouts.report(second, report(rollout.rolloutId, 'downloading', { downloadedBytes: 100 }));
    const outcome = updates.rollouts.report(first, report(rollout.rolloutId, 'rolled-back', { reason: 'health-gate', detail: 'journal failed' }));
    expect(outcome).toEqual({ recorded: true, halted: { rolloutId: rollout.rolloutId, terminalIds: [second] } });
    const halted = updates.rollouts.get(rollout.rolloutId);
    expect(halted).toMatchObject({ phase: 'halted' });
    expect(halted.haltReason).toContain('health-gate');
    expect(updates.rollouts.offerFor(second)).toBeUndefined();
    expect(() => updates.rollouts.promote(rollout.rolloutId)).toThrow(expect.objectContaining({ code: 'rollout-halted' }));
  });

  it('moves a terminal only forward, and keeps an end final', async () => {
    await publish('1.1.0');
    const { rollout, offerTo } = updates.rollouts.create({ version: '1.1.0', terminalIds: ['kiosk-a'], canaryPercent: 100, createdBy: 'op' });
    expect(offerTo).toEqual(['kiosk-a']);
    const id = rollout.rolloutId;
    expect(updates.rollouts.report('kiosk-a', report(id, 'staged')).recorded).toBe(true);
    expect(updates.rollouts.report('kiosk-a', report(id, 'downloading')).recorded).toBe(false);
    expect(updates.rollouts.report('kiosk-a', report(id, 'healthy')).recorded).toBe(true);
    expect(updates.rollouts.report('kiosk-a', report(id, 'failed', { reason: 'disk' })).recorded).toBe(false);
    expect(updates.rollouts.report('kiosk-b', report(id, 'staged')).recorded).toBe(false);
    expect(updates.rollouts.get(id)).toMatchObject({ complete: true, counts: { healthy: 1 } });
  });

  it('opens the bundle only with the latest token of a standing offer', async () => {
    await publish('1.1.0');
    const { rollout } = updates.rollouts.create({ version: '1.1.0', terminalIds: ['kiosk-a'], canaryPercent: 100, createdBy: 'op' });
    const first = updates.rollouts.offerFor('kiosk-a')!;
    expect(updates.rollouts.bundleForToken('1.1.0', first.token)).toMatch(/1\.1\.0\.nbundle$/);
    expect(updates.rollouts.bundleForToken('1.2.0', first.token)).toBeUndefined();
    const second = updates.rollouts.offerFor('kiosk-a')!;
    expect(updates.rollouts.bundleForToken('1.1.0', first.token)).toBeUndefined();
    expect(updates.rollouts.bundleForToken('1.1.0', second.token)).toBeDefined();
    updates.rollouts.halt(rollout.rolloutId, 'operator stopped it');
    expect(updates.rollouts.bundleForToken('1.1.0', second.token)).toBeUndefined();
  });

  it('refuses a terminal already in an unfinished rollout, and an unpublished version', async () => {
    await publish('1.1.0');
    await publish('1.2.0');
    updates.rollouts.create({ version: '1.1.0', terminalIds: ['kiosk-a'], canaryPercent: 100, createdBy: 'op' });
    expect(() => updates.rollouts.create({ version: '1.2.0', terminalIds: ['kiosk-a', 'kiosk-b'], canaryPercent: 100, createdBy: 'op' })).toThrow(
      expect.objectContaining({ code: 'terminal-in-rollout', details: { terminalIds: ['kiosk-a'] } }),
    );
    expect(() => updates.rollouts.create({ version: '9.9.9', terminalIds: ['kiosk-b'], canaryPercent: 100, createdBy: 'op' })).toThrow(expect.objectContaining({ code: 'release-unknown' }));
  });

  it('picks the canaries by hash, whatever order the terminals are named in', () => {
    const a = pickCanaries('01936d3c-1b2a-7cde-8f00-0123456789ab', TERMINALS, 30);
    const b = pickCanaries('01936d3c-1b2a-7cde-8f00-0123456789ab', [...TERMINALS].reverse(), 30);
    expect([...a].sort()).toEqual([...b].sort());
    expect(a.size).toBe(3);
    expect(pickCanaries('01936d3c-1b2a-7cde-8f00-0123456789ab', ['x'], 1).size).toBe(1);
  });
});
