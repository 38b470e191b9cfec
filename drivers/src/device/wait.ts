// Deadlines and cancellation for device commands (contract rule 2): every wait
// is bounded by a named timeout in ms and may be canceled by the caller's
// AbortSignal; both end as a DeviceError with the matching completion code.
import { DeviceError, DeviceErrorCode } from './errors.js';

/**
 * Runs `work` with a signal that aborts on the deadline or on the caller's
 * signal; rejects with DeviceError `timeout` or `canceled` accordingly, even if
 * `work` ignores its signal.
 */
export async function withDeadline<T>(
  what: string,
  timeoutMs: number,
  outer: AbortSignal | undefined,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new DeviceError(DeviceErrorCode.invalidArgument, `${what}: timeoutMs must be a positive number, got ${timeoutMs}`);
  }
  if (outer?.aborted) throw new DeviceError(DeviceErrorCode.canceled, `${what}: canceled before start`);
  const controller = new AbortController();
  let rejectAbort!: (error: DeviceError) => void;
  const aborted = new Promise<never>((_, reject) => {
    rejectAbort = reject;
  });
  const timer = setTimeout(() => {
    const error = new DeviceError(DeviceErrorCode.timeout, `${what}: no answer within ${timeoutMs} ms`, 'retry');
    controller.abort(error);
    rejectAbort(error);
  }, timeoutMs);
  const onOuterAbort = (): void => {
    const error = new DeviceError(DeviceErrorCode.canceled, `${what}: canceled`);
    controller.abort(error);
    rejectAbort(error);
  };
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  try {
    const running = work(controller.signal);
    // The losing promise must not surface as an unhandled rejection.
    running.catch(() => undefined);
    aborted.catch(() => undefined);
    return await Promise.race([running, aborted]);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuterAbort);
  }
}

/** A sleep that ends early (resolving false) when the signal aborts. */
export function sleepUnlessAborted(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
