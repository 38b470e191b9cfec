// A closed PostgreSQL connection must not crash the process when it is
// garbage-collected before the event loop turns (pg-database.ts `closing`):
// libuv aborted the vitest worker that way ("Worker exited unexpectedly").
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, inject, it } from 'vitest';

const SCRIPT = resolve(import.meta.dirname, 'test-support/close-under-gc.ts');
/** Starting node with tsx and 200 connections take a few seconds; a loaded machine more. */
const CHILD_TIMEOUT_MS = 60_000;

describe('closing PostgreSQL connections', () => {
  it('survives closes followed at once by garbage collection, and exits cleanly', () => {
    const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', SCRIPT, inject('pgAdminUrl')], { encoding: 'utf8', timeout: CHILD_TIMEOUT_MS });
    expect({ status: child.status, signal: child.signal, stderr: child.stderr.trim(), stdout: child.stdout.trim() }).toEqual({ status: 0, signal: null, stderr: '', stdout: 'closed 200' });
  }, CHILD_TIMEOUT_MS + 10_000);
});
