// Test helpers: hand-made tar archives (so a test can hold any entry a
// hostile archive could: absolute paths, `..`, links out, devices) and
// signed bundles made from them, bypassing the tools' own refusals.
import { copyFileSync, mkdtempSync, mkdirSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { generateReleaseKey, loadTrustedKeys, type TrustedKeys } from './keys.js';
import { RELEASE_FORMAT_VERSION, RELEASE_MANIFEST_TYPE, type ReleaseManifest } from './manifest.js';
import { sha256OfRange, writeBundle } from './bundle.js';
import { signRelease } from './tools.js';

export interface RawEntry {
  name: string;
  /** ustar type flag: '0' file, '1' hard link, '2' symlink, '3' char device, '5' folder, '6' FIFO. */
  type?: '0' | '1' | '2' | '3' | '4' | '5' | '6';
  data?: Buffer | string;
  linkname?: string;
  mode?: number;
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(e: RawEntry, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(e.name, 0, 100, 'utf8');
  h.write(octal(e.mode ?? 0o644, 8), 100, 'latin1');
  h.write(octal(0, 8), 108, 'latin1');
  h.write(octal(0, 8), 116, 'latin1');
  h.write(octal(size, 12), 124, 'latin1');
  h.write(octal(946_684_800, 12), 136, 'latin1');
  h.fill(' ', 148, 156);
  h.write(e.type ?? '0', 156, 'latin1');
  if (e.linkname) h.write(e.linkname, 157, 100, 'utf8');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(octal(sum, 7) + ' ', 148, 'latin1');
  return h;
}

/** A tar archive of exactly these entries, in this order. */
export function rawTar(entries: RawEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = typeof e.data === 'string' ? Buffer.from(e.data) : (e.data ?? Buffer.alloc(0));
    parts.push(header(e, data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export function rawTarGz(entries: RawEntry[]): Buffer {
  return gzipSync(rawTar(entries));
}

export function tempDir(prefix = 'nongbao-release-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface KeySet {
  dir: string;
  /** Private key files by name (k1, k2, k3). */
  keys: Record<string, string>;
  /** The public keys, as a kiosk trusts them (a folder of *.pub). */
  trustedDir: string;
  trusted: TrustedKeys;
}

/** Three release keys; the trusted folder holds their public halves only. */
export function makeKeySet(root: string, names = ['k1', 'k2', 'k3']): KeySet {
  const dir = join(root, 'keys');
  const trustedDir = join(root, 'trusted');
  mkdirSync(dir, { recursive: true });
  mkdirSync(trustedDir, { recursive: true });
  const keys: Record<string, string> = {};
  for (const name of names) {
    const made = generateReleaseKey(dir, name);
    keys[name] = made.privatePath;
    copyFileSync(made.publicPath, join(trustedDir, `${name}.pub`));
  }
  return { dir, keys, trustedDir, trusted: loadTrustedKeys(trustedDir) };
}

export interface ManifestFields {
  version?: string;
  model?: string;
  minVersion?: string;
  expires?: string;
}

/**
 * A bundle with this payload (any bytes: a hostile archive too) and manifest,
 * signed by `signers`: what a careless or compromised release process could
 * produce, which the kiosk must still refuse.
 */
export function bundleFromPayload(out: string, payload: Buffer, fields: ManifestFields, signers: string[]): ReleaseManifest {
  const payloadPath = `${out}.payload`;
  writeFileSync(payloadPath, payload);
  const fd = openSync(payloadPath, 'r');
  try {
    const manifest: ReleaseManifest = {
      type: RELEASE_MANIFEST_TYPE,
      formatVersion: RELEASE_FORMAT_VERSION,
      version: fields.version ?? '1.1.0',
      model: fields.model ?? 'nb-test',
      minVersion: fields.minVersion ?? '1.0.0',
      expires: fields.expires ?? '2099-01-01T00:00:00Z',
      createdAt: '2026-01-01T00:00:00Z',
      payload: { format: 'tar.gz', sha256: sha256OfRange(fd, 0, payload.length), size: payload.length },
    };
    writeBundle(out, manifest, [], fd, 0, payload.length);
    for (const key of signers) signRelease(out, key);
    return manifest;
  } finally {
    closeSync(fd);
  }
}
