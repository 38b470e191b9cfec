// The release tools as an operator runs them (issue 13 section 3): real
// `nongbao` processes over real files. `release verify` exits 0 with one
// line when the bundle would be installed, and otherwise 1 with the reason
// first on the line, named as the issue names them.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRelease, readBundleHead, signRelease, writeBundle } from '@nongbao/protocol/release';
import { bundleFromPayload, rawTarGz, tempDir } from '@nongbao/protocol/release/test-support';
import { closeSync, openSync } from 'node:fs';
import { REPO_ROOT } from './kiosk-fixture.js';

const run = promisify(execFile);
const EXPIRES = new Date(Date.now() + 90 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

async function nongbao(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(REPO_ROOT, 'bin/nongbao.mjs'), ...args], { cwd, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let dir: string;

async function create(name: string, extra: string[] = []): Promise<string> {
  const out = join(dir, `${name}.nbundle`);
  const args = ['release', 'create', '--version', '1.1.0', '--model', 'nb-test', '--payload', 'payload', '--expires', EXPIRES, '--min-version', '1.0.0', '--out', out];
  for (let i = 0; i < extra.length; i += 2) {
    const at = args.indexOf(extra[i]!);
    if (at >= 0) args[at + 1] = extra[i + 1]!;
    else args.push(extra[i]!, extra[i + 1]!);
  }
  const made = await nongbao(args, dir);
  expect(made.code, made.stderr).toBe(0);
  return out;
}

async function sign(bundle: string, ...keys: string[]): Promise<void> {
  for (const key of keys) expect((await nongbao(['release', 'sign', '--key', `keys/${key}.key`, bundle], dir)).code).toBe(0);
}

const verify = (bundle: string, ...extra: string[]) => nongbao(['release', 'verify', '--trusted-keys', 'trusted', '--model', 'nb-test', '--installed-version', '1.0.0', ...extra, bundle], dir);

beforeAll(async () => {
  dir = tempDir('nongbao-release-cli-');
  mkdirSync(join(dir, 'payload'));
  writeFileSync(join(dir, 'payload', 'release.json'), '{"entry":"main.mjs"}');
  writeFileSync(join(dir, 'payload', 'main.mjs'), 'export {};\n');
  for (const name of ['k1', 'k2', 'k3']) expect((await nongbao(['release', 'keygen', '--name', name, '--out', 'keys'], dir)).code).toBe(0);
  mkdirSync(join(dir, 'trusted'));
  for (const name of ['k1', 'k2', 'k3']) copyFileSync(join(dir, 'keys', `${name}.pub`), join(dir, 'trusted', `${name}.pub`));
});

describe('nongbao release', () => {
  it('keygen writes the private key 0600 and never overwrites a key', async () => {
    expect(statSync(join(dir, 'keys', 'k1.key')).mode & 0o777).toBe(0o600);
    const again = await nongbao(['release', 'keygen', '--name', 'k1', '--out', 'keys'], dir);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('never overwritten');
  });

  it('create, sign twice by two keys, verify: exit 0 and one line', async () => {
    const bundle = await create('good');
    await sign(bundle, 'k1', 'k3');
    const ok = await verify(bundle);
    expect(ok.code).toBe(0);
    expect(ok.stdout.trim().split('\n')).toEqual([expect.stringMatching(/^ok: version 1\.1\.0 for nb-test, signed by k1, k3 \(2 needed\)/)]);
  }, 120_000);

  it('verify names each refusal and exits 1', async () => {
    // The bundles are made with the library (the CLI's create and sign are tested above); verify runs as the operator runs it.
    const key = (name: string) => join(dir, 'keys', `${name}.key`);
    const make = async (name: string, signers: string[], fields: Partial<Parameters<typeof createRelease>[0]> = {}) => {
      const out = join(dir, `${name}.nbundle`);
      await createRelease({ version: '1.1.0', model: 'nb-test', minVersion: '1.0.0', expires: EXPIRES, payload: join(dir, 'payload'), out, ...fields });
      for (const signer of signers) signRelease(out, key(signer));
      return out;
    };
    const expectRefusal = async (bundle: string, reason: string, ...extra: string[]) => {
      const r = await verify(bundle, ...extra);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stdout.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^${reason}: `))]);
    };
    const one = await make('one', ['k1']);
    const twice = await make('twice', ['k2', 'k2']);
    const tampered = await make('tampered', ['k1', 'k2']);
    const head = readBundleHead(tampered);
    const fd = openSync(tampered, 'r');
    writeBundle(tampered, { ...(head.signed as object), model: 'nb-other' }, head.signatures, fd, head.payloadOffset, head.fileSize - head.payloadOffset);
    closeSync(fd);
    const payloadChanged = await make('payload-changed', ['k1', 'k2']);
    const bytes = readFileSync(payloadChanged);
    bytes[bytes.length - 30]! ^= 0x40;
    writeFileSync(payloadChanged, bytes);
    const longer = await make('longer', ['k1', 'k2']);
    appendFileSync(longer, 'x');
    const expired = await make('expired', ['k1', 'k2'], { expires: new Date(Date.now() - 3_600_000).toISOString(), now: new Date(Date.now() - 86_400_000) });
    const other = await make('other-model', ['k1', 'k2'], { model: 'nb-other' });
    const needsNewer = await make('needs-newer', ['k1', 'k2'], { version: '2.0.0', minVersion: '1.5.0' });
    const escaping = join(dir, 'escaping.nbundle');
    bundleFromPayload(escaping, rawTarGz([{ name: '../evil', data: 'x' }]), { version: '1.1.0', model: 'nb-test', expires: EXPIRES }, [key('k1'), key('k2')]);
    const junk = join(dir, 'junk.nbundle');
    writeFileSync(junk, 'not a bundle');
    await Promise.all([
      expectRefusal(one, 'too-few-signatures'),
      expectRefusal(twice, 'too-few-signatures'),
      expectRefusal(tampered, 'bad-signature'),
      expectRefusal(payloadChanged, 'hash-mismatch'),
      expectRefusal(longer, 'size-mismatch'),
      expectRefusal(expired, 'expired'),
      expectRefusal(other, 'wrong-model'),
      expectRefusal(needsNewer, 'installed-too-old'),
      expectRefusal(escaping, 'unsafe-path'),
      expectRefusal(junk, 'malformed'),
      expectRefusal(one, 'downgrade', '--threshold', '1', '--installed-version', '1.1.0'),
    ]);
  }, 240_000);

  it('create takes a .tar.gz of the release as it is, and refuses one with an entry escaping its folder', async () => {
    await run('tar', ['-czf', 'payload.tar.gz', '-C', 'payload', 'release.json', 'main.mjs'], { cwd: dir });
    const bundle = await create('from-tar', ['--payload', 'payload.tar.gz']);
    expect(readBundleHead(bundle).manifest.payload.sha256).toBe(createHash('sha256').update(readFileSync(join(dir, 'payload.tar.gz'))).digest('hex'));
    await sign(bundle, 'k1', 'k2');
    expect((await verify(bundle)).code).toBe(0);
    writeFileSync(join(dir, 'escaping.tar.gz'), rawTarGz([{ name: 'release.json', data: '{"entry":"main.mjs"}' }, { name: '../../evil.mjs', data: 'x' }]));
    const r = await nongbao(['release', 'create', '--version', '1.1.0', '--model', 'nb-test', '--payload', 'escaping.tar.gz', '--expires', EXPIRES, '--min-version', '1.0.0', '--out', 'escaping-tar.nbundle'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^unsafe-path: /);
    expect(existsSync(join(dir, 'escaping-tar.nbundle'))).toBe(false);
  }, 120_000);

  it('sign by one key twice keeps one signature of that key, which counts once', async () => {
    const bundle = await create('same-key-twice');
    await sign(bundle, 'k2');
    const again = await nongbao(['release', 'sign', '--key', 'keys/k2.key', bundle], dir);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('the bundle carries 1 signature(s)');
    expect(again.stderr).toContain('still counts once');
    expect(readBundleHead(bundle).signatures).toHaveLength(1);
    const r = await verify(bundle);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^too-few-signatures: signed by 1 trusted key\(s\) \(k2\); 2 needed/);
  }, 120_000);

  it('refuses a key file of junk and a trusted key of junk with a clear reason, changing nothing', async () => {
    const bundle = await create('junk-key');
    const before = readFileSync(bundle);
    writeFileSync(join(dir, 'keys', 'junk.key'), 'this is not a key\n', { mode: 0o600 });
    const signed = await nongbao(['release', 'sign', '--key', 'keys/junk.key', bundle], dir);
    expect(signed.code).toBe(2);
    expect(signed.stderr).toContain('keys/junk.key is not a PEM private key');
    expect(readFileSync(bundle).equals(before)).toBe(true);
    mkdirSync(join(dir, 'trusted-junk'));
    copyFileSync(join(dir, 'keys', 'k1.pub'), join(dir, 'trusted-junk', 'k1.pub'));
    writeFileSync(join(dir, 'trusted-junk', 'k9.pub'), '-----BEGIN PUBLIC KEY-----\njunk\n-----END PUBLIC KEY-----\n');
    const verified = await nongbao(['release', 'verify', '--trusted-keys', 'trusted-junk', '--threshold', '1', bundle], dir);
    expect(verified.code).toBe(2);
    expect(verified.stderr).toContain('k9.pub is not a PEM public key');
  }, 120_000);

  it('create refuses a folder with a link pointing out (exit 1, unsafe-path) and writes no bundle', async () => {
    mkdirSync(join(dir, 'bad-payload'));
    symlinkSync('/etc/passwd', join(dir, 'bad-payload', 'passwd'));
    const r = await nongbao(['release', 'create', '--version', '1.1.0', '--model', 'nb-test', '--payload', 'bad-payload', '--expires', EXPIRES, '--min-version', '1.0.0', '--out', 'bad.nbundle'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^unsafe-path: symlink passwd points to the absolute path/);
    expect(() => statSync(join(dir, 'bad.nbundle'))).toThrow();
  });

  it('publish keeps a good bundle for rollouts and refuses a bad one with its reason', async () => {
    const good = await create('publish-good');
    await sign(good, 'k1', 'k2');
    const published = await nongbao(['release', 'publish', '--trusted-keys', 'trusted', '--db', 'server/nongbao.sqlite', good], dir);
    expect(published.code, published.stderr).toBe(0);
    expect(published.stdout).toContain('published 1.1.0 for nb-test');
    expect(statSync(join(dir, 'server', 'releases', '1.1.0.nbundle')).isFile()).toBe(true);
    const unsigned = await create('publish-unsigned', ['--version', '1.2.0']);
    const refused = await nongbao(['release', 'publish', '--trusted-keys', 'trusted', '--db', 'server/nongbao.sqlite', unsigned], dir);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/^too-few-signatures: /);
  }, 120_000);

  it('kiosk install lays down a kiosk from a signed bundle; a second install is refused', async () => {
    const first = await create('install', ['--version', '1.0.0', '--min-version', '1.0.0']);
    await sign(first, 'k2', 'k3');
    const installed = await nongbao(['kiosk', 'install', '--root', 'kiosk', '--trusted-keys', 'trusted', '--model', 'nb-test', first], dir);
    expect(installed.code, installed.stderr).toBe(0);
    const status = await nongbao(['kiosk', 'status', '--root', 'kiosk'], dir);
    expect(JSON.parse(status.stdout)).toMatchObject({ current: '1.0.0', highestTrusted: '1.0.0', trial: null });
    const again = await nongbao(['kiosk', 'install', '--root', 'kiosk', '--trusted-keys', 'trusted', '--model', 'nb-test', first], dir);
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/^installed-already: /);
  }, 120_000);
});
