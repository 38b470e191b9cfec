// vitest globalSetup: makes sure the real pcscd daemon runs for the suite
// (issue #3 §4: the card path is tested through the real PC/SC stack).
// Started here (`pcscd -f`) when none is running (`pidof pcscd`), and stopped
// by its pid at teardown; one already running (a developer's or the system's)
// is left alone. A missing pcscd fails the suite, in CI and outside it: the
// card tests must never silently skip.
//
// Several vitest runs may share this machine (engineers in parallel), so the
// daemon one run started is shared: each run registers in PCSCD_USERS_DIR,
// and the last run out stops the pcscd named in OWNED_PCSCD_PID_FILE. The
// pcscd-restart test (tests/src/card/) replaces that daemon and rewrites the
// file, so teardown stops whichever one is current. Setup and teardown
// bodies run under the 'pcscd-lifecycle' machine lock.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { acquireMachineLock } from './support/machine-lock.js';
import { setTimeout as sleep } from 'node:timers/promises';

export const PCSCD = '/usr/sbin/pcscd';
export const PCSCD_SOCKET = '/run/pcscd/pcscd.comm';
export const VPCD_DRIVER = '/usr/lib/pcsc/drivers/serial/libifdvpcd.so';
export const OWNED_PCSCD_PID_FILE = '/tmp/nongbao-pcscd-owned.pid';
export const PCSCD_USERS_DIR = '/tmp/nongbao-pcscd-users';
const VPCD_PORT = 35963;
const PCSCD_READY_TIMEOUT_MS = 15_000;
const PCSCD_STOP_TIMEOUT_MS = 5_000;
const POLL_MS = 50;

export function pcscdPids(): number[] {
  try {
    return execFileSync('pidof', ['pcscd'], { encoding: 'utf8' }).trim().split(/\s+/).map(Number).filter((n) => n > 0);
  } catch {
    return [];
  }
}

/** Is a TCP port in LISTEN state on this machine (read from /proc, without connecting: a connect to vpcd is a card insertion). */
export function tcpListening(port: number): boolean {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[1]?.endsWith(`:${hexPort}`) && cols[3] === '0A') return true;
    }
  }
  return false;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts `pcscd -f` detached and waits until its socket is fresh and vpcd listens. Returns the pid. */
export async function startPcscd(): Promise<number> {
  const startedAt = Date.now();
  const child = spawn(PCSCD, ['-f'], { stdio: 'ignore', detached: true });
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not spawn ${PCSCD}`);
  let exitCode: number | null = null;
  child.once('exit', (code) => (exitCode = code ?? -1));
  const deadline = Date.now() + PCSCD_READY_TIMEOUT_MS;
  const needVpcd = existsSync(VPCD_DRIVER);
  for (;;) {
    if (exitCode !== null) throw new Error(`pcscd exited at start with code ${exitCode} (another pcscd running, or not root?)`);
    // A socket left by a killed pcscd exists already: wait for a fresh one.
    const socketFresh = existsSync(PCSCD_SOCKET) && statSync(PCSCD_SOCKET).mtimeMs >= startedAt - 1_000;
    if (socketFresh && (!needVpcd || tcpListening(VPCD_PORT))) return pid;
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGTERM');
      throw new Error(`pcscd not ready after ${PCSCD_READY_TIMEOUT_MS} ms`);
    }
    await sleep(POLL_MS);
  }
}

export async function stopPcscd(pid: number): Promise<void> {
  if (!alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + PCSCD_STOP_TIMEOUT_MS;
  while (alive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      break;
    }
    await sleep(POLL_MS);
  }
}

function liveUsers(): number[] {
  if (!existsSync(PCSCD_USERS_DIR)) return [];
  return readdirSync(PCSCD_USERS_DIR)
    .map(Number)
    .filter((pid) => {
      if (pid === process.pid || alive(pid)) return true;
      rmSync(`${PCSCD_USERS_DIR}/${pid}`, { force: true }); // a run that died without teardown
      return false;
    });
}

export async function setup(): Promise<void> {
  if (!existsSync(PCSCD)) {
    const where = process.env.CI === 'true' ? 'CI' : 'this machine';
    throw new Error(
      `${PCSCD} is missing on ${where}: install it with "npm run setup" (or apt-get install pcscd vsmartcard-vpcd pcsc-tools opensc); the card tests do not skip`,
    );
  }
  const release = await acquireMachineLock('pcscd-lifecycle');
  try {
    mkdirSync(PCSCD_USERS_DIR, { recursive: true });
    writeFileSync(`${PCSCD_USERS_DIR}/${process.pid}`, '');
    if (pcscdPids().length > 0) return;
    const pid = await startPcscd();
    writeFileSync(OWNED_PCSCD_PID_FILE, String(pid));
  } finally {
    release();
  }
}

export async function teardown(): Promise<void> {
  const release = await acquireMachineLock('pcscd-lifecycle');
  try {
    rmSync(`${PCSCD_USERS_DIR}/${process.pid}`, { force: true });
    if (liveUsers().length > 0 || !existsSync(OWNED_PCSCD_PID_FILE)) return;
    const pid = Number(readFileSync(OWNED_PCSCD_PID_FILE, 'utf8'));
    rmSync(OWNED_PCSCD_PID_FILE, { force: true });
    if (Number.isInteger(pid) && pid > 0 && pcscdPids().includes(pid)) await stopPcscd(pid);
  } finally {
    release();
  }
}
