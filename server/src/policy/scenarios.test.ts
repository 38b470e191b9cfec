// The example scenarios shipped for county staff (scenarios/*.json) must stay
// valid and keep saying what their descriptions say.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseScenario, simulate } from './index.js';

const dir = join(import.meta.dirname, 'scenarios');
const load = (name: string) => simulate(parseScenario(readFileSync(join(dir, name), 'utf8')));

describe('example scenarios', () => {
  it('all parse and simulate without refusals', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const file of files) expect(load(file).refused, file).toEqual([]);
  });

  it('worked example: 5500 + 0 + 1016 fen from 2020-06; paying 500 a year pays more', () => {
    const worked = load('worked-example.json');
    expect(worked.pension).toEqual({ startMonth: '2020-06', basicFen: 5500, topUpFen: 0, accountFen: 1016 });
    expect(load('pay-more-get-more-500.json').pension!.accountFen).toBeGreaterThan(4 * 1016);
  });

  it('say what their descriptions say', () => {
    expect(load('long-contribution-top-up.json').pension).toMatchObject({ startMonth: '2030-04', basicFen: 8800, topUpFen: 500 });
    expect(load('elder-family-binding.json').months.filter((m) => m.status === 'suspended-family-binding').map((m) => m.month)).toEqual(['2010-08', '2011-01', '2011-02']);
    expect(load('certification-lapse.json').months.find((m) => m.month === '2014-05')?.backPaidFen).toBe(3 * 5500);
    expect(load('death-reported-late.json').death).toMatchObject({ recoveredFen: 3 * 5996 });
    expect(load('urban-pension-found.json').recoverFen).toBe(4 * 5500);
    expect(load('severely-disabled.json').years.at(-1)!.balanceFen.individual).toBe(0);
    const late = load('elder-enrols-late.json');
    expect(late.pension).toEqual({ startMonth: '2020-04', basicFen: 5500, topUpFen: 0, accountFen: 0 });
    expect(late.months.map((m) => m.month)).toEqual(['2020-04', '2020-05', '2020-06', '2020-07', '2020-08', '2020-09', '2020-10', '2020-11', '2020-12']);
  });
});
