// The chaos run's county: one resident per planned payment (each pays this
// year's contribution once), aged 20 to 54, none paid this year yet, each
// with a virtual social-security card. Built the same way in the harness
// (which seeds it into the server's database) and in every terminal process
// (which hands the cards to its in-process reader), from its size alone.
import { DEMO_PIN, buildDemoCounty, type DemoCounty, type DemoResident } from '@nongbao/server';
import { citizenCheckChar } from '@nongbao/server/policy';

/** Residents the chaos county holds at most (the backlog mode's 10 000 events need half as many). */
export const CHAOS_COUNTY_RESIDENTS_LIMIT = 20_000;
const COUNTY_CODE = '513227';
const VILLAGES = [
  { code: '513227101201', name: '红岩村', agent: { agentName: '李建国', agentPhone: '138 0813 2270' } },
  { code: '513227102203', name: '格桑村', agent: { agentName: '次仁多吉', agentPhone: '139 0813 2271' } },
];
const GIVEN = ['德明', '秀英', '建国', '桂兰', '志强', '玉珍', '国华', '淑芬'];
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄'];

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** The i-th resident: a distinct citizen number from the birth date and a sequence. */
function resident(i: number, currentYear: number): DemoResident {
  const birthYear = currentYear - 20 - (i % 35);
  const month = 1 + (Math.floor(i / 35) % 12);
  const day = 1 + (Math.floor(i / 420) % 28);
  // 35 * 12 * 28 = 11 760 birth dates, and the sequence keeps 20 000 residents distinct.
  const sequence = pad((Math.floor(i / 11_760) * 2 + (i % 2)) % 1000, 3);
  const first17 = `${COUNTY_CODE}${birthYear}${pad(month, 2)}${pad(day, 2)}${sequence}`;
  const village = VILLAGES[i % VILLAGES.length]!;
  return {
    citizenNumber: first17 + citizenCheckChar(first17),
    name: SURNAMES[i % SURNAMES.length]! + GIVEN[Math.floor(i / SURNAMES.length) % GIVEN.length]!,
    sex: i % 2 === 0 ? 'female' : 'male',
    ethnicity: 'han',
    birthDate: `${birthYear}-${pad(month, 2)}-${pad(day, 2)}`,
    villageCode: village.code,
    householdId: `${village.code}-${pad(i, 5)}`,
    severelyDisabled: false,
    contributions: [],
    certifications: [],
    card: {
      cardNumber: `K${pad(i, 8)}`,
      cardIdentifier: `${COUNTY_CODE}D156000005${pad(i + 1, 8)}`.padEnd(32, '0'),
      issueDate: '2021-03-15',
      expiryDate: '2036-06-30',
      pin: DEMO_PIN,
    },
  };
}

/** The chaos county of `residents` residents, with the demo county's staff. `today`: YYYY-MM-DD. */
export function buildChaosCounty(residents: number, today: string): DemoCounty {
  if (!Number.isInteger(residents) || residents < 1 || residents > CHAOS_COUNTY_RESIDENTS_LIMIT) {
    throw new RangeError(`a chaos county has 1..${CHAOS_COUNTY_RESIDENTS_LIMIT} residents, not ${residents}`);
  }
  const demo = buildDemoCounty(today);
  const currentYear = Number(today.slice(0, 4));
  return {
    code: COUNTY_CODE,
    name: demo.name,
    schemeStart: demo.schemeStart,
    villages: VILLAGES,
    residents: Array.from({ length: residents }, (_, i) => resident(i, currentYear)),
    staff: demo.staff,
  };
}
