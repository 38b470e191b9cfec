// A bundle is installed only when a threshold of trusted keys signed its
// manifest and everything the manifest claims holds; each way it can fail
// has its own reason (issue 13 sections 3 and 4, "Bad input").
import { readFileSync, statSync, writeFileSync, mkdirSync, appendFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRelease, signRelease } from './tools.js';
import { readBundleHead, writeBundle } from './bundle.js';
import { verifyBundle, type VerifyPolicy } from './verify.js';
import { generateReleaseKey, loadTrustedKeys } from './keys.js';
import { ReleaseError } from './errors.js';
import { bundleFromPayload, makeKeySet, rawTarGz, tempDir, type KeySet } from './test-support.js';
import { openSync, closeSync } from 'node:fs';

/** Half a year from now: a manifest may not live longer than a year. */
const EXPIRES = new Date(Date.now() + 180 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

let root: string;
let keys: KeySet;
let payloadDir: string;

function policy(extra: Partial<VerifyPolicy> = {}): VerifyPolicy {
  return { trustedKeys: keys.trusted, threshold: 2, model: 'nb-test', installedVersion: '1.0.0', ...extra };
}

async function signedBundle(name: string, fields: Partial<Parameters<typeof createRelease>[0]> = {}, signers = ['k1', 'k2']): Promise<string> {
  const out = join(root, `${name}.nbundle`);
  await createRelease({ version: '1.1.0', model: 'nb-test', minVersion: '1.0.0', expires: EXPIRES, payload: payloadDir, out, ...fields });
  for (const signer of signers) signRelease(out, keys.keys[signer]!);
  return out;
}

/** Rewrites the bundle's envelope (keeping its payload), as a tamperer would. */
function rewriteEnvelope(path: string, change: (signed: Record<string, unknown>, signatures: { keyid: string; sig: string }[]) => void): void {
  const head = readBundleHead(path);
  const signed = structuredClone(head.signed) as Record<string, unknown>;
  const signatures = structuredClone(head.signatures);
  change(signed, signatures);
  const fd = openSync(path, 'r');
  try {
    writeBundle(path, signed, signatures, fd, head.payloadOffset, head.fileSize - head.payloadOffset);
  } finally {
    closeSync(fd);
  }
}

beforeAll(() => {
  root = tempDir();
  keys = makeKeySet(root);
  payloadDir = join(root, 'payload');
  mkdirSync(join(payloadDir, 'bin'), { recursive: true });
  writeFileSync(join(payloadDir, 'release.json'), JSON.stringify({ entry: 'bin/main.mjs' }));
  writeFileSync(join(payloadDir, 'bin', 'main.mjs'), 'console.log("hello")\n', { mode: 0o755 });
});

describe('release keys', () => {
  it('writes the private key owner-only and never overwrites a key', () => {
    const dir = tempDir();
    const made = generateReleaseKey(dir, 'office-1');
    expect(statSync(made.privatePath).mode & 0o777).toBe(0o600);
    expect(readFileSync(made.publicPath, 'utf8')).toContain('BEGIN PUBLIC KEY');
    expect(() => generateReleaseKey(dir, 'office-1')).toThrow(/never overwritten/);
  });

  it('refuses to sign with a private key others can read', async () => {
    const out = await signedBundle('loose-key', {}, []);
    const dir = tempDir();
    const made = generateReleaseKey(dir, 'loose');
    const { chmodSync } = await import('node:fs');
    chmodSync(made.privatePath, 0o644);
    expect(() => signRelease(out, made.privatePath)).toThrow(ReleaseError);
  });

  it('stops on a trusted-keys folder holding a file that is not a public key', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'junk.pub'), 'not a key');
    expect(() => loadTrustedKeys(dir)).toThrow(/not a PEM public key/);
  });
});

describe('verifyBundle', () => {
  it('accepts a bundle signed by two of three trusted keys and names the signers', async () => {
    const result = await verifyBundle(await signedBundle('good'), policy());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.bundle.signedBy.sort()).toEqual(['k1', 'k2']);
    expect(result.bundle.head.manifest.version).toBe('1.1.0');
    expect(result.bundle.entries?.map((e) => e.path).sort()).toEqual(['bin', 'bin/main.mjs', 'release.json']);
  });

  it('refuses one signature as too-few-signatures', async () => {
    expect(await verifyBundle(await signedBundle('one', {}, ['k1']), policy())).toMatchObject({ ok: false, reason: 'too-few-signatures' });
  });

  it('counts one key signing twice once', async () => {
    const out = await signedBundle('twice', {}, ['k1']);
    const again = signRelease(out, keys.keys.k1!);
    expect(again).toMatchObject({ replaced: true, signatures: 1 });
    expect(await verifyBundle(out, policy())).toMatchObject({ ok: false, reason: 'too-few-signatures' });
  });

  it('counts a signature copied twice into the envelope once', async () => {
    const out = await signedBundle('copied', {}, ['k1']);
    rewriteEnvelope(out, (_signed, signatures) => signatures.push({ ...signatures[0]! }));
    expect(readBundleHead(out).signatures).toHaveLength(2);
    expect(await verifyBundle(out, policy())).toMatchObject({ ok: false, reason: 'too-few-signatures' });
  });

  it('ignores signatures of keys it does not trust', async () => {
    const stranger = generateReleaseKey(tempDir(), 'stranger');
    const out = await signedBundle('stranger', {}, ['k1']);
    signRelease(out, stranger.privatePath);
    expect(await verifyBundle(out, policy())).toMatchObject({ ok: false, reason: 'too-few-signatures' });
  });

  it('refuses a manifest changed after signing as bad-signature', async () => {
    const out = await signedBundle('tampered-manifest');
    rewriteEnvelope(out, (signed) => (signed.version = '9.0.0'));
    expect(await verifyBundle(out, policy())).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a signature of junk by a trusted key as bad-signature', async () => {
    const out = await signedBundle('junk-signature');
    rewriteEnvelope(out, (_signed, signatures) => (signatures[0]!.sig = 'not base64 at all!'));
    expect(await verifyBundle(out, policy())).toMatchObject({ ok: false, reason: 'bad-signature' });
    rewriteEnvelope(out, (_signed, signatures) => (signatures[0]!.sig = Buffer.alloc(64, 7).toString('base64')));
    expect(await verifyBundle(out, policy())).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a changed payload byte as hash-mismatch', async () => {
    const out = await signedBundle('tampered-payload');
    const bytes = readFileSync(out);
    bytes[bytes.length - 10]! ^= 0xff;
    writeFileSync(out, bytes);
    expect(await verifyBundle(out, policy())).toMatchObject({ ok: false, reason: 'hash-mismatch' });
  });

  it('refuses a bundle longer or shorter than its manifest says as size-mismatch', async () => {
    const longer = await signedBundle('longer');
    appendFileSync(longer, Buffer.alloc(1));
    expect(await verifyBundle(longer, policy())).toMatchObject({ ok: false, reason: 'size-mismatch' });
    const shorter = await signedBundle('shorter');
    truncateSync(shorter, statSync(shorter).size - 1);
    expect(await verifyBundle(shorter, policy())).toMatchObject({ ok: false, reason: 'size-mismatch' });
  });

  it('refuses an expired manifest', async () => {
    const out = await signedBundle('expiring', { expires: '2027-01-01T00:00:00Z', now: new Date('2026-06-01T00:00:00Z') });
    expect(await verifyBundle(out, policy({ now: new Date('2026-12-31T23:59:59Z') }))).toMatchObject({ ok: true });
    expect(await verifyBundle(out, policy({ now: new Date('2027-01-01T00:00:00Z') }))).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('refuses a version that does not go up as downgrade', async () => {
    const out = await signedBundle('old', { version: '1.1.0' });
    expect(await verifyBundle(out, policy({ installedVersion: '1.1.0' }))).toMatchObject({ ok: false, reason: 'downgrade' });
    expect(await verifyBundle(out, policy({ installedVersion: '1.2.0' }))).toMatchObject({ ok: false, reason: 'downgrade' });
  });

  it('refuses an update from below its minimum version as installed-too-old', async () => {
    const out = await signedBundle('needs-1.0', { version: '2.0.0', minVersion: '1.5.0' });
    expect(await verifyBundle(out, policy({ installedVersion: '1.4.9' }))).toMatchObject({ ok: false, reason: 'installed-too-old' });
    expect(await verifyBundle(out, policy({ installedVersion: '1.5.0' }))).toMatchObject({ ok: true });
  });

  it('refuses a manifest for another model as wrong-model', async () => {
    const out = await signedBundle('other-model', { model: 'nb-other' });
    expect(await verifyBundle(out, policy())).toMatchObject({ ok: false, reason: 'wrong-model' });
  });

  it('refuses a payload that escapes its folder as unsafe-path, though it is signed', async () => {
    const out = join(root, 'escape.nbundle');
    bundleFromPayload(out, rawTarGz([{ name: '../evil.sh', data: 'rm -rf /' }]), {}, [keys.keys.k1!, keys.keys.k2!]);
    expect(await verifyBundle(out, policy())).toMatchObject({ ok: false, reason: 'unsafe-path' });
  });

  it('refuses what is not a bundle, or a broken envelope, as malformed', async () => {
    const junk = join(root, 'junk.nbundle');
    writeFileSync(junk, 'hello, this is not a bundle');
    expect(await verifyBundle(junk, policy())).toMatchObject({ ok: false, reason: 'malformed' });
    const unknownField = await signedBundle('unknown-field');
    rewriteEnvelope(unknownField, (signed) => (signed.extra = 'x'));
    expect(await verifyBundle(unknownField, policy())).toMatchObject({ ok: false, reason: 'malformed' });
    const float = await signedBundle('float');
    rewriteEnvelope(float, (signed) => ((signed.payload as { size: number }).size = 1.5));
    expect(await verifyBundle(float, policy())).toMatchObject({ ok: false, reason: 'malformed' });
    const huge = join(root, 'huge-envelope.nbundle');
    const prefix = Buffer.alloc(12);
    prefix.write('NBBUNDL1', 'latin1');
    prefix.writeUInt32BE(0xffffffff, 8);
    writeFileSync(huge, prefix);
    expect(await verifyBundle(huge, policy())).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('gives the first reason in precedence order when several apply', async () => {
    // Expired, another model and a downgrade, signed once: the signatures are looked at first.
    const out = await signedBundle('many-faults', { version: '1.0.0', model: 'nb-other', expires: '2027-01-01T00:00:00Z', now: new Date('2026-06-01T00:00:00Z') }, ['k1']);
    expect(await verifyBundle(out, policy({ now: new Date('2028-01-01T00:00:00Z') }))).toMatchObject({ ok: false, reason: 'too-few-signatures' });
    signRelease(out, keys.keys.k3!);
    expect(await verifyBundle(out, policy({ now: new Date('2028-01-01T00:00:00Z') }))).toMatchObject({ ok: false, reason: 'expired' });
    expect(await verifyBundle(out, policy({ now: new Date('2026-07-01T00:00:00Z') }))).toMatchObject({ ok: false, reason: 'wrong-model' });
  });

  it('will not verify against a threshold no set of trusted keys could meet', async () => {
    await expect(verifyBundle(await signedBundle('threshold'), policy({ threshold: 4 }))).rejects.toThrow(/only 3 trusted/);
  });
});
