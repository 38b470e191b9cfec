// A connected pseudo-terminal pair from socat (issue #4 §5):
//   socat -d -d pty,raw,echo=0,link=DIR/A pty,raw,echo=0,link=DIR/B
// The driver opens A, the simulator process opens B. Killing socat is the
// "unplug" fault.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** socat creates both links within a few ms; a loaded 2-core box gets much longer. */
export const PTY_START_TIMEOUT_MS = 10_000;
const PTY_POLL_MS = 10;

export interface PtyPair {
  host: string;
  device: string;
  /** Kill socat: both ends see a hangup. */
  unplug(): Promise<void>;
  dispose(): Promise<void>;
}

export async function openPtyPair(): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), 'nongbao-pty-'));
  const host = join(dir, 'A');
  const device = join(dir, 'B');
  const socat: ChildProcess = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${host}`, `pty,raw,echo=0,link=${device}`], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => socat.once('exit', () => resolve()));
  const deadline = Date.now() + PTY_START_TIMEOUT_MS;
  while (!(existsSync(host) && existsSync(device))) {
    if (socat.exitCode !== null || Date.now() > deadline) {
      socat.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`socat did not create ${host} and ${device} within ${PTY_START_TIMEOUT_MS} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, PTY_POLL_MS));
  }
  const unplug = async (): Promise<void> => {
    if (socat.exitCode === null && socat.signalCode === null) {
      socat.kill('SIGTERM');
      await exited;
    }
  };
  return {
    host,
    device,
    unplug,
    async dispose() {
      await unplug();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
