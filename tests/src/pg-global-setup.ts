// vitest globalSetup: one throwaway PostgreSQL cluster for the whole run
// (issue 15 section 2: "services the tests need ... are started and stopped by
// the suite itself"). Started in a fresh folder on a free port, so runs in
// parallel on one machine do not meet; stopped and removed at teardown. Test
// files make their own databases in it (server/src/sql/test-pg.ts).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startPgCluster, type PgCluster } from '../../server/src/sql/pg-cluster.js';

let cluster: PgCluster | undefined;

declare module 'vitest' {
  export interface ProvidedContext {
    /** postgres:// URL of the run's throwaway cluster's admin database. */
    pgAdminUrl: string;
  }
}

export async function setup(project: TestProject): Promise<void> {
  cluster = await startPgCluster({ dataDir: mkdtempSync(join(tmpdir(), 'nongbao-test-pg-')), removeOnStop: true });
  project.provide('pgAdminUrl', cluster.url('postgres'));
}

export async function teardown(): Promise<void> {
  cluster?.stop();
}
