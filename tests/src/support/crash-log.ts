// Crash points for a test's child process (issue 13 section 4: "kill -9 mid-
// collection"). A step of the code under test is a log line (event
// `collection.journaled`, `gateway.batch_committed`, ...). The parent arms a
// point over the child's stdin; the child's log destination writes every
// line to its log file synchronously and, right after writing the armed one,
// sends itself SIGKILL: the kill lands at that line of code, in the same turn
// of the event loop, which no outside observer could time.
//
// Control lines on stdin: `arm {"event": "...", "match": {"name": "..."}}`;
// each is confirmed on stdout with `armed <event>`.
import { openSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';

export interface CrashPoint {
  event: string;
  /** Other fields the line must have, with these values. */
  match?: Record<string, string | number | boolean>;
}

export class CrashLog {
  private armed: CrashPoint | null = null;
  private readonly fd: number;

  constructor(logPath: string) {
    this.fd = openSync(logPath, 'a', 0o600);
  }

  /** A pino destination: the line is on disk before the process may die. */
  readonly destination = {
    write: (line: string): void => {
      writeSync(this.fd, line);
      if (!this.hit(line)) return;
      writeSync(this.fd, `${JSON.stringify({ event: 'test.crash', at: line.slice(0, 300) })}\n`);
      process.kill(process.pid, 'SIGKILL');
    },
  };

  private hit(line: string): boolean {
    const point = this.armed;
    if (!point || !line.includes(point.event)) return false;
    const record = JSON.parse(line) as Record<string, unknown>;
    if (record['event'] !== point.event) return false;
    return Object.entries(point.match ?? {}).every(([key, value]) => record[key] === value);
  }

  /** Reads `arm` lines from stdin; `onClosed` when the parent is gone. */
  serve(onClosed: () => void): void {
    const lines = createInterface({ input: process.stdin });
    lines.on('line', (line) => {
      if (!line.startsWith('arm ')) return;
      this.armed = JSON.parse(line.slice(4)) as CrashPoint;
      process.stdout.write(`armed ${this.armed.event}\n`);
    });
    lines.on('close', onClosed);
  }
}
