// Runs `nongbao demo` as a child process, the way a person starts it, and
// reads the URLs it prints.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;

export interface DemoProcess {
  child: ChildProcess;
  kioskUrl: string;
  serverUrl: string;
  /** The office console, as the demo prints it (…/admin/). */
  consoleUrl: string;
  output: () => string;
  /**
   * Sends SIGINT (Ctrl-C) and resolves with the exit code. With a process
   * group of its own, SIGINT goes to the whole group, as Ctrl-C in a terminal
   * does: children the demo started (pcscd) get it too.
   */
  stop(): Promise<number | null>;
}

export interface DemoProcessOptions {
  /** Run the demo as the leader of its own process group (as a shell runs a foreground job). */
  ownProcessGroup?: boolean;
}

export async function startDemoProcess(args: string[], options: DemoProcessOptions = {}): Promise<DemoProcess> {
  const child = spawn(process.execPath, [resolve(REPO_ROOT, 'bin/nongbao.mjs'), 'demo', ...args], {
    cwd: REPO_ROOT,
    detached: options.ownProcessGroup === true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NONGBAO_LOG_LEVEL: 'debug' },
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const urls = await new Promise<{ kioskUrl: string; serverUrl: string; consoleUrl: string }>((resolveUrls, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo did not start within ${START_TIMEOUT_MS} ms:\n${output}`)), START_TIMEOUT_MS);
    const check = () => {
      const kiosk = /Kiosk UI \(open in a browser\): (http:\/\/\S+?)\/?\s/.exec(output);
      const server = /County server:\s+(http:\/\/\S+)/.exec(output);
      const office = /Office console:\s+(http:\/\/\S+)/.exec(output);
      if (kiosk && server && office) {
        clearTimeout(timer);
        resolveUrls({ kioskUrl: kiosk[1]!, serverUrl: server[1]!, consoleUrl: office[1]! });
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`demo exited with ${code} before starting:\n${output}`));
    });
  });
  return {
    child,
    ...urls,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null) return child.exitCode;
      if (options.ownProcessGroup) process.kill(-child.pid!, 'SIGINT');
      else child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** The kiosk's state as JSON: tests read it loosely and assert on what they need. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KioskStateJson = Record<string, any>;

/** Polls the kiosk's local API until `predicate` holds for its state. */
export async function waitForKioskState<T = KioskStateJson>(
  kioskUrl: string,
  predicate: (state: KioskStateJson) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: KioskStateJson = {};
  while (Date.now() < deadline) {
    last = (await (await fetch(`${kioskUrl}/api/state`)).json()) as KioskStateJson;
    if (predicate(last)) return last as T;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`kiosk state not reached within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}
