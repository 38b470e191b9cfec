// The real processes of a chaos run (issue 11 section 7): the server, the
// terminals, socat pseudo-terminal pairs. Each child's JSON log lines (pino,
// one per line on stdout) are parsed, kept in a file under the run folder and
// offered to waiters; a kill is SIGKILL by pid, a stop is SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
const NONGBAO = join(REPO_ROOT, 'bin/nongbao.mjs');
/** A clean stop (SIGTERM) that takes longer than this ends with SIGKILL. */
export const PROCESS_STOP_TIMEOUT_MS = 15_000;
/** socat makes both links within milliseconds; a loaded 2-core machine takes longer. */
export const PTY_START_TIMEOUT_MS = 10_000;
const PTY_POLL_MS = 20;
/** Log lines kept in memory per process, for waiters that look back. */
const LOG_LINES_KEPT = 2_000;

export type LogLine = Record<string, unknown> & { event?: string };

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The environment for children: ours without NONGBAO_* settings, which would override their flags. */
function childEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('NONGBAO_')));
}

/** One child process whose stdout is pino JSON lines. */
export class ChaosProcess extends EventEmitter<{ line: [LogLine] }> {
  readonly exited: Promise<Exit>;
  private readonly recent: LogLine[] = [];

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    logFile: string,
  ) {
    super();
    this.setMaxListeners(100);
    this.exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
    const keep = (text: string) => appendFileSync(logFile, `${text}\n`);
    createInterface({ input: child.stdout! }).on('line', (text) => {
      keep(text);
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        return;
      }
      this.recent.push(line);
      if (this.recent.length > LOG_LINES_KEPT) this.recent.shift();
      this.emit('line', line);
    });
    createInterface({ input: child.stderr! }).on('line', (text) => keep(`# stderr: ${text}`));
    // A control line written as the child dies (killed at a step) fails with
    // EPIPE: the child is gone, and `exited` says so; not an error of the run.
    child.stdin!.on('error', () => undefined);
  }

  /** `node bin/nongbao.mjs <args>` with the flag the `nongbao` command's shebang gives node. */
  static spawnNongbao(name: string, args: string[], logDir: string): ChaosProcess {
    mkdirSync(logDir, { recursive: true });
    const child = spawn(process.execPath, ['--max-semi-space-size=32', NONGBAO, ...args], { cwd: REPO_ROOT, env: childEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    return new ChaosProcess(name, child, join(logDir, `${name}.log`));
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** A control line on the child's stdin (crash-point.ts). */
  send(message: unknown): void {
    if (this.running) this.child.stdin!.write(`${JSON.stringify(message)}\n`);
  }

  /**
   * The first log line from now on (or among the recent ones, with
   * `lookBack`) for which `predicate` holds. Rejects when the process exits
   * first or after `timeoutMs`.
   */
  waitFor(what: string, predicate: (line: LogLine) => boolean, timeoutMs: number, options: { lookBack?: boolean } = {}): Promise<LogLine> {
    const seen = options.lookBack ? this.recent.find(predicate) : undefined;
    if (seen) return Promise.resolve(seen);
    return new Promise((resolvePromise, reject) => {
      const onLine = (line: LogLine) => {
        if (!predicate(line)) return;
        done();
        resolvePromise(line);
      };
      // Unreferenced: a waiter nobody awaits any more must not keep the run's process alive.
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.name}: no ${what} within ${timeoutMs} ms`));
      }, timeoutMs).unref();
      const done = () => {
        clearTimeout(timer);
        this.off('line', onLine);
      };
      this.on('line', onLine);
      void this.exited.then((exit) => {
        done();
        reject(new ProcessExitedError(this.name, exit, what));
      });
    });
  }

  /** kill -9. */
  kill9(): void {
    if (this.running) process.kill(this.child.pid!, 'SIGKILL');
  }

  /** SIGTERM, then SIGKILL after PROCESS_STOP_TIMEOUT_MS. */
  async stop(): Promise<Exit> {
    if (!this.running) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.kill9(), PROCESS_STOP_TIMEOUT_MS);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }
}

export class ProcessExitedError extends Error {
  override readonly name = 'ProcessExitedError';
  constructor(
    readonly processName: string,
    readonly exit: Exit,
    what: string,
  ) {
    super(`${processName} exited (${exit.signal ?? `code ${exit.code}`}) while waiting for ${what}`);
  }
}

/** A connected pseudo-terminal pair (socat): the terminal opens `host`, the simulator `device`. */
export interface PtyPair {
  host: string;
  device: string;
  stop(): Promise<void>;
}

export async function openPtyPair(dir: string, name: string): Promise<PtyPair> {
  mkdirSync(dir, { recursive: true });
  const host = join(dir, `${name}-host`);
  const device = join(dir, `${name}-device`);
  const socat = spawn('socat', [`pty,raw,echo=0,link=${host}`, `pty,raw,echo=0,link=${device}`], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => socat.once('exit', () => r()));
  const deadline = Date.now() + PTY_START_TIMEOUT_MS;
  while (!(existsSync(host) && existsSync(device))) {
    if (socat.exitCode !== null || Date.now() > deadline) {
      socat.kill('SIGKILL');
      throw new Error(`socat did not make ${host} and ${device} within ${PTY_START_TIMEOUT_MS} ms (is socat installed?)`);
    }
    await sleep(PTY_POLL_MS);
  }
  return {
    host,
    device,
    stop: async () => {
      if (socat.exitCode !== null || socat.signalCode !== null) return;
      socat.kill('SIGTERM');
      await exited;
    },
  };
}

/** Runs `nongbao <args>` to its end; its exit code and output. */
export function runNongbao(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, ['--max-semi-space-size=32', NONGBAO, ...args], { cwd: REPO_ROOT, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

/** The first log line `source` emits from now on for which `predicate` holds, whichever life of the process writes it. */
export function waitForLine(source: EventEmitter<{ line: [LogLine] }>, what: string, predicate: (line: LogLine) => boolean, timeoutMs: number): Promise<LogLine> {
  return new Promise((resolvePromise, reject) => {
    const onLine = (line: LogLine) => {
      if (!predicate(line)) return;
      clearTimeout(timer);
      source.off('line', onLine);
      resolvePromise(line);
    };
    const timer = setTimeout(() => {
      source.off('line', onLine);
      reject(new Error(`no ${what} within ${timeoutMs} ms`));
    }, timeoutMs).unref();
    source.on('line', onLine);
  });
}

/** Runs `work` over `items`, `concurrency` at a time (processes that each take a core to start). */
export async function inTurns<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += concurrency) await Promise.all(items.slice(i, i + concurrency).map(work));
}
