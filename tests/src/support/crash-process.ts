// The parent's side of a crash-test child process (crash-log.ts): starts a
// TypeScript entry under tsx as its own process, reads its `ready <url>`
// line, arms a crash point over its stdin, and waits for the SIGKILL it
// sends itself.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { REPO_ROOT } from './demo-process.js';
import type { CrashPoint } from './crash-log.js';

const START_TIMEOUT_MS = 60_000;
const ARM_TIMEOUT_MS = 5_000;
const EXIT_TIMEOUT_MS = 30_000;

export interface CrashProcess {
  url: string;
  child: ChildProcess;
  /** Dies with SIGKILL right after it logs `point`. */
  arm(point: CrashPoint): Promise<void>;
  /** Resolves with the signal that ended it (SIGKILL for a crash point). */
  exited(timeoutMs?: number): Promise<NodeJS.Signals | null>;
  /** Closes its stdin (it stops by itself) and waits; SIGKILL if it lingers. */
  stop(): Promise<void>;
  /** Its log so far (JSON lines). */
  log(): string;
}

function waitFor(what: string, output: () => string, pattern: RegExp, child: ChildProcess, timeoutMs: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`${what} not seen within ${timeoutMs} ms; output: ${output().slice(-2000)}`)), timeoutMs);
    const check = () => {
      const m = pattern.exec(output());
      if (m) done(null, m);
    };
    const exit = () => done(new Error(`the process exited before ${what}; output: ${output().slice(-2000)}`));
    function done(error: Error | null, m?: RegExpExecArray) {
      clearTimeout(timer);
      child.stdout!.off('data', check);
      child.off('exit', exit);
      if (error) reject(error);
      else resolve(m!);
    }
    child.stdout!.on('data', check);
    child.once('exit', exit);
    check();
  });
}

export async function startCrashProcess(entry: string, args: string[], logPath: string): Promise<CrashProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  const ready = await waitFor('ready', () => output, /^ready (\S+)$/m, child, START_TIMEOUT_MS);
  let arms = 0;
  return {
    url: ready[1]!,
    child,
    arm: async (point) => {
      arms += 1;
      child.stdin!.write(`arm ${JSON.stringify(point)}\n`);
      // The nth confirmation line is this arming's.
      await waitFor(`armed ${point.event}`, () => output.split('\n').filter((l) => l.startsWith('armed ')).slice(arms - 1).join('\n'), /^armed /m, child, ARM_TIMEOUT_MS);
    },
    exited: async (timeoutMs = EXIT_TIMEOUT_MS) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_r, reject) => (timer = setTimeout(() => reject(new Error(`still running after ${timeoutMs} ms`)), timeoutMs)));
      try {
        return await Promise.race([exit, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_TIMEOUT_MS);
      await exit;
      clearTimeout(timer);
    },
    log: () => readFileSync(logPath, 'utf8'),
  };
}
