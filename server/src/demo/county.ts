// The demo county: two villages, about fifty insured residents with cards and
// their contribution history since the scheme started, made from a seeded
// random generator so every start builds the same county.
// Pure data: seeding it into the registry and ledger is `seed.ts`.

export interface DemoVillage {
  code: string;
  name: string;
  /** The village agent the kiosk's help screen names (issue 12 section 1). */
  agent: { agentName: string; agentPhone: string };
}

export interface DemoContribution {
  year: number;
  tierYuan: number;
  /** Calendar date of payment, YYYY-MM-DD. */
  paidOn: string;
  payer: 'individual' | 'government';
}

export interface DemoCard {
  /** 9 ASCII characters, printed on the card. */
  cardNumber: string;
  /** 16 bytes hex: region code BCD + D156000005 + 8 hex digits (LD/T 32-2015 EF05 tag 01). */
  cardIdentifier: string;
  issueDate: string;
  expiryDate: string;
  /** Demo only: every demo card has this PIN; it is shown on the demo device panel. */
  pin: string;
}

export interface DemoResident {
  citizenNumber: string;
  name: string;
  sex: 'male' | 'female';
  ethnicity: 'han' | 'tibetan';
  birthDate: string;
  villageCode: string;
  householdId: string;
  severelyDisabled: boolean;
  contributions: DemoContribution[];
  /** Dates of proof-of-life certifications (pensioners only). */
  certifications: string[];
  card: DemoCard;
}

export interface DemoStaff {
  staffId: string;
  name: string;
  citizenNumber: string;
  birthDate: string;
  card: DemoCard;
}

export interface DemoCounty {
  code: string;
  name: string;
  schemeStart: string;
  villages: DemoVillage[];
  residents: DemoResident[];
  staff: DemoStaff[];
}

export const DEMO_PIN = '123456';
const DEMO_SEED = 20101;
const RESIDENT_COUNT = 50;

/** mulberry32: a small, well-known seeded PRNG (deterministic demo data). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CHECK_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

/** GB 11643 check character for the first 17 characters. */
export function citizenCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * CHECK_WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

const HAN_SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴'];
const HAN_GIVEN_MALE = ['德明', '建国', '志强', '国华', '文斌', '永福', '成林', '海军'];
const HAN_GIVEN_FEMALE = ['秀英', '桂兰', '玉珍', '淑芬', '春梅', '丽华', '翠花', '凤英'];
const TIBETAN_MALE = ['扎西多吉', '次仁旺堆', '格桑顿珠', '丹增尼玛', '洛桑平措', '索朗达瓦'];
const TIBETAN_FEMALE = ['卓玛', '次仁拉姆', '央金', '德吉曲珍', '格桑梅朵', '白玛央宗'];

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)]!;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Builds the demo county. `today` bounds the history (no payments in the future). */
export function buildDemoCounty(today = '2026-11-22'): DemoCounty {
  const rand = prng(DEMO_SEED);
  const countyCode = '513227';
  const schemeStart = '2010-07-01';
  const schemeStartYear = 2010;
  const currentYear = Number(today.slice(0, 4));
  const villages: DemoVillage[] = [
    { code: '513227101201', name: '红岩村', agent: { agentName: '李建国', agentPhone: '138 0813 2270' } },
    { code: '513227102203', name: '格桑村', agent: { agentName: '次仁多吉', agentPhone: '139 0813 2271' } },
  ];
  const residents: DemoResident[] = [];
  const usedNumbers = new Set<string>();
  let household = 0;
  let membersLeftInHousehold = 0;
  for (let i = 0; i < RESIDENT_COUNT; i++) {
    if (membersLeftInHousehold === 0) {
      household++;
      membersLeftInHousehold = 1 + Math.floor(rand() * 3);
    }
    membersLeftInHousehold--;
    const village = villages[i % 2]!;
    const tibetan = village.code === villages[1]!.code ? rand() < 0.8 : rand() < 0.1;
    const male = rand() < 0.5;
    // Ages spread from young adults to the oldest, so the demo shows
    // contributors, pensioners and those who were 60+ when the scheme began.
    const birthYear = 1938 + Math.floor(rand() * 60);
    const birthMonth = 1 + Math.floor(rand() * 12);
    const birthDay = 1 + Math.floor(rand() * 28);
    const birthDate = `${birthYear}-${pad(birthMonth, 2)}-${pad(birthDay, 2)}`;
    let citizenNumber = '';
    do {
      const sequence = pad(Math.floor(rand() * 50) * 2 + (male ? 1 : 0), 3);
      const first17 = `${countyCode}${birthYear}${pad(birthMonth, 2)}${pad(birthDay, 2)}${sequence}`;
      citizenNumber = first17 + citizenCheckChar(first17);
    } while (usedNumbers.has(citizenNumber));
    usedNumbers.add(citizenNumber);
    const name = tibetan
      ? pick(rand, male ? TIBETAN_MALE : TIBETAN_FEMALE)
      : pick(rand, HAN_SURNAMES) + pick(rand, male ? HAN_GIVEN_MALE : HAN_GIVEN_FEMALE);
    const severelyDisabled = rand() < 0.05;
    const contributions: DemoContribution[] = [];
    const y60 = birthYear + 60;
    const firstYear = Math.max(schemeStartYear, birthYear + 16);
    // Those already 60 at the scheme's start pay nothing (POLICY "When a pension is paid").
    if (y60 > schemeStartYear) {
      const habit = rand(); // some pay every year, some skip years, a few stopped
      const tier = pick(rand, [100, 100, 100, 200, 300, 500]);
      for (let year = firstYear; year < Math.min(y60, currentYear + 1); year++) {
        if (habit < 0.2 && rand() < 0.4) continue;
        if (year === currentYear && rand() < 0.35) continue; // this year's campaign is still on
        const month = 3 + Math.floor(rand() * 7);
        let paidOn = `${year}-${pad(month, 2)}-${pad(1 + Math.floor(rand() * 28), 2)}`;
        // Nobody pays before the scheme opens or before enrolling at 16.
        const sixteenth = `${birthYear + 16}-${pad(birthMonth, 2)}-${pad(birthDay, 2)}`;
        const opens = schemeStart > sixteenth ? schemeStart : sixteenth;
        if (paidOn < opens) paidOn = `${opens.slice(0, 8)}${pad(Math.min(28, Number(opens.slice(8)) + 5), 2)}`;
        if (paidOn.slice(0, 4) !== String(year) || paidOn > today) continue;
        contributions.push({ year, tierYuan: severelyDisabled ? 100 : tier, paidOn, payer: severelyDisabled ? 'government' : 'individual' });
      }
    }
    const certifications: string[] = [];
    if (birthYear + 60 <= currentYear) {
      // Pensioners certify about once a year, in the same season; a few have
      // let it lapse these last two years (the kiosk shows them suspended).
      const lapsed = rand() < 0.15;
      const month = 1 + Math.floor(rand() * 10);
      const firstYear = Math.max(schemeStartYear, birthYear + 60) + 1;
      const lastYear = lapsed ? currentYear - 2 : currentYear;
      for (let year = firstYear; year <= lastYear; year++) {
        const certifiedOn = `${year}-${pad(month, 2)}-${pad(1 + Math.floor(rand() * 28), 2)}`;
        if (certifiedOn <= today) certifications.push(certifiedOn);
      }
    }
    const issueYear = 2012 + Math.floor(rand() * 10);
    residents.push({
      citizenNumber,
      name,
      sex: male ? 'male' : 'female',
      ethnicity: tibetan ? 'tibetan' : 'han',
      birthDate,
      villageCode: village.code,
      householdId: `${village.code}-${pad(household, 4)}`,
      severelyDisabled,
      contributions,
      certifications,
      card: {
        cardNumber: `A${pad(10_000_000 + i * 7919, 8)}`,
        cardIdentifier: `${countyCode}D156000005${pad(i + 1, 8)}`.padEnd(32, '0').slice(0, 32),
        issueDate: `${issueYear}-0${1 + Math.floor(rand() * 9)}-15`,
        // One card in the demo has expired, to show how the kiosk refuses it.
        expiryDate: i === 7 ? '2025-06-30' : `${issueYear + 10 + 5}-06-30`,
        pin: DEMO_PIN,
      },
    });
  }
  const staffFirst17 = `${countyCode}19800312${'023'}`;
  const staffNumber = staffFirst17 + citizenCheckChar(staffFirst17);
  const staff: DemoStaff[] = [
    {
      staffId: 'staff-001',
      name: '周建平',
      citizenNumber: staffNumber,
      birthDate: '1980-03-12',
      card: {
        cardNumber: 'S00000001',
        cardIdentifier: `${countyCode}D156000005FF000001`.slice(0, 32),
        issueDate: '2022-01-10',
        expiryDate: '2032-01-10',
        pin: DEMO_PIN,
      },
    },
  ];
  return { code: countyCode, name: '清溪县', schemeStart, villages, residents, staff };
}
