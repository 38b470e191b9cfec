// A device simulator as a separate process (issue #4 §5), controlled over its
// stdin/stdout with one JSON line per command and per reply. The parent side
// (`SimulatorProcess`) and the child side (`serveControl`) live together so
// the line format is defined once.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';
import { DeviceError, DeviceErrorCode } from './errors.js';
import type { ByteLink } from './link.js';

/** A simulator command answers at once; this bounds a hung or dead child. */
export const SIMULATOR_COMMAND_TIMEOUT_MS = 5_000;
/** The child must open its port and print its ready line within this (tsx compiles it first: seconds on a busy machine). */
export const SIMULATOR_START_TIMEOUT_MS = 45_000;
/**
 * The simulator's scheduling priority (nice -10, ahead of the software under
 * test): a real device answers from its own silicon within its protocol's
 * deadline (ESC/POS status 500 ms, ccTalk 100 ms between bytes); a starved
 * simulator process on a busy machine would not, and the test would measure
 * the machine rather than the driver.
 */
const SIMULATOR_PRIORITY = -10;
/** Commands outstanding at once. */
export const SIMULATOR_PENDING_LIMIT = 16;
/** Control lines longer than this are ignored. */
export const SIMULATOR_MAX_LINE_CHARS = 4_096;

export interface ControlRequest {
  id: number;
  op: string;
  args: unknown[];
}
export type ControlReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

export class SimulatorProcess {
  readonly #child: ChildProcess;
  #nextId = 1;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();

  private constructor(child: ChildProcess) {
    this.#child = child;
  }

  /** Starts `node --import tsx <mainPath> <args>` and waits for its `{"ready":true}` line. */
  static async start(mainPath: string, args: string[], options: { stderr?: 'inherit' | 'ignore' } = {}): Promise<SimulatorProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', mainPath, ...args], { stdio: ['pipe', 'pipe', options.stderr ?? 'ignore'] });
    try {
      setPriority(child.pid!, SIMULATOR_PRIORITY);
    } catch {
      // Not allowed here (no CAP_SYS_NICE, not root): the simulator runs at the normal priority.
    }
    const sim = new SimulatorProcess(child);
    const lines = createInterface({ input: child.stdout! });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new DeviceError(DeviceErrorCode.timeout, `simulator ${mainPath} not ready in ${SIMULATOR_START_TIMEOUT_MS} ms`));
      }, SIMULATOR_START_TIMEOUT_MS);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new DeviceError(DeviceErrorCode.linkClosed, `simulator exited with ${code} before ready`));
      });
      lines.on('line', (line) => {
        if (line.length > SIMULATOR_MAX_LINE_CHARS * 64) return;
        let message: { ready?: boolean } & Partial<ControlReply>;
        try {
          message = JSON.parse(line) as typeof message;
        } catch {
          return;
        }
        if (message.ready) {
          clearTimeout(timer);
          resolve();
        } else if (typeof message.id === 'number') sim.#settle(message as ControlReply);
      });
    });
    child.on('exit', () => {
      for (const [id, waiter] of sim.#pending) {
        clearTimeout(waiter.timer);
        waiter.reject(new DeviceError(DeviceErrorCode.linkClosed, 'simulator process exited'));
        sim.#pending.delete(id);
      }
    });
    return sim;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  #settle(reply: ControlReply): void {
    const waiter = this.#pending.get(reply.id);
    if (!waiter) return;
    this.#pending.delete(reply.id);
    clearTimeout(waiter.timer);
    if (reply.ok) waiter.resolve(reply.result);
    else waiter.reject(new DeviceError(DeviceErrorCode.invalidArgument, reply.error));
  }

  call(op: string, ...args: unknown[]): Promise<unknown> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) {
      return Promise.reject(new DeviceError(DeviceErrorCode.linkClosed, 'simulator process has exited'));
    }
    if (this.#pending.size >= SIMULATOR_PENDING_LIMIT) {
      return Promise.reject(new DeviceError(DeviceErrorCode.queueFull, `${SIMULATOR_PENDING_LIMIT} simulator commands pending`));
    }
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new DeviceError(DeviceErrorCode.timeout, `simulator command ${op} unanswered in ${SIMULATOR_COMMAND_TIMEOUT_MS} ms`));
      }, SIMULATOR_COMMAND_TIMEOUT_MS);
      this.#pending.set(id, { resolve, reject, timer });
      this.#child.stdin!.write(`${JSON.stringify({ id, op, args } satisfies ControlRequest)}\n`);
    });
  }

  /** SIGTERM, then wait for exit. */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.#child.kill('SIGTERM');
    await exited;
  }
}

/** Child side: answers control lines on stdin with `run`, then prints the ready line. */
export function serveControl(run: (op: string, args: unknown[]) => Promise<unknown>): void {
  const stdin = createInterface({ input: process.stdin });
  stdin.on('line', (line) => {
    if (line.length > SIMULATOR_MAX_LINE_CHARS) return;
    let request: ControlRequest;
    try {
      request = JSON.parse(line) as ControlRequest;
    } catch {
      return;
    }
    if (typeof request?.id !== 'number' || typeof request.op !== 'string') return;
    run(request.op, Array.isArray(request.args) ? request.args : [])
      .then((result): ControlReply => ({ id: request.id, ok: true, result: result ?? null }))
      .catch((error: unknown): ControlReply => ({ id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) }))
      .then((reply) => process.stdout.write(`${JSON.stringify(reply)}\n`));
  });
  process.stdout.write(`${JSON.stringify({ ready: true, pid: process.pid })}\n`);
}

/** Runs a `<delayMs> <op> [args...]` script, one step per line, `#` for comments. */
export async function runScript(text: string, run: (op: string, args: string[]) => Promise<unknown>, onStep: (step: string, outcome: unknown) => void): Promise<void> {
  const steps = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#') && l.length <= SIMULATOR_MAX_LINE_CHARS);
  for (const step of steps) {
    const [delay, op = '', ...args] = step.split(/\s+/);
    await new Promise((resolve) => setTimeout(resolve, Number(delay) || 0));
    try {
      onStep(step, await run(op, args));
    } catch (error) {
      onStep(step, error);
    }
  }
}

/**
 * The child side's life, shared by every simulator process: exit when the
 * serial port closes (the test killed socat: "unplug") or on SIGTERM, answer
 * control requests on stdin, and play a script file if one was given.
 */
export async function serveSimulator(options: {
  link: ByteLink;
  stop: () => void;
  log: Logger;
  run: (op: string, args: unknown[]) => Promise<unknown>;
  scriptPath?: string | undefined;
}): Promise<void> {
  options.link.onClose((reason) => {
    options.log.warn({ reason }, 'port closed; simulator exits');
    process.exit(0);
  });
  process.on('SIGTERM', () => {
    options.stop();
    void options.link.close().finally(() => process.exit(0));
  });
  serveControl(options.run);
  if (options.scriptPath) {
    await runScript(readFileSync(options.scriptPath, 'utf8'), options.run, (step, outcome) =>
      options.log.info(
        { step, outcome: outcome instanceof Error ? outcome.message : typeof outcome === 'string' ? outcome.slice(0, 80) : outcome },
        'script step',
      ),
    );
  }
}
