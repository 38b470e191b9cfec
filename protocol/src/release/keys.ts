// Release keys: ed25519 (node:crypto). A private key lives in its own file,
// PKCS#8 PEM, mode 0600, and never leaves it: signing reads it, nothing
// copies it. A public key is SPKI PEM; its id is the sha256 of its 32 raw
// bytes (as TUF names keys by a hash of the key), so a signature names the
// key it claims without trusting any name.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readdirSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ReleaseError } from './errors.js';

export const KEY_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,39}$/;
/** A trusted-keys folder holds at most this many keys. */
export const TRUSTED_KEYS_LIMIT = 32;
const KEY_FILE_BYTES_LIMIT = 4096;

export interface TrustedKey {
  keyId: string;
  name: string;
  key: KeyObject;
}

/** Trusted release keys by key id. */
export type TrustedKeys = ReadonlyMap<string, TrustedKey>;

/** sha256 of the raw ed25519 public key, hex. */
export function keyIdOf(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' }) as { x?: string };
  if (!jwk.x) throw new ReleaseError('key-file', 'not an ed25519 public key');
  return createHash('sha256').update(Buffer.from(jwk.x, 'base64url')).digest('hex');
}

function writeNewFile(path: string, text: string, mode: number): void {
  // 'wx': never overwrite a key; the mode is set at creation, so no moment exists where it is readable by others.
  const fd = openSync(path, 'wx', mode);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/** Writes DIR/NAME.key (0600) and DIR/NAME.pub; refuses to overwrite either. */
export function generateReleaseKey(dir: string, name: string): { keyId: string; privatePath: string; publicPath: string } {
  if (!KEY_NAME_PATTERN.test(name)) throw new ReleaseError('bad-argument', `key name ${JSON.stringify(name)}: lowercase letters, digits, - and _, at most 40`);
  const privatePath = join(dir, `${name}.key`);
  const publicPath = join(dir, `${name}.pub`);
  for (const path of [privatePath, publicPath]) if (existsSync(path)) throw new ReleaseError('key-file', `${path} exists; a key is never overwritten`);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  writeNewFile(privatePath, privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, 0o600);
  writeNewFile(publicPath, publicKey.export({ format: 'pem', type: 'spki' }) as string, 0o644);
  return { keyId: keyIdOf(publicKey), privatePath, publicPath };
}

function readKeyFile(path: string): { text: string; mode: number } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new ReleaseError('key-file', `cannot open ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size > KEY_FILE_BYTES_LIMIT) throw new ReleaseError('key-file', `${path} is not a key file`);
    return { text: readFileSync(fd, 'utf8'), mode: stat.mode & 0o777 };
  } finally {
    closeSync(fd);
  }
}

/** A private release key; refused when others may read its file (as ssh refuses such a key). */
export function loadPrivateKey(path: string): KeyObject {
  const { text, mode } = readKeyFile(path);
  if ((mode & 0o077) !== 0) throw new ReleaseError('key-file', `${path} is readable by others (mode ${mode.toString(8)}); chmod 600 it`);
  let key: KeyObject;
  try {
    key = createPrivateKey(text);
  } catch {
    throw new ReleaseError('key-file', `${path} is not a PEM private key`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new ReleaseError('key-file', `${path} is a ${key.asymmetricKeyType ?? 'non-asymmetric'} key, not ed25519`);
  return key;
}

export function loadPublicKey(path: string): KeyObject {
  const { text } = readKeyFile(path);
  let key: KeyObject;
  try {
    key = createPublicKey(text);
  } catch {
    throw new ReleaseError('trusted-keys', `${path} is not a PEM public key`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new ReleaseError('trusted-keys', `${path} is not an ed25519 key`);
  return key;
}

/**
 * Every `*.pub` in `dir` is trusted. A file that is not an ed25519 public key
 * stops the caller (a broken trust root must be fixed, not skipped), and so
 * does a folder with none.
 */
export function loadTrustedKeys(dir: string): TrustedKeys {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.pub')).sort();
  } catch (error) {
    throw new ReleaseError('trusted-keys', `cannot read the trusted keys folder ${dir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (names.length === 0) throw new ReleaseError('trusted-keys', `${dir} holds no *.pub release key`);
  if (names.length > TRUSTED_KEYS_LIMIT) throw new ReleaseError('trusted-keys', `${dir} holds more than ${TRUSTED_KEYS_LIMIT} keys`);
  const keys = new Map<string, TrustedKey>();
  for (const file of names) {
    const key = loadPublicKey(join(dir, file));
    const keyId = keyIdOf(key);
    // The same key under two names is one key: it counts once towards the threshold.
    if (!keys.has(keyId)) keys.set(keyId, { keyId, name: basename(file, '.pub'), key });
  }
  return keys;
}
