// Builds the demo county into an empty database through the same services the
// office uses: villages, persons, households, cards, every contribution on its
// date (the policy engine computes subsidies), proof-of-life certifications,
// and the yearly interest and monthly payroll runs, in date order, so the
// ledger holds the county's history as if it had been run since 2010.
import type { Logger } from 'pino';
import type { Registry } from '../registry/index.js';
import { derivedUuidV7 } from '../registry/index.js';
import type { Runs } from '../runs/index.js';
import type { DemoCounty, DemoResident } from './county.js';

/** A demo history's events happen at mid-morning Shanghai time. */
function atShanghai(date: string): string {
  return `${date}T10:00:00+08:00`;
}

function monthsBetween(firstMonth: string, lastMonth: string): string[] {
  const months: string[] = [];
  let [year, month] = firstMonth.split('-').map(Number) as [number, number];
  for (;;) {
    const m = `${year}-${String(month).padStart(2, '0')}`;
    if (m > lastMonth) return months;
    months.push(m);
    month++;
    if (month === 13) {
      month = 1;
      year++;
    }
  }
}

/** Who states the demo residents' enrolment dates (reg_enrolment_statements.stated_by). */
export const DEMO_SEED_USER = 'demo-seed';

/**
 * The day a demo resident enrolled: when the scheme began, or on the 16th
 * birthday if later (POLICY.md "Who may enrol"). The seed builds the county's
 * history since then on today's clock, so it states these dates as the old
 * scheme's register would (issue 10 section 1: the only way to enrol someone
 * on a day before today).
 */
export function demoEnrolmentDate(county: Pick<DemoCounty, 'schemeStart'>, resident: Pick<DemoResident, 'birthDate'>): string {
  const sixteenth = `${Number(resident.birthDate.slice(0, 4)) + 16}${resident.birthDate.slice(4)}`;
  return county.schemeStart > sixteenth ? county.schemeStart : sixteenth;
}

export interface SeedReport {
  persons: number;
  contributions: number;
  certifications: number;
  interestRuns: number;
  payrollRuns: number;
}

/** Residents of a village the office counts as able to enrol but who have not (the demo's coverage is then below 100 %). */
const DEMO_NOT_YET_ENROLLED_PER_VILLAGE = 4;

/**
 * This year's collection campaign and each village's count of those who may
 * enrol (POLICY.md "Publicity and coverage"), so that the office console's
 * Today and Villages pages show a campaign as the seeds' daily reports do.
 * The target: every resident who may pay for this year.
 */
function seedCampaign(county: DemoCounty, registry: Registry, today: string): void {
  const year = Number(today.slice(0, 4));
  for (const village of county.villages) {
    const residents = county.residents.filter((r) => r.villageCode === village.code).length;
    registry.coverage.setEligiblePopulation(village.code, { year, eligiblePersons: residents + DEMO_NOT_YET_ENROLLED_PER_VILLAGE }, DEMO_SEED_USER);
  }
  const payers = county.residents.filter((r) => Number(r.birthDate.slice(0, 4)) + 60 > year && Number(r.birthDate.slice(0, 4)) + 16 <= year).length;
  const startDate = `${year}-03-01` <= today ? `${year}-03-01` : `${year}-01-01`;
  registry.coverage.setCampaign({ year, startDate, endDate: `${year}-12-31`, targetContributions: Math.max(1, payers) }, DEMO_SEED_USER);
}

/** True when the registry has no person yet (a first start). */
export function isEmpty(registry: Registry): boolean {
  const row = registry.context.db.prepare('SELECT COUNT(*) AS n FROM reg_persons').get() as { n: number };
  return row.n === 0;
}

/**
 * Seeds the demo county. All in one SQLite transaction: a crash half-way
 * leaves an empty database, and the next start seeds again.
 */
export function seedDemoCounty(county: DemoCounty, registry: Registry, runs: Runs, today: string, logger: Logger): SeedReport {
  const report: SeedReport = { persons: 0, contributions: 0, certifications: 0, interestRuns: 0, payrollRuns: 0 };
  const seed = registry.context.db.transaction(() => {
    for (const village of county.villages) {
      registry.persons.createVillage({ code: village.code, name: village.name, countyCode: county.code });
      registry.persons.setVillageAgent(village.code, village.agent);
    }
    for (const r of county.residents) {
      const enrolledOn = demoEnrolmentDate(county, r);
      registry.persons.registerPerson(
        {
          citizenNumber: r.citizenNumber,
          name: r.name,
          birthDate: r.birthDate,
          villageCode: r.villageCode,
          hukouInCounty: true,
          fullTimeStudent: false,
          urbanEmployeePension: false,
          severelyDisabled: r.severelyDisabled,
          bankAccount: `6228${r.citizenNumber.slice(6, 17)}`,
          enrolmentStatement: { enrolledOn, source: 'old-scheme-register', reason: `demo county: enrolled on ${enrolledOn}, its history is seeded since then` },
        },
        DEMO_SEED_USER,
      );
      registry.persons.issueCard({ cardNumber: r.card.cardNumber, citizenNumber: r.citizenNumber, issuedOn: r.card.issueDate, cardIdentifier: r.card.cardIdentifier });
      report.persons++;
    }
    const households = new Map<string, { villageCode: string; members: string[] }>();
    for (const r of county.residents) {
      const h = households.get(r.householdId) ?? { villageCode: r.villageCode, members: [] };
      h.members.push(r.citizenNumber);
      households.set(r.householdId, h);
    }
    for (const [id, h] of households) registry.persons.bindHousehold({ id, ...h });

    // Every dated event, then the runs at their dates, in time order.
    type Event = { date: string; apply: () => void };
    const events: Event[] = [];
    for (const r of county.residents) {
      for (const c of r.contributions) {
        events.push({
          date: c.paidOn,
          apply: () => {
            registry.recordContribution({
              id: derivedUuidV7(Date.parse(atShanghai(c.paidOn)), `demo-contribution|${r.citizenNumber}|${c.year}`),
              citizenNumber: r.citizenNumber,
              year: c.year,
              tierYuan: c.tierYuan,
              channel: 'counter',
              paidAt: atShanghai(c.paidOn),
              payer: c.payer,
            }, { historical: true });
            report.contributions++;
          },
        });
      }
      for (const certifiedOn of r.certifications) {
        events.push({
          date: certifiedOn,
          apply: () => {
            registry.recordCertification({
              id: derivedUuidV7(Date.parse(atShanghai(certifiedOn)), `demo-certification|${r.citizenNumber}|${certifiedOn}`),
              citizenNumber: r.citizenNumber,
              certifiedOn,
              channel: 'counter',
            });
            report.certifications++;
          },
        });
      }
    }
    const currentYear = Number(today.slice(0, 4));
    const startYear = Number(county.schemeStart.slice(0, 4));
    for (let year = startYear; year < currentYear; year++) {
      events.push({
        date: `${year}-12-31~interest`,
        apply: () => {
          runs.interest(year);
          report.interestRuns++;
        },
      });
    }
    // Payroll on the 10th of each month for that month, through last month.
    const lastMonth = monthsBetween(county.schemeStart.slice(0, 7), today.slice(0, 7)).at(-2);
    if (lastMonth) {
      for (const month of monthsBetween(county.schemeStart.slice(0, 7), lastMonth)) {
        events.push({
          date: `${month}-10~payroll`,
          apply: () => {
            runs.payroll(month);
            report.payrollRuns++;
          },
        });
      }
    }
    events.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
    for (const event of events) event.apply();
    seedCampaign(county, registry, today);
  });
  seed();
  logger.info({ event: 'demo.seeded', ...report });
  return report;
}
