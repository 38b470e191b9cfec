// Published releases (issue 13 section 3): a bundle the county received from
// its release signers is checked (signatures against the county's copy of
// the trusted release keys, expiry, size, hash, every archive entry) and kept
// in the server's releases folder, from where the gateway serves it to the
// terminals a rollout names. The server checks so an operator learns of a bad
// bundle at once; each kiosk checks again, trusting nothing the server says.
import { copyFileSync, createReadStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { verifyBundle, type TrustedKeys } from '@nongbao/protocol/release';
import type { SqlDatabase } from '../sql/types.js';
import { RolloutError } from './errors.js';
import { migrateUpdates } from './schema.js';

export interface PublishedRelease {
  version: string;
  model: string;
  minVersion: string;
  expires: string;
  bundleSha256: string;
  bundleSize: number;
  signedBy: string[];
  publishedAt: string;
  publishedBy: string;
}

interface ReleaseRow {
  version: string;
  model: string;
  min_version: string;
  expires: string;
  bundle_path: string;
  bundle_sha256: string;
  bundle_size: number;
  signed_by_json: string;
  published_at: string;
  published_by: string;
}

function toRelease(r: ReleaseRow): PublishedRelease {
  return {
    version: r.version,
    model: r.model,
    minVersion: r.min_version,
    expires: r.expires,
    bundleSha256: r.bundle_sha256,
    bundleSize: r.bundle_size,
    signedBy: JSON.parse(r.signed_by_json) as string[],
    publishedAt: r.published_at,
    publishedBy: r.published_by,
  };
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export class ReleaseStore {
  constructor(private readonly db: SqlDatabase) {
    migrateUpdates(db);
  }

  /** Checks the bundle and keeps a copy in `releasesDir`; refuses a bundle a kiosk would refuse, or a version published with other content. */
  async publish(bundle: string, keys: { trustedKeys: TrustedKeys; threshold: number }, releasesDir: string, publishedBy: string): Promise<PublishedRelease> {
    mkdirSync(releasesDir, { recursive: true, mode: 0o755 });
    // The copy is what is checked and served: the source may change after.
    const tmp = join(resolve(releasesDir), `.incoming-${randomBytes(6).toString('hex')}`);
    copyFileSync(bundle, tmp);
    try {
      const verdict = await verifyBundle(tmp, { trustedKeys: keys.trustedKeys, threshold: keys.threshold });
      if (!verdict.ok) throw new RolloutError('release-refused', `the bundle is refused: ${verdict.reason}: ${verdict.detail}`, undefined, { reason: verdict.reason });
      const m = verdict.bundle.head.manifest;
      const sha256 = await fileSha256(tmp);
      const existing = this.get(m.version);
      if (existing) {
        if (existing.bundleSha256 !== sha256) throw new RolloutError('release-exists', `version ${m.version} was published with another bundle; a version is published once`);
        return existing;
      }
      const path = join(resolve(releasesDir), `${m.version}.nbundle`);
      renameSync(tmp, path);
      this.db
        .prepare(
          `INSERT INTO software_release (version, model, min_version, expires, bundle_path, bundle_sha256, bundle_size, signed_by_json, published_at, published_by)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(m.version, m.model, m.minVersion, m.expires, path, sha256, verdict.bundle.head.fileSize, JSON.stringify(verdict.bundle.signedBy), new Date().toISOString(), publishedBy);
      return this.get(m.version)!;
    } finally {
      if (existsSync(tmp)) rmSync(tmp, { force: true });
    }
  }

  get(version: string): PublishedRelease | undefined {
    const row = this.db.prepare('SELECT * FROM software_release WHERE version = ?').get(version) as ReleaseRow | undefined;
    return row ? toRelease(row) : undefined;
  }

  list(): PublishedRelease[] {
    return (this.db.prepare('SELECT * FROM software_release ORDER BY published_at DESC').all() as ReleaseRow[]).map(toRelease);
  }

  /** The file of a published release, for the download route. */
  bundlePath(version: string): string | undefined {
    const row = this.db.prepare('SELECT bundle_path FROM software_release WHERE version = ?').get(version) as { bundle_path: string } | undefined;
    return row?.bundle_path;
  }
}
