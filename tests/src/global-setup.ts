// vitest globalSetup: makes sure the real pcscd daemon runs for the suite.
// Started here when no pcscd is running, and stopped by its pid afterwards;
// one already running (a developer's) is left alone. A missing pcscd fails
// the suite: the card tests must not silently skip.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const PCSCD = '/usr/sbin/pcscd';
const PCSCD_SOCKET = '/run/pcscd/pcscd.comm';
const PCSCD_READY_TIMEOUT_MS = 15_000;

function pcscdRunning(): boolean {
  try {
    execFileSync('pidof', ['pcscd'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let started: ChildProcess | undefined;

export async function setup(): Promise<void> {
  if (!existsSync(PCSCD)) {
    throw new Error(`${PCSCD} is missing: run "npm run setup" (scripts/ensure-system-deps.sh installs pcscd and vsmartcard-vpcd)`);
  }
  if (pcscdRunning()) return;
  started = spawn(PCSCD, ['-f'], { stdio: 'ignore' });
  const deadline = Date.now() + PCSCD_READY_TIMEOUT_MS;
  while (!existsSync(PCSCD_SOCKET)) {
    if (started.exitCode !== null) throw new Error(`pcscd exited at start with code ${started.exitCode}`);
    if (Date.now() > deadline) throw new Error(`pcscd not ready after ${PCSCD_READY_TIMEOUT_MS} ms`);
    await sleep(50);
  }
}

export async function teardown(): Promise<void> {
  if (started && started.exitCode === null) {
    started.kill('SIGTERM');
    await new Promise((resolve) => started!.once('exit', resolve));
  }
}
