// The progress of the real run in progress, and of the last one (issue 14
// "Runs"): kept in memory by the process that runs it (one run at a time:
// runs/index.ts), served by GET /api/v1/runs/progress, which any browser can
// poll. A run that ended stays as `last` with its outcome, so a watcher that
// polls after the end still sees how it finished.
import type { RunPhase, RunProgressSink } from './run-log.js';

export interface RunProgress {
  kind: string;
  /** `payroll:2026-05`, `interest:2025`, ...; null for runs that settle whatever is pending. */
  runKey: string | null;
  startedBy: string | null;
  startedAt: string;
  phase: RunPhase | null;
  /** Persons the phase has looked at, and will look at in all (null when not counted beforehand). */
  donePersons: number;
  totalPersons: number | null;
  state: 'running' | 'finished' | 'failed';
  finishedAt: string | null;
  /** The error code of a failed run (`bank-account-missing`, ...). */
  errorCode: string | null;
}

export class RunProgressBoard {
  #running: RunProgress | undefined;
  #last: RunProgress | undefined;

  constructor(private readonly now: () => number) {}

  /** Starts tracking a real run; the returned sink is handed to it. */
  start(kind: string, runKey: string | null, startedBy: string | null): RunProgressSink {
    const progress: RunProgress = {
      kind,
      runKey,
      startedBy,
      startedAt: new Date(this.now()).toISOString(),
      phase: null,
      donePersons: 0,
      totalPersons: null,
      state: 'running',
      finishedAt: null,
      errorCode: null,
    };
    this.#running = progress;
    return {
      phase: (name, totalPersons) => {
        progress.phase = name;
        progress.donePersons = 0;
        progress.totalPersons = totalPersons;
      },
      advance: (persons) => {
        progress.donePersons += persons;
      },
    };
  }

  end(error?: unknown): void {
    const progress = this.#running;
    if (!progress) return;
    progress.state = error === undefined ? 'finished' : 'failed';
    progress.finishedAt = new Date(this.now()).toISOString();
    const code = (error as { code?: unknown } | undefined)?.code;
    progress.errorCode = error === undefined ? null : typeof code === 'string' ? code : 'run-failed';
    this.#running = undefined;
    this.#last = progress;
  }

  snapshot(): { running: RunProgress | null; last: RunProgress | null } {
    return { running: this.#running ? { ...this.#running } : null, last: this.#last ? { ...this.#last } : null };
  }
}
