// The month-by-month simulator (POLICY.md "The policy simulator (a public
// contract)"). It runs from the earlier of the scheme's start and the first
// event through `until`; events apply in date order (events of one date in
// the order given); within a month all of that month's events apply before
// that month's pension is decided; a year is closed (interest credited) when
// the simulation passes 31 December, and the year of `until` only when
// `until` is a December. It uses the same rule functions as the ledger's runs
// and the kiosk's projections: there is no second copy of a rule here.
import { firstDayOf, monthFromIndex, monthIndex, monthOf, yearOf, type IsoDate, type Month } from './dates.js';
import { contributionWindow } from './eligibility.js';
import { validateContribution, type ContributionRefusalReason } from './contribution.js';
import { yearlyInterest } from './interest.js';
import { fixPension, monthlyPension, pensionStart, type PensionTerms } from './pension.js';
import { splitAccountDraw } from './draw.js';
import { certifiedThrough } from './certification.js';
import { monthStatus, type MonthStatus, type RecipientFacts } from './recipient.js';
import { settleDeath } from './death.js';
import { resolvePolicy, settingsOn, type Policy } from './settings.js';
import { SOURCES, copyBalances, totalFen, zeroBalances, type Balances } from './sources.js';
import { enrolledDateOf, parseScenario, simulationStartMonth, type Scenario, type ScenarioEvent } from './scenario.js';

/**
 * Why an event was refused. `already-reported` extends POLICY's list: a second
 * `urbanPension` event for the same person (the first one stands).
 */
export type SimulationRefusalReason = ContributionRefusalReason | 'already-reported';

export interface YearRow {
  year: number;
  interestFen: Balances;
  /** Balances on 31 December after interest (after a death: as they stood at the death). */
  balanceFen: Balances;
}

export interface MonthRow {
  month: Month;
  status: MonthStatus;
  /** This month's own pension paid (0 when suspended or stopped). */
  paidFen: number;
  /** The part of `paidFen` drawn from the personal account. */
  fromAccountFen: number;
  /** Present when a certification (or household payment) released suspended months this month: their total. */
  backPaidFen?: number;
}

export interface SimulationResult {
  requiredYears: number;
  paidYears: number;
  years: YearRow[];
  pension: { startMonth: Month; basicFen: number; topUpFen: number; accountFen: number } | null;
  months: MonthRow[];
  /** Still to recover at the end: months paid improperly, and after-death months the inheritance did not cover. */
  recoverFen: number;
  death: { inheritableFen: number; toPoolFen: number; recoveredFen: number } | null;
  refused: { index: number; reason: SimulationRefusalReason }[];
}

interface Simulation {
  readonly policy: Policy;
  readonly scenario: Scenario;
  balances: Balances;
  januaryFirst: Balances;
  paidYears: Map<number, IsoDate>;
  requirementMetOn: IsoDate | null;
  pension: PensionTerms | null;
  facts: RecipientFacts;
  deathDate: IsoDate | null;
  /** Years every household member who may enrol has paid for (the same set `facts.familyBinding` reads). */
  householdPaidYears: Set<number>;
  /** Suspended months not yet paid, by cause, oldest first. */
  pendingCertification: Month[];
  pendingBinding: Month[];
  backPaidThisMonthFen: number;
  paidAfterDeathFen: number;
  recoverFen: number;
  years: YearRow[];
  months: MonthRow[];
  refused: { index: number; reason: SimulationRefusalReason }[];
}

/**
 * Simulates a scenario. Never throws on a scenario `parseScenario` accepts: a
 * rule saying no is listed in `refused`. Given a hand-built object it checks
 * it first (throwing the same `InvalidScenario` error as `parseScenario`).
 */
export function simulate(scenario: Scenario): SimulationResult {
  const checked = parseScenario(scenario);
  const { preset, ...overrides } = checked.policy;
  return runSimulation(checked, resolvePolicy(preset, overrides));
}

/** The simulation proper, for a checked scenario and a resolved policy (the projection reuses it). */
export function runSimulation(scenario: Scenario, policy: Policy): SimulationResult {
  const window = contributionWindow(scenario.person.birthDate, scenario.schemeStart, policy);
  const householdPaidYears = new Set<number>();
  const sim: Simulation = {
    policy,
    scenario,
    balances: zeroBalances(),
    januaryFirst: zeroBalances(),
    paidYears: new Map(),
    requirementMetOn: window.requiredYears === 0 ? scenario.schemeStart : null,
    pension: null,
    facts: {
      certifiedThrough: '0000-00',
      deathMonth: null,
      deathReportedMonth: null,
      urbanPensionSinceMonth: null,
      urbanPensionReportedMonth: null,
      familyBinding: { applies: window.agedAtSchemeStart && scenario.person.familyBinding, householdPaidYears },
    },
    deathDate: null,
    householdPaidYears,
    pendingCertification: [],
    pendingBinding: [],
    backPaidThisMonthFen: 0,
    paidAfterDeathFen: 0,
    recoverFen: 0,
    years: [],
    months: [],
    refused: [],
  };

  // Date order; Array.prototype.sort is stable, so events of one date keep their given order.
  const ordered = scenario.events.map((event, index) => ({ event, index })).sort((a, b) => (a.event.date < b.event.date ? -1 : a.event.date > b.event.date ? 1 : 0));
  let next = 0;
  const first = monthIndex(simulationStartMonth(scenario));
  const last = monthIndex(scenario.until);
  for (let index = first; index <= last; index++) {
    const month = monthFromIndex(index);
    sim.backPaidThisMonthFen = 0;
    while (next < ordered.length) {
      const item = ordered[next];
      if (item === undefined || monthOf(item.event.date) !== month) break;
      applyEvent(sim, item.event, item.index, month);
      next++;
    }
    maybeStartPension(sim, month);
    if (sim.pension !== null && month >= sim.pension.startMonth) payMonth(sim, month);
    if (month.endsWith('-12')) closeYear(sim, yearOf(month));
  }
  // Events after `until` are outside the simulation and change nothing.

  let death: SimulationResult['death'] = null;
  if (sim.deathDate !== null) {
    // Settled on the account as it stands: after the month of death was paid;
    // later months came from the pooled fund (POLICY "Death").
    const settlement = settleDeath(sim.balances, sim.paidAfterDeathFen, sim.deathDate, policy);
    sim.recoverFen += settlement.unrecoveredFen;
    death = { inheritableFen: settlement.inheritableFen, toPoolFen: settlement.toPoolFen, recoveredFen: settlement.recoveredFen };
  }
  return {
    requiredYears: window.requiredYears,
    paidYears: sim.paidYears.size,
    years: sim.years,
    pension: sim.pension === null ? null : { startMonth: sim.pension.startMonth, basicFen: sim.pension.basicFen, topUpFen: sim.pension.topUpFen, accountFen: sim.pension.accountFen },
    months: sim.months,
    recoverFen: sim.recoverFen,
    death,
    refused: sim.refused,
  };
}

function applyEvent(sim: Simulation, event: ScenarioEvent, index: number, month: Month): void {
  const refuse = (reason: SimulationRefusalReason): void => {
    sim.refused.push({ index, reason });
  };
  const dead = sim.deathDate !== null;
  switch (event.type) {
    case 'contribute': {
      const decision = validateContribution(
        { date: event.date, year: event.year, tierYuan: event.tier, collectiveFen: event.collectiveFen, aidFen: event.aidFen, payer: event.payer },
        {
          birthDate: sim.scenario.person.birthDate,
          severelyDisabled: sim.scenario.person.severelyDisabled,
          deceased: dead,
          schemeStart: sim.scenario.schemeStart,
          paidYears: new Set(sim.paidYears.keys()),
        },
        sim.policy,
      );
      if (!decision.ok) return refuse(decision.reason);
      for (const source of SOURCES) sim.balances[source] += decision.credits[source];
      sim.paidYears.set(event.year, event.date);
      const required = contributionWindow(sim.scenario.person.birthDate, sim.scenario.schemeStart, sim.policy).requiredYears;
      // Arrears count on the day they are paid (POLICY "When a pension is paid").
      if (sim.requirementMetOn === null && sim.paidYears.size >= required) sim.requirementMetOn = event.date;
      return;
    }
    case 'legacy':
      if (dead) return refuse('deceased');
      sim.balances.legacy += event.amountFen;
      return;
    case 'certify': {
      if (dead) return refuse('deceased');
      const through = certifiedThrough(event.date, sim.policy);
      if (through > sim.facts.certifiedThrough) sim.facts.certifiedThrough = through;
      const pending = sim.pendingCertification;
      sim.pendingCertification = [];
      // POLICY "Proof of life": after a new certification the suspended months are paid (certBackPay).
      if (settingsOn(sim.policy, event.date).certBackPay) backPay(sim, pending, month);
      return;
    }
    case 'urbanPension':
      if (dead) return refuse('deceased');
      if (sim.facts.urbanPensionSinceMonth !== null) return refuse('already-reported');
      sim.facts.urbanPensionSinceMonth = monthOf(event.date);
      sim.facts.urbanPensionReportedMonth = monthOf(event.reportedDate ?? event.date);
      return;
    case 'death':
      if (dead) return refuse('deceased');
      sim.deathDate = event.date;
      sim.facts.deathMonth = monthOf(event.date);
      sim.facts.deathReportedMonth = monthOf(event.reportedDate ?? event.date);
      return;
    case 'householdPaid': {
      if (dead) return refuse('deceased');
      sim.householdPaidYears.add(event.year);
      // POLICY: months suspended for family binding are not paid later unless bindingBackPay.
      const released = sim.pendingBinding.filter((m) => yearOf(m) === event.year);
      sim.pendingBinding = sim.pendingBinding.filter((m) => yearOf(m) !== event.year);
      if (settingsOn(sim.policy, event.date).bindingBackPay) backPay(sim, released, month);
      return;
    }
  }
}

/** Pays suspended months now, oldest first, each drawn from the account like a normal month. */
function backPay(sim: Simulation, months: readonly Month[], now: Month): void {
  const terms = sim.pension;
  if (terms === null || months.length === 0) return;
  // A pension stopped (urban pension reported) owes nothing more.
  if (sim.facts.urbanPensionReportedMonth !== null && now >= sim.facts.urbanPensionReportedMonth) return;
  for (const month of months) {
    const owed = monthlyPension(terms, month, sim.policy);
    drawAccount(sim, owed.accountFen);
    sim.backPaidThisMonthFen += owed.totalFen;
    if (sim.facts.urbanPensionSinceMonth !== null && month >= sim.facts.urbanPensionSinceMonth) sim.recoverFen += owed.totalFen;
  }
}

function drawAccount(sim: Simulation, accountFen: number): number {
  const draw = splitAccountDraw(sim.balances, accountFen);
  for (const source of SOURCES) sim.balances[source] -= draw.bySource[source];
  return draw.fromAccountFen;
}

function maybeStartPension(sim: Simulation, month: Month): void {
  if (sim.pension !== null || sim.requirementMetOn === null) return;
  const { scenario } = sim;
  const start = pensionStart({ birthDate: scenario.person.birthDate, enrolledOn: enrolledDateOf(scenario), requirementMetOn: sim.requirementMetOn }, sim.policy);
  if (start === null || month < start) return;
  // Known facts stop a pension from starting; an unreported death or urban
  // pension does not (the office would start it, and hindsight labels it).
  const { urbanPensionReportedMonth, deathMonth, deathReportedMonth } = sim.facts;
  if (urbanPensionReportedMonth !== null && month >= urbanPensionReportedMonth) return;
  if (deathMonth !== null && deathReportedMonth !== null && month >= deathReportedMonth) return;
  sim.pension = fixPension(month, sim.paidYears.size, totalFen(sim.balances), sim.policy);
  // "Starting the pension counts as certifying on the first day of the start month."
  const through = certifiedThrough(firstDayOf(month), sim.policy);
  if (through > sim.facts.certifiedThrough) sim.facts.certifiedThrough = through;
}

function payMonth(sim: Simulation, month: Month): void {
  const terms = sim.pension;
  if (terms === null) return;
  const status = monthStatus(month, sim.facts);
  let paidFen = 0;
  let fromAccountFen = 0;
  const owed = monthlyPension(terms, month, sim.policy);
  switch (status) {
    case 'paid':
      paidFen = owed.totalFen;
      fromAccountFen = drawAccount(sim, owed.accountFen);
      break;
    case 'paid-improperly':
      // Drawn as usual; the whole amount is to recover (POLICY "Death").
      paidFen = owed.totalFen;
      fromAccountFen = drawAccount(sim, owed.accountFen);
      sim.recoverFen += paidFen;
      break;
    case 'paid-after-death':
      // From the pooled fund, not the account; recovered from the inheritance first.
      paidFen = owed.totalFen;
      sim.paidAfterDeathFen += paidFen;
      break;
    case 'suspended-certification':
      sim.pendingCertification.push(month);
      break;
    case 'suspended-family-binding':
      sim.pendingBinding.push(month);
      break;
    case 'stopped':
      break;
  }
  const row: MonthRow = { month, status, paidFen, fromAccountFen };
  if (sim.backPaidThisMonthFen > 0) row.backPaidFen = sim.backPaidThisMonthFen;
  sim.months.push(row);
}

function closeYear(sim: Simulation, year: number): void {
  // "No interest is credited for the year of death"; after it the account is settled.
  const interest = sim.deathDate !== null && yearOf(sim.deathDate) <= year ? zeroBalances() : yearlyInterest(sim.januaryFirst, year, sim.policy);
  for (const source of SOURCES) sim.balances[source] += interest[source];
  sim.years.push({ year, interestFen: interest, balanceFen: copyBalances(sim.balances) });
  sim.januaryFirst = copyBalances(sim.balances);
}
