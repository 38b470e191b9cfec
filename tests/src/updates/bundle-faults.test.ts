// Every bundle fault a kiosk can be offered (issue 13 section 4 and "Bad
// input"), against a kiosk whose 1.0.0 runs under its real supervisor: each
// bundle is refused with its reason as the agent stages it (stage.ts),
// nothing of it is unpacked into releases/, and 1.0.0 keeps running, the
// same process, with nothing else ever started.
import { appendFileSync, readFileSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBundleHead, writeBundle } from '@nongbao/protocol/release';
import { bundleFromPayload, rawTarGz } from '@nongbao/protocol/release/test-support';
import { readSupervisorState, stageBundle, versionFloor } from '@nongbao/terminal/updates';
import { closeSync, openSync } from 'node:fs';
import { installedKiosk, startSupervisor, waitFor, EXPIRES, type KioskFixture, type SupervisorProcess } from './kiosk-fixture.js';
import { readRanLog } from './synthetic-release.js';

let fixture: KioskFixture;
let supervisor: SupervisorProcess;
let oldPid: number;

function rewriteSigned(path: string, change: (signed: Record<string, unknown>) => void): void {
  const head = readBundleHead(path);
  const signed = structuredClone(head.signed) as Record<string, unknown>;
  change(signed);
  const fd = openSync(path, 'r');
  try {
    writeBundle(path, signed, head.signatures, fd, head.payloadOffset, head.fileSize - head.payloadOffset);
  } finally {
    closeSync(fd);
  }
}

async function stage(bundle: string) {
  const state = readSupervisorState(fixture.root)!;
  return stageBundle(fixture.root, bundle, { floor: versionFloor(state), keep: [state.current] });
}

beforeAll(async () => {
  fixture = await installedKiosk('1.0.0');
  supervisor = startSupervisor(fixture);
  oldPid = (await waitFor('1.0.0 to start', () => readRanLog(fixture.dataDir).starts[0], 30_000)).pid;
});

afterAll(async () => {
  supervisor.child.kill('SIGTERM');
  await supervisor.exited;
});

describe('a kiosk offered a bad bundle', () => {
  const cases: Array<[string, string, () => Promise<string>]> = [
    ['a manifest changed after signing', 'bad-signature', async () => {
      const b = await fixture.bundle('1.1.0');
      rewriteSigned(b, (s) => (s.minVersion = '0.0.1'));
      return b;
    }],
    ['a signature of junk', 'bad-signature', async () => {
      const b = await fixture.bundle('1.1.0');
      const head = readBundleHead(b);
      const fd = openSync(b, 'r');
      writeBundle(b, head.signed, [head.signatures[0]!, { keyid: head.signatures[1]!.keyid, sig: 'AAAA'.repeat(22).slice(0, 86) + '==' }], fd, head.payloadOffset, head.fileSize - head.payloadOffset);
      closeSync(fd);
      return b;
    }],
    ['one signature', 'too-few-signatures', () => fixture.bundle('1.1.0', {}, { signers: ['k1'] })],
    ['one key signing twice', 'too-few-signatures', () => fixture.bundle('1.1.0', {}, { signers: ['k2', 'k2'] })],
    ['a changed payload byte', 'hash-mismatch', async () => {
      const b = await fixture.bundle('1.1.0');
      const bytes = readFileSync(b);
      bytes[bytes.length - 40]! ^= 0x01;
      writeFileSync(b, bytes);
      return b;
    }],
    ['bytes appended', 'size-mismatch', async () => {
      const b = await fixture.bundle('1.1.0');
      appendFileSync(b, 'more');
      return b;
    }],
    ['a cut-off file', 'size-mismatch', async () => {
      const b = await fixture.bundle('1.1.0');
      truncateSync(b, statSync(b).size - 100);
      return b;
    }],
    ['an expired manifest', 'expired', () => fixture.bundle('1.1.0', {}, { expires: new Date(Date.now() + 2_000).toISOString().replace(/\.\d{3}Z$/, 'Z') }).then(async (b) => {
      await new Promise((r) => setTimeout(r, 2_100));
      return b;
    })],
    ['an older version', 'downgrade', () => fixture.bundle('0.9.0', {}, { minVersion: '0.1.0' })],
    ['the same version', 'downgrade', () => fixture.bundle('1.0.0')],
    ['another model', 'wrong-model', () => fixture.bundle('1.1.0', {}, { model: 'nb-other' })],
    ['a minimum version above the installed one', 'installed-too-old', () => fixture.bundle('2.0.0', {}, { minVersion: '1.5.0' })],
    ['a payload entry with ..', 'unsafe-path', async () => {
      const out = join(fixture.base, 'traversal.nbundle');
      bundleFromPayload(out, rawTarGz([{ name: 'release.json', data: '{"entry":"main.mjs"}' }, { name: '../../evil.mjs', data: 'evil' }]), { version: '1.1.0', model: 'nb-test', expires: EXPIRES }, [fixture.keys.keys.k1!, fixture.keys.keys.k2!]);
      return out;
    }],
    ['a payload entry with an absolute path', 'unsafe-path', async () => {
      const out = join(fixture.base, 'absolute.nbundle');
      bundleFromPayload(out, rawTarGz([{ name: '/tmp/evil.mjs', data: 'evil' }]), { version: '1.1.0', model: 'nb-test', expires: EXPIRES }, [fixture.keys.keys.k1!, fixture.keys.keys.k2!]);
      return out;
    }],
    ['a symlink pointing out of the release', 'unsafe-path', async () => {
      const out = join(fixture.base, 'symlink.nbundle');
      bundleFromPayload(out, rawTarGz([{ name: 'release.json', data: '{"entry":"main.mjs"}' }, { name: 'main.mjs', type: '2', linkname: '../../../../etc/passwd' }]), { version: '1.1.0', model: 'nb-test', expires: EXPIRES }, [fixture.keys.keys.k1!, fixture.keys.keys.k2!]);
      return out;
    }],
    ['a file of junk', 'malformed', async () => {
      const out = join(fixture.base, 'junk.nbundle');
      writeFileSync(out, 'this is not a bundle at all');
      return out;
    }],
    ['a release without release.json', 'malformed', async () => {
      const out = join(fixture.base, 'no-entry.nbundle');
      bundleFromPayload(out, rawTarGz([{ name: 'main.mjs', data: 'x' }]), { version: '1.1.0', model: 'nb-test', expires: EXPIRES }, [fixture.keys.keys.k1!, fixture.keys.keys.k2!]);
      return out;
    }],
  ];

  it.each(cases)('refuses %s (%s), and 1.0.0 keeps running', async (_what, reason, make) => {
    const result = await stage(await make());
    expect(result).toMatchObject({ ok: false, reason });
    expect(readdirSync(fixture.root.releasesDir)).toEqual(['1.0.0']);
    expect(readdirSync(fixture.root.bundlesDir)).toEqual(['1.0.0.nbundle']);
    expect(readdirSync(fixture.root.stagingDir)).toEqual([]);
    expect(readRanLog(fixture.dataDir).starts).toEqual([{ version: '1.0.0', pid: oldPid, trial: false }]);
    expect(readSupervisorState(fixture.root)).toMatchObject({ current: '1.0.0', highestTrusted: '1.0.0', switches: [] });
    process.kill(oldPid, 0);
  });

  it('nothing was written outside the kiosk by the hostile payloads', () => {
    const evil = readdirSync(fixture.base, { recursive: true }).map(String).filter((p) => p.endsWith('evil.mjs'));
    expect(evil).toEqual([]);
  });

  it('refuses an old validly signed bundle once a newer version has run', async () => {
    const older = await fixture.bundle('1.0.5');
    expect(await stage(await fixture.bundle('1.1.0'))).toMatchObject({ ok: true });
    writeFileSync(join(fixture.dataDir, 'switch-request.json'), JSON.stringify({ version: '1.1.0' }));
    await waitFor('the switch', () => readSupervisorState(fixture.root)!.current === '1.1.0');
    expect(await stage(older)).toMatchObject({ ok: false, reason: 'downgrade' });
    expect(readSupervisorState(fixture.root)).toMatchObject({ current: '1.1.0', highestTrusted: '1.1.0' });
  });
});
