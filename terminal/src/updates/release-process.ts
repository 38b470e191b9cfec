// One running release: node started on its entry with the kiosk's
// arguments, an IPC channel to the supervisor, and a graceful stop (SIGTERM,
// then SIGKILL after CHILD_STOP_TIMEOUT_MS). Messages that do not fit their
// schema are logged and dropped.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { childMessageSchema, SUPERVISOR_ENV, type ChildMessage, type SupervisorMessage } from './ipc.js';
import type { KioskRoot } from './layout.js';

/** How long a release gets to stop after SIGTERM (the terminal closes its journal and devices). */
export const CHILD_STOP_TIMEOUT_MS = 10_000;
const ORPHAN_GONE_TIMEOUT_MS = 5_000;

export interface ReleaseLaunch {
  version: string;
  entry: string;
  trial: boolean;
  gatewayRequired: boolean;
}

export class ReleaseProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  onMessage: (message: ChildMessage) => void = () => undefined;

  constructor(
    readonly launch: ReleaseLaunch,
    root: KioskRoot,
    args: readonly string[],
    private readonly logger: Logger,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.child = spawn(process.execPath, [launch.entry, ...args], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: {
        ...env,
        [SUPERVISOR_ENV.root]: root.dir,
        [SUPERVISOR_ENV.version]: launch.version,
        [SUPERVISOR_ENV.trial]: launch.trial ? '1' : '0',
        [SUPERVISOR_ENV.gatewayRequired]: launch.gatewayRequired ? '1' : '0',
      },
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
    this.child.on('error', (error) => logger.error({ event: 'supervisor.child_error', version: launch.version, err: error }));
    this.child.on('message', (raw) => {
      const parsed = childMessageSchema.safeParse(raw);
      if (parsed.success) this.onMessage(parsed.data);
      else logger.warn({ event: 'supervisor.bad_message', version: launch.version });
    });
  }

  get pid(): number | null {
    return this.child.pid ?? null;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  send(message: SupervisorMessage): void {
    if (this.running && this.child.connected) this.child.send(message);
  }

  /** SIGTERM, then SIGKILL when it has not stopped in time. */
  async stop(timeoutMs = CHILD_STOP_TIMEOUT_MS): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
    if ((await Promise.race([this.exited, late])) === 'late') {
      this.logger.warn({ event: 'supervisor.child_killed', version: this.launch.version, timeoutMs });
      this.child.kill('SIGKILL');
      await this.exited;
    }
    clearTimeout(timer);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops a release left running by a supervisor that was killed, when one
 * is: only a process whose environment names this kiosk root (a reused pid
 * belongs to someone else and is left alone). Linux /proc.
 */
export async function reapOrphan(pid: number | null, root: KioskRoot, logger: Logger): Promise<void> {
  if (pid === null || pid === process.pid || !isAlive(pid)) return;
  let environ: string;
  try {
    environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return;
  }
  if (!environ.split('\0').includes(`${SUPERVISOR_ENV.root}=${root.dir}`)) return;
  logger.warn({ event: 'supervisor.orphan_killed', pid });
  process.kill(pid, 'SIGKILL');
  const deadline = Date.now() + ORPHAN_GONE_TIMEOUT_MS;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}
