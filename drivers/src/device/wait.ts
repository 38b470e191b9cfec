// The one deadline helper of every driver (issue 13 section 1; STYLE.md
// "three ways to wait with a deadline: one of each, shared"). Every wait is
// bounded by a named timeout in ms and may be canceled by the caller's
// AbortSignal; each layer says which of its errors a timeout and a
// cancellation become (DeviceError by default, CardError for the card).
import { DeviceError, DeviceErrorCode } from './errors.js';

/** The errors a layer raises when a deadline passes or the caller cancels. */
export interface DeadlineErrors {
  timeout(what: string, timeoutMs: number): Error;
  canceled(what: string): Error;
  invalidTimeout(what: string, timeoutMs: number): Error;
}

/** The device layer's: DeviceError `timeout` / `canceled` with their completion codes. */
export const DEVICE_DEADLINE_ERRORS: DeadlineErrors = {
  timeout: (what, timeoutMs) => new DeviceError(DeviceErrorCode.timeout, `${what}: no answer within ${timeoutMs} ms`, 'retry'),
  canceled: (what) => new DeviceError(DeviceErrorCode.canceled, `${what}: canceled`),
  invalidTimeout: (what, timeoutMs) => new DeviceError(DeviceErrorCode.invalidArgument, `${what}: timeoutMs must be a positive number, got ${timeoutMs}`),
};

/**
 * Runs `work` with a signal that aborts on the deadline or on the caller's
 * signal; rejects with the layer's timeout or canceled error accordingly,
 * even if `work` ignores its signal.
 */
export async function withDeadline<T>(
  what: string,
  timeoutMs: number,
  outer: AbortSignal | undefined,
  work: (signal: AbortSignal) => Promise<T>,
  errors: DeadlineErrors = DEVICE_DEADLINE_ERRORS,
): Promise<T> {
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw errors.invalidTimeout(what, timeoutMs);
  if (outer?.aborted) throw errors.canceled(what);
  const controller = new AbortController();
  let rejectAbort!: (error: Error) => void;
  const aborted = new Promise<never>((_, reject) => {
    rejectAbort = reject;
  });
  const timer = setTimeout(() => {
    const error = errors.timeout(what, timeoutMs);
    controller.abort(error);
    rejectAbort(error);
  }, timeoutMs);
  const onOuterAbort = (): void => {
    const error = errors.canceled(what);
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
