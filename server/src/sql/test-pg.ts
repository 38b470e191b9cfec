// Test support: a fresh PostgreSQL database in the run's throwaway cluster
// (tests/src/pg-global-setup.ts), one per call, dropped with the cluster.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { PgDatabase } from './pg-database.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** postgres:// URL of the run's throwaway cluster's admin database (tests/src/pg-global-setup.ts). */
    pgAdminUrl: string;
  }
}

export function freshPgDatabase(prefix = 'test'): PgDatabase {
  return new PgDatabase(freshPgDatabaseUrl(prefix));
}

/** The URL of a fresh database (for a process or a client of its own). */
export function freshPgDatabaseUrl(prefix = 'test'): string {
  const adminUrl = inject('pgAdminUrl');
  const name = `${prefix.replace(/[^a-z0-9_]/g, '_').slice(0, 30)}_${randomBytes(6).toString('hex')}`;
  const admin = new PgDatabase(adminUrl);
  try {
    admin.exec(`CREATE DATABASE ${name}`);
  } finally {
    admin.close();
  }
  return adminUrl.replace(/\/postgres$/, `/${name}`);
}
