// One error class for the device layer (STYLE.md §4): numeric codes in ranges,
// a completion code after XFS4IoT, and predicates. Callers branch on `code`,
// `completion` or the predicates, never on `message`.
import { DEVICE_ERROR_CODES, isRetryable } from '@nongbao/protocol/errors';
import type { CompletionCode, SuggestedAction } from './types.js';

/**
 * Codes come from the one register (protocol errors.ts, issue 13 section 1):
 *   1000-1099 link / transport (port closed, write failed, timeout, canceled)
 *   1100-1199 protocol (bad frame, NAK, unexpected reply, bad status byte)
 *   1200-1299 device state (not open, busy, hardware error, paper out, ...)
 *   1300-1399 caller errors (invalid argument, unsupported)
 */
export const DeviceErrorCode = DEVICE_ERROR_CODES;
export type DeviceErrorCode = (typeof DeviceErrorCode)[keyof typeof DeviceErrorCode];

const COMPLETION_BY_CODE: Record<DeviceErrorCode, CompletionCode> = {
  1000: 'deviceNotReady',
  1001: 'hardwareError',
  1002: 'timeOut',
  1003: 'canceled',
  1004: 'sequenceError',
  1100: 'hardwareError',
  1101: 'hardwareError',
  1102: 'deviceNotReady',
  1103: 'hardwareError',
  1104: 'hardwareError',
  1105: 'hardwareError',
  1200: 'deviceNotReady',
  1201: 'hardwareError',
  1202: 'userError',
  1203: 'userError',
  1204: 'hardwareError',
  1205: 'sequenceError',
  1206: 'hardwareError',
  1207: 'fraudAttempt',
  1208: 'sequenceError',
  1209: 'userError',
  1210: 'userError',
  1211: 'hardwareError',
  1300: 'invalidData',
  1301: 'unsupportedCommand',
};

export class DeviceError extends Error {
  override readonly name = 'DeviceError';
  readonly completion: CompletionCode;
  constructor(
    readonly code: DeviceErrorCode,
    message: string,
    readonly suggestedAction: SuggestedAction = 'none',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.completion = COMPLETION_BY_CODE[code];
  }
}

export function isDeviceError(error: unknown): error is DeviceError {
  return error instanceof DeviceError;
}
/** Link-level faults: the port closed or the device stopped answering. */
export function isTransportError(error: unknown): boolean {
  return isDeviceError(error) && error.code >= 1000 && error.code < 1100 && error.code !== DeviceErrorCode.canceled;
}
export function isProtocolError(error: unknown): boolean {
  return isDeviceError(error) && error.code >= 1100 && error.code < 1200;
}
export function isCanceled(error: unknown): boolean {
  return isDeviceError(error) && error.code === DeviceErrorCode.canceled;
}
export function isTimeout(error: unknown): boolean {
  return isDeviceError(error) && error.code === DeviceErrorCode.timeout;
}
/**
 * Worth repeating the same command unchanged: the register's one meaning
 * (a lost or garbled frame, a busy device), shared with every other layer.
 */
export { isRetryable };
