// The demo county's history stays consistent with the enrolment rule (issue 10
// section 1; POLICY.md "When a pension is paid": the pension starts no earlier
// than the month after the month the person enrolled). The county is seeded
// through the office's own services into a real SQLite file.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monthOf } from '../policy/index.js';
import { openTestStack, type TestStack } from '../registry/test-support.js';
import { shanghaiDate } from '../registry/time.js';
import { buildDemoCounty } from './county.js';
import { DEMO_SEED_USER, demoEnrolmentDate, seedDemoCounty } from './seed.js';

/** A fixed day, so the county and its history are the same on every run. */
const TODAY = '2026-11-22';
const county = buildDemoCounty(TODAY);
let stack: TestStack;

beforeAll(() => {
  stack = openTestStack({ today: TODAY, schemeStart: county.schemeStart });
  seedDemoCounty(county, stack.registry, stack.runs, TODAY, pino({ level: 'silent' }));
});
afterAll(() => stack.close());

describe('the demo county and the enrolment rule', () => {
  it("registers each resident today, enrolled when the scheme began or at 16, as stated from the old scheme's register", () => {
    for (const r of county.residents) {
      const person = stack.registry.persons.get(r.citizenNumber);
      const enrolledOn = demoEnrolmentDate(county, r);
      expect(person.registeredAt).toBe(TODAY);
      expect(person.enrolledOn).toBe(enrolledOn);
      expect(person.enrolmentStatement).toMatchObject({ enrolledOn, source: 'old-scheme-register', statedBy: DEMO_SEED_USER });
    }
    // Both kinds occur: enrolled at the scheme's start, and at 16 afterwards.
    const dates = county.residents.map((r) => demoEnrolmentDate(county, r));
    expect(dates).toContain(county.schemeStart);
    expect(dates.some((d) => d > county.schemeStart)).toBe(true);
  });

  it('starts no pension and pays no month before the month after the enrolment, and takes no payment before it', () => {
    const pensions = stack.db
      .prepare(
        `SELECT p.citizen_number, p.enrolled_on, s.start_month, (SELECT MIN(m.month) FROM reg_payments m WHERE m.citizen_number = p.citizen_number) AS first_month,
           (SELECT MIN(c.paid_at) FROM reg_contributions c WHERE c.citizen_number = p.citizen_number) AS first_paid_at
         FROM reg_persons p LEFT JOIN reg_pensions s ON s.citizen_number = p.citizen_number ORDER BY p.citizen_number`,
      )
      .all() as { citizen_number: string; enrolled_on: string; start_month: string | null; first_month: string | null; first_paid_at: string | null }[];
    expect(pensions).toHaveLength(county.residents.length);
    const withPension = pensions.filter((p) => p.start_month !== null);
    // Not vacuous: the demo has pensioners from the scheme's first months and later ones.
    expect(withPension.length).toBeGreaterThanOrEqual(10);
    expect(withPension.some((p) => p.start_month === '2010-08')).toBe(true);
    for (const p of withPension) {
      expect(p.start_month! > monthOf(p.enrolled_on), p.citizen_number).toBe(true);
      expect(p.first_month! >= p.start_month!, p.citizen_number).toBe(true);
    }
    for (const p of pensions) if (p.first_paid_at !== null) expect(shanghaiDate(p.first_paid_at) >= p.enrolled_on, p.citizen_number).toBe(true);
  });
});
