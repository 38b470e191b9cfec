// Whatever bytes arrive as a bundle, the reader answers with a refusal, never
// a crash or an acceptance it should not give (ARCHITECTURE.md: "update
// bundles ... parsed by a schema or codec that rejects what it does not
// understand"). fast-check with a fixed seed, printed on failure.
import { writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { readBundleHead } from './bundle.js';
import { isReleaseError } from './errors.js';
import { verifyBundle } from './verify.js';
import { entryPath } from './archive-paths.js';
import { createRelease, signRelease } from './tools.js';
import { makeKeySet, tempDir, type KeySet } from './test-support.js';
import { posix } from 'node:path';

const SEED = 20_261_301;

let dir: string;
let keys: KeySet;
let good: Buffer;

beforeAll(async () => {
  dir = tempDir();
  keys = makeKeySet(dir);
  const payload = join(dir, 'payload');
  mkdirSync(payload);
  writeFileSync(join(payload, 'main.mjs'), 'export {}\n');
  const out = join(dir, 'good.nbundle');
  const expires = new Date(Date.now() + 90 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  await createRelease({ version: '1.1.0', model: 'nb-test', minVersion: '1.0.0', expires, payload, out });
  signRelease(out, keys.keys.k1!);
  signRelease(out, keys.keys.k2!);
  good = readFileSync(out);
});

describe('bundle reader under random input', () => {
  it('refuses random bytes and random envelopes as malformed, never throwing anything else', () => {
    const prefix = (n: number) => {
      const b = Buffer.alloc(12);
      b.write('NBBUNDL1', 'latin1');
      b.writeUInt32BE(n, 8);
      return b;
    };
    const bytesArb = fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
      fc.tuple(fc.integer({ min: 0, max: 400 }), fc.string({ maxLength: 300 })).map(([n, s]) => Buffer.concat([prefix(n), Buffer.from(s)])),
      fc.json().map((j) => Buffer.concat([prefix(Buffer.byteLength(j)), Buffer.from(j)])),
    );
    let i = 0;
    fc.assert(
      fc.property(bytesArb, (bytes) => {
        const path = join(dir, `random-${i++}.nbundle`);
        writeFileSync(path, bytes);
        try {
          readBundleHead(path);
          return false;
        } catch (error) {
          return isReleaseError(error) && error.code === 'malformed';
        }
      }),
      { seed: SEED, numRuns: 300, verbose: true },
    );
  });

  it('refuses a good bundle with any one byte changed', async () => {
    const policy = { trustedKeys: keys.trusted, threshold: 2, model: 'nb-test', installedVersion: '1.0.0' };
    let i = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: good.length - 1 }), fc.integer({ min: 1, max: 255 }), async (at, xor) => {
        const bytes = Buffer.from(good);
        bytes[at]! ^= xor;
        const path = join(dir, `mutated-${i++}.nbundle`);
        writeFileSync(path, bytes);
        const result = await verifyBundle(path, policy);
        return !result.ok;
      }),
      { seed: SEED, numRuns: 200, verbose: true },
    );
  });

  it('keeps every path it accepts inside the release folder', () => {
    const segment = fc.constantFrom('a', 'b', '.', '..', '', '/', './', '\\', 'c d', '\u0000');
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 8 }).map((parts) => parts.join('/')), (raw) => {
        let path: string;
        try {
          path = entryPath(raw);
        } catch (error) {
          return isReleaseError(error) && error.code === 'unsafe-path';
        }
        const resolved = posix.normalize(posix.join('/root', path));
        return resolved === '/root' || resolved.startsWith('/root/');
      }),
      { seed: SEED, numRuns: 500, verbose: true },
    );
  });
});
