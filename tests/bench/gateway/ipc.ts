// Parent <-> child messaging for the gateway benchmarks: the server and the
// simulated terminals run in processes of their own, so that each one's
// memory and CPU are its own. Requests carry an id and get one reply; a child
// may also send events (`{ event: ... }`) unasked, such as "listening".
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');
/** How long a child may take to answer one request (a fill of 50 000 events, 10 000 connections). */
export const CHILD_REQUEST_TIMEOUT_MS = 300_000;
/** How long a child may take to exit after it was told to stop. */
const CHILD_EXIT_TIMEOUT_MS = 20_000;
/**
 * The server's V8 settings, as `nongbao server` runs (bin/nongbao.mjs), plus
 * --expose-gc so that memory is read after a full collection.
 */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=32', '--expose-gc'];

/** NONGBAO_BENCH_PROFILE_DIR=dir: every child writes a V8 CPU profile there (open it in Chrome's DevTools). */
function profileFlags(): string[] {
  const dir = process.env.NONGBAO_BENCH_PROFILE_DIR;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };
type ChildEvent = { event: string } & Record<string, unknown>;

export interface ChildHandle {
  readonly child: ChildProcess;
  /** Wall-clock ms when the process was spawned. */
  readonly spawnedAtMs: number;
  ask<T>(command: string, payload?: Record<string, unknown>): Promise<T>;
  /** The next event of this name (or one that came before anyone waited). */
  event<T extends ChildEvent>(name: string): Promise<T>;
  /** Asks the child to stop, then waits for it (SIGKILL after CHILD_EXIT_TIMEOUT_MS). */
  stop(): Promise<void>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** Runs `script` (TypeScript, through tsx) with an IPC channel; its `config` is in a file (10 000 keys are too long for argv) it reads with `childConfig`. */
export function spawnChild(script: string, config: unknown, nodeFlags: string[] = []): ChildHandle {
  const configDir = mkdtempSync(join(tmpdir(), 'nongbao-bench-child-'));
  const configPath = join(configDir, 'config.json');
  writeFileSync(configPath, JSON.stringify(config), { mode: 0o600 });
  const child = spawn(process.execPath, [...nodeFlags, ...profileFlags(), '--import', 'tsx', resolve(import.meta.dirname, script), configPath], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child.once('exit', () => rmSync(configDir, { recursive: true, force: true }));
  const spawnedAtMs = Date.now();
  let nextId = 1;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  const events: ChildEvent[] = [];
  const eventWaiters: { name: string; resolve: (e: ChildEvent) => void }[] = [];
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.on('message', (raw: Reply | ChildEvent) => {
    if ('event' in raw) {
      const at = eventWaiters.findIndex((w) => w.name === raw.event);
      if (at >= 0) eventWaiters.splice(at, 1)[0]!.resolve(raw);
      else events.push(raw);
      return;
    }
    const w = waiting.get(raw.id);
    if (!w) return;
    waiting.delete(raw.id);
    clearTimeout(w.timer);
    if (raw.ok) w.resolve(raw.result);
    else w.reject(new Error(`${script}: ${raw.error}`));
  });
  child.once('exit', (code, signal) => {
    for (const w of waiting.values()) {
      clearTimeout(w.timer);
      w.reject(new Error(`${script} exited (${code ?? signal}) before answering`));
    }
    waiting.clear();
  });
  const ask = <T>(command: string, payload: Record<string, unknown> = {}): Promise<T> =>
    new Promise<T>((resolveReply, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`${script}: no answer to ${command} within ${CHILD_REQUEST_TIMEOUT_MS} ms`));
      }, CHILD_REQUEST_TIMEOUT_MS);
      waiting.set(id, { resolve: resolveReply as (v: unknown) => void, reject, timer });
      child.send({ id, command, ...payload });
    });
  const kill = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    child,
    spawnedAtMs,
    ask,
    event: <T extends ChildEvent>(name: string) => {
      const at = events.findIndex((e) => e.event === name);
      if (at >= 0) return Promise.resolve(events.splice(at, 1)[0] as T);
      return new Promise<T>((r) => eventWaiters.push({ name, resolve: r as (e: ChildEvent) => void }));
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_EXIT_TIMEOUT_MS);
      child.send({ id: 0, command: 'stop' });
      await exited;
      clearTimeout(timer);
    },
    kill,
  };
}

/** The config the parent gave this child process. */
export function childConfig<T>(): T {
  return JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as T;
}

type Handler = (request: Record<string, unknown>) => Promise<unknown> | unknown;

/** The child's side: answers each request with its handler; `stop` ends the process after `onStop`. */
export function serveParent(handlers: Record<string, Handler>, onStop: () => Promise<void> | void): void {
  process.on('message', (raw: { id: number; command: string } & Record<string, unknown>) => {
    if (raw.command === 'stop') {
      void Promise.resolve(onStop()).finally(() => process.exit(0));
      return;
    }
    const handler = handlers[raw.command];
    void (async () => {
      try {
        if (!handler) throw new Error(`unknown command ${raw.command}`);
        process.send!({ id: raw.id, ok: true, result: await handler(raw) });
      } catch (error) {
        process.send!({ id: raw.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      }
    })();
  });
  // The parent went away: nothing to serve.
  process.on('disconnect', () => process.exit(0));
}

export function tellParent(event: ChildEvent): void {
  process.send!(event);
}

/** Quantile of samples (nearest rank). */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
