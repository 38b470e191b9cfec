// Picks demo residents for the tests from the same deterministic county the
// demo seeds, by what the test needs of them.
import { buildDemoCounty, type DemoResident } from '@nongbao/server';

export const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
export const thisYear = Number(today.slice(0, 4));
export const county = buildDemoCounty(today);

/** A resident with several paid years and a valid card. */
export const residentWithHistory: DemoResident = county.residents.find((r) => r.contributions.length >= 3 && r.card.expiryDate > `${thisYear + 1}-01-01`)!;

/** Residents who still owe this year's contribution in cash, with a valid card. */
export const residentsWhoOwe: DemoResident[] = county.residents.filter(
  (r) =>
    Number(r.birthDate.slice(0, 4)) + 60 > thisYear &&
    Number(r.birthDate.slice(0, 4)) + 16 <= thisYear &&
    !r.severelyDisabled &&
    !r.contributions.some((c) => c.year === thisYear) &&
    r.card.expiryDate > today,
);

/** The masked name the kiosk should show, worked out here independently: 王秀英 -> 王*英. */
export function expectedMaskedName(name: string): string {
  const chars = [...name];
  return chars.length === 2 ? `${chars[0]}*` : `${chars[0]}${'*'.repeat(chars.length - 2)}${chars.at(-1)}`;
}

/** Pensioners whose proof of life has lapsed (last certified two or more years ago), with a valid card. */
export const pensionersLapsed: DemoResident[] = county.residents.filter(
  (r) =>
    Number(r.birthDate.slice(0, 4)) + 60 < thisYear &&
    r.certifications.length > 0 &&
    Number(r.certifications.at(-1)!.slice(0, 4)) <= thisYear - 2 &&
    r.card.expiryDate > today &&
    r !== county.residents[0], // the demo's clone card copies resident 0
);
