// `nongbao release publish --trusted-keys DIR [--threshold 2] [--db FILE] [--releases-dir DIR] BUNDLE`,
// on the county server machine (issue 13 section 3): checks a signed bundle
// as a kiosk would (any model, any installed version) and keeps it in the
// server's releases folder, ready for a rollout (POST /api/v1/rollouts).
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { loadConfig } from '@nongbao/server/config';
import { openServerDatabase, parseDatabaseSpec } from '@nongbao/server/db-open';
import { UpdateService, isRolloutError } from '@nongbao/server/updates';
import { loadTrustedKeys } from '@nongbao/protocol/release';
import { thresholdField } from './release.js';

const publishSchema = z.object({
  trustedKeys: z.string().min(1),
  threshold: thresholdField,
  db: z.string().min(1).default('data/nongbao.sqlite'),
  /** Where published bundles are kept; beside a SQLite database by default, data/releases beside a PostgreSQL one. */
  releasesDir: z.string().min(1).optional(),
});

/** Beside the database file; a postgres:// URL has no folder (issue 15): data/releases, the default database's. */
function defaultReleasesDir(db: string): string {
  const spec = parseDatabaseSpec(db);
  return spec.engine === 'sqlite' ? join(dirname(spec.path), 'releases') : join('data', 'releases');
}

export async function publishCommand(argv: string[], positional: string[]): Promise<number> {
  if (positional.length !== 1) {
    process.stderr.write('usage: nongbao release publish --trusted-keys DIR [--threshold 2] [--db FILE] [--releases-dir DIR] BUNDLE\n');
    return 2;
  }
  const c = loadConfig(publishSchema, argv);
  const trustedKeys = loadTrustedKeys(c.trustedKeys);
  const db = await openServerDatabase(c.db);
  try {
    const release = await new UpdateService(db).releases.publish(positional[0]!, { trustedKeys, threshold: c.threshold }, c.releasesDir ?? defaultReleasesDir(c.db), 'cli');
    process.stdout.write(`published ${release.version} for ${release.model} (signed by ${release.signedBy.join(', ')}); roll it out with POST /api/v1/rollouts {"version": "${release.version}"}\n`);
    return 0;
  } catch (error) {
    if (!isRolloutError(error)) throw error;
    const reason = (error.details as { reason?: string } | undefined)?.reason;
    process.stdout.write(`${reason ?? error.code}: ${error.message}\n`);
    return 1;
  } finally {
    db.close();
  }
}
