// Crash points (issue 11 section 7: "kill -9 ... at every step"). CHAOS ONLY:
// used by the chaos run's own server and terminal processes (entries.ts),
// never by `nongbao server` or `nongbao terminal`.
//
// A step of a payment is a log line (payment.note_journaled, bill.routed,
// gateway.batch_committed, ...). The harness arms a crash point over the
// process's stdin; the process's log destination writes each line to stdout
// synchronously and, when the armed line has just been written, sends itself
// SIGKILL. The kill lands at that exact line of code, in the same turn of the
// event loop, which no outside observer could do: the gateway receives,
// commits and answers a batch in one turn.
import { writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';
import { z } from 'zod';

export const crashPointSchema = z
  .object({
    /** The `event` field of the log line to die at. */
    event: z.string().min(1).max(64),
    /** Other fields the line must have, with these values (e.g. { terminalId, name }). */
    match: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
    /** Die at the nth matching line after arming (1 = the first). */
    nth: z.number().int().min(1).max(1000).default(1),
  })
  .strict();
export type CrashPoint = z.infer<typeof crashPointSchema>;

const controlSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('arm'), point: crashPointSchema }).strict(),
  z.object({ op: z.literal('disarm') }).strict(),
]);
export type CrashControl = z.input<typeof controlSchema>;

/** Control lines longer than this are ignored. */
const CONTROL_LINE_LIMIT_CHARS = 4_096;
/** How long to wait before writing again to a full stdout pipe. */
const STDOUT_FULL_WAIT_MS = 5;

export class CrashPoints {
  private armed: { point: CrashPoint; seen: number } | null = null;

  arm(point: CrashPoint): void {
    this.armed = { point, seen: 0 };
  }

  disarm(): void {
    this.armed = null;
  }

  /** True when `line` (one JSON log line) is the one to die at. */
  hit(line: string): boolean {
    const armed = this.armed;
    if (!armed || !line.includes(armed.point.event)) return false;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return false;
    }
    if (record['event'] !== armed.point.event) return false;
    for (const [key, value] of Object.entries(armed.point.match)) if (record[key] !== value) return false;
    armed.seen += 1;
    return armed.seen === armed.point.nth;
  }
}

/** Writes all of `text` to stdout now; a full pipe (EAGAIN) is waited out, a few ms at a time. */
function writeStdoutNow(text: string): void {
  let bytes = Buffer.from(text);
  while (bytes.length > 0) {
    try {
      bytes = bytes.subarray(writeSync(1, bytes));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, STDOUT_FULL_WAIT_MS);
    }
  }
}

/**
 * A pino destination: every line to stdout synchronously (it is in the pipe
 * before the process can die), then SIGKILL when it is the armed step.
 */
export function crashPointDestination(
  points: CrashPoints,
  io: { write: (text: string) => void; kill: () => void } = { write: writeStdoutNow, kill: () => process.kill(process.pid, 'SIGKILL') },
): { write(line: string): void } {
  return {
    write(line: string): void {
      io.write(line);
      if (!points.hit(line)) return;
      io.write(`${JSON.stringify({ level: 50, time: Date.now(), pid: process.pid, event: 'chaos.crash', at: line.slice(0, 500) })}\n`);
      io.kill();
    },
  };
}

/**
 * Reads control lines on stdin (`{"op":"arm","point":{...}}`, `{"op":"disarm"}`)
 * and confirms each with a log line. `onClosed` runs when stdin ends: the
 * harness is gone, and the process should stop rather than linger.
 */
export function serveCrashControl(points: CrashPoints, logger: Logger, onClosed: () => void): { close(): void } {
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line.length > CONTROL_LINE_LIMIT_CHARS) return;
    let parsed: z.infer<typeof controlSchema>;
    try {
      parsed = controlSchema.parse(JSON.parse(line));
    } catch (error) {
      logger.warn({ event: 'chaos.control_refused', detail: String(error).slice(0, 200) });
      return;
    }
    if (parsed.op === 'arm') {
      points.arm(parsed.point);
      logger.info({ event: 'chaos.armed', point: parsed.point });
    } else {
      points.disarm();
      logger.info({ event: 'chaos.disarmed' });
    }
  });
  lines.on('close', onClosed);
  // Reading stdin keeps the process alive: a clean stop lets go of it.
  return {
    close: () => {
      lines.close();
      process.stdin.destroy();
    },
  };
}
