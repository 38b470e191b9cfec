// A lock shared by every process on this machine, for tests that need a
// machine-wide resource: the one pcscd daemon and vpcd's fixed ports
// (127.0.0.1:35963/35964). vitest runs test files in parallel forks, so two
// files inserting virtual cards at once would see each other's cards.
import { mkdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const LOCK_POLL_MS = 50;
const LOCK_WAIT_LIMIT_MS = 10 * 60_000;

function holderAlive(dir: string): boolean {
  try {
    const pid = Number(readFileSync(`${dir}/pid`, 'utf8'));
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Takes the named lock, waiting for another holder; returns the release function. */
export async function acquireMachineLock(name: string): Promise<() => void> {
  const dir = `/tmp/nongbao-lock-${name}`;
  const deadline = Date.now() + LOCK_WAIT_LIMIT_MS;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(`${dir}/pid`, String(process.pid));
      return () => rmSync(dir, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A holder that died without releasing (killed test run) leaves the
      // folder behind; a pid file that names no live process frees it.
      await sleep(LOCK_POLL_MS);
      if (!holderAlive(dir)) {
        await sleep(LOCK_POLL_MS);
        if (!holderAlive(dir)) rmSync(dir, { recursive: true, force: true });
      }
      if (Date.now() > deadline) throw new Error(`machine lock ${name} not free after ${LOCK_WAIT_LIMIT_MS} ms`);
    }
  }
}
