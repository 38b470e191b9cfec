// Pure decoding of boot-keyboard input reports into key presses (USB HID 1.11
// Appendix B.1). A press is a usage present now that was absent in the
// previous report; releases and held keys produce nothing.
import { HID_REPORT_BYTES, USAGE_ERROR_ROLLOVER } from './constants.js';
import type { DecodedReport } from './types.js';

export function usagesOf(report: Uint8Array): number[] {
  return [...report.subarray(2, HID_REPORT_BYTES)].filter((u) => u !== 0);
}

export function decodeReport(report: Uint8Array, previous: readonly number[]): DecodedReport {
  // Some devices prefix a report id; accept 8 or 9 bytes (id first).
  const body = report.length === HID_REPORT_BYTES + 1 ? report.subarray(1) : report;
  if (body.length !== HID_REPORT_BYTES) return { kind: 'invalid', reason: 'length' };
  const usages = usagesOf(body);
  if (usages.length > 0 && usages.every((u) => u === USAGE_ERROR_ROLLOVER)) return { kind: 'rollover' };
  return { kind: 'keys', pressed: usages.filter((u) => !previous.includes(u)) };
}

/** The device side: a report with these usages held. */
export function encodeReport(usages: readonly number[]): Buffer {
  const report = Buffer.alloc(HID_REPORT_BYTES);
  usages.slice(0, 6).forEach((usage, i) => {
    report[2 + i] = usage;
  });
  return report;
}
