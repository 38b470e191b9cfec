// The pieces of the kiosk's diagnostics (issue 13 section 1) on their own:
// the bounded recent-errors list and which resources count as problems.
import { describe, expect, it } from 'vitest';
import { DEVICE_ERROR_CODES, RECENT_ERRORS_LIMIT, TERMINAL_ERROR_CODES } from '@nongbao/protocol';
import { DeviceError } from '@nongbao/drivers';
import { RecentErrors } from './recent-errors.js';
import { DISK_LOW_BYTES, JOURNAL_LARGE_BYTES, OUTBOX_BACKLOG_LIMIT, resourceProblems } from './resources.js';
import { CLOCK_DRIFT_ALARM_MS } from '../status.js';

const healthy = {
  network: { connected: true, lastContactAt: '2026-12-05T10:00:00.000Z' },
  diskFreeBytes: 10 * DISK_LOW_BYTES,
  diskTotalBytes: 100 * DISK_LOW_BYTES,
  journalBytes: 4096,
  outboxPending: 0,
  outboxHalted: false,
  clockDriftMs: 120,
  softwareVersion: '0.1.0',
};

describe('the recent errors', () => {
  it('keeps at most RECENT_ERRORS_LIMIT, newest first, and counts a repeat instead of storing it again', () => {
    const errors = new RecentErrors();
    for (let i = 0; i < RECENT_ERRORS_LIMIT + 5; i += 1) errors.record(i % 2 ? DEVICE_ERROR_CODES.paperOut : DEVICE_ERROR_CODES.coverOpen, 'printer', `fault ${i}`);
    expect(errors.list()).toHaveLength(RECENT_ERRORS_LIMIT);
    expect(errors.list()[0]).toMatchObject({ code: DEVICE_ERROR_CODES.coverOpen, detail: `fault ${RECENT_ERRORS_LIMIT + 4}`, count: 1 });
    errors.record(DEVICE_ERROR_CODES.coverOpen, 'printer', 'again');
    errors.record(DEVICE_ERROR_CODES.coverOpen, 'printer', 'and again');
    expect(errors.list()[0]).toMatchObject({ code: DEVICE_ERROR_CODES.coverOpen, count: 3, detail: 'and again' });
    expect(errors.list()).toHaveLength(RECENT_ERRORS_LIMIT);
  });

  it('records an error by its registered code and refuses a code the register does not have', () => {
    const errors = new RecentErrors();
    expect(errors.recordError(new DeviceError(DEVICE_ERROR_CODES.paperOut, 'no paper', 'loadPaper'), 'printer')).toBe(true);
    expect(errors.recordError(new Error('no code'), 'printer')).toBe(false);
    expect(errors.list()).toEqual([expect.objectContaining({ code: DEVICE_ERROR_CODES.paperOut, source: 'printer', detail: 'no paper' })]);
    expect(() => errors.record(9999, 'printer', 'made up')).toThrow(/not in the error register/);
  });
});

describe('the resources that are problems', () => {
  it('lists none for a healthy kiosk', () => {
    expect(resourceProblems(healthy)).toEqual([]);
  });

  it('names each problem by its terminal code, the halted outbox first', () => {
    expect(
      resourceProblems({
        ...healthy,
        network: { connected: false, lastContactAt: null },
        diskFreeBytes: DISK_LOW_BYTES - 1,
        journalBytes: JOURNAL_LARGE_BYTES + 1,
        outboxPending: OUTBOX_BACKLOG_LIMIT + 1,
        outboxHalted: true,
        clockDriftMs: -(CLOCK_DRIFT_ALARM_MS + 1),
      }),
    ).toEqual([
      TERMINAL_ERROR_CODES.outboxHalted,
      TERMINAL_ERROR_CODES.serverUnreachable,
      TERMINAL_ERROR_CODES.diskLow,
      TERMINAL_ERROR_CODES.journalLarge,
      TERMINAL_ERROR_CODES.outboxBacklog,
      TERMINAL_ERROR_CODES.clockDrift,
    ]);
  });

  it('does not count what it cannot measure (no disk figures, no drift yet) as a problem', () => {
    expect(resourceProblems({ ...healthy, diskFreeBytes: null, diskTotalBytes: null, clockDriftMs: null })).toEqual([]);
  });
});
