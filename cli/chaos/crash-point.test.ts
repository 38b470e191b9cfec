import { describe, expect, it } from 'vitest';
import { CrashPoints, crashPointDestination } from './crash-point.js';

const line = (fields: Record<string, unknown>) => `${JSON.stringify({ level: 20, time: 1, ...fields })}\n`;

function harness() {
  const points = new CrashPoints();
  const written: string[] = [];
  let kills = 0;
  const destination = crashPointDestination(points, { write: (text) => written.push(text), kill: () => (kills += 1) });
  return { points, written, destination, kills: () => kills };
}

describe('crash points', () => {
  it('kill the process at the nth line of the armed step, after writing it', () => {
    const h = harness();
    h.points.arm({ event: 'payment.note_journaled', match: {}, nth: 2 });
    h.destination.write(line({ event: 'payment.note_escrowed' }));
    h.destination.write(line({ event: 'payment.note_journaled', paymentId: 'p' }));
    expect(h.kills()).toBe(0);
    h.destination.write(line({ event: 'payment.note_journaled', paymentId: 'p' }));
    expect(h.kills()).toBe(1);
    // The step's own line first, then the last words naming it.
    expect(h.written.at(-2)).toContain('payment.note_journaled');
    expect(JSON.parse(h.written.at(-1)!)).toMatchObject({ event: 'chaos.crash' });
  });

  it('only at a line with the fields asked for', () => {
    const h = harness();
    h.points.arm({ event: 'gateway.batch_received', match: { terminalId: 'kiosk-b' }, nth: 1 });
    h.destination.write(line({ event: 'gateway.batch_received', terminalId: 'kiosk-a' }));
    expect(h.kills()).toBe(0);
    h.destination.write(line({ event: 'gateway.batch_received', terminalId: 'kiosk-b' }));
    expect(h.kills()).toBe(1);
  });

  it('never when disarmed, nor at a line that only mentions the step', () => {
    const h = harness();
    h.points.arm({ event: 'payment.completed', match: {}, nth: 1 });
    h.destination.write(line({ event: 'chaos.armed', point: { event: 'payment.completed' } }));
    h.points.disarm();
    h.destination.write(line({ event: 'payment.completed' }));
    expect(h.kills()).toBe(0);
    expect(h.written).toHaveLength(2);
  });
});
