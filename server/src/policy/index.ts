// The policy engine (`@nongbao/server/policy`): the only place the scheme's
// rules live (POLICY.md). Pure functions over a person's history and a
// policy; the ledger's runs, the kiosk's projections and `nongbao simulate`
// all call these.
export { PolicyError, PolicyErrorCode, isPolicyError, isScenarioError, formatPath, type FieldIssue } from './errors.js';
export {
  MAX_FEN,
  FEN_PER_YUAN,
  isFen,
  assertFen,
  yuanToFen,
  parseRate,
  isRateInput,
  divideHalfUp,
  applyRateHalfUp,
  divideFenHalfUp,
  type Rate,
  type RateInput,
} from './money.js';
export {
  isIsoDate,
  isMonth,
  assertIsoDate,
  assertMonth,
  yearOf,
  monthOf,
  firstDayOf,
  lastDayOf,
  addMonths,
  monthsBetween,
  ageOn,
  birthdayMonth,
  type IsoDate,
  type Month,
} from './dates.js';
export {
  isValidCitizenNumber,
  parseCitizenNumber,
  birthDateFromCitizenNumber,
  assertBirthDateAgrees,
  citizenCheckChar,
  type CitizenNumberResult,
  type CitizenNumberProblem,
} from './citizen.js';
export { SOURCES, isSource, zeroBalances, totalFen, addBalances, copyBalances, type Source, type Balances } from './sources.js';
export {
  resolvePolicy,
  settingsOn,
  presetSettings,
  basicPensionFen,
  interestRate,
  isKnownTier,
  lowestTierYuan,
  subsidyFen,
  policyOverridesSchema,
  settingsSchema,
  PRESET_NAMES,
  DEFAULT_PRESET,
  type Policy,
  type PolicySettings,
  type PolicyOverrides,
  type PolicyChange,
  type PresetName,
  type BasicPensionEntry,
} from './settings.js';
export {
  enrolmentRefusals,
  contributionWindow,
  requiredYears,
  isEligibleYear,
  type EnrolmentApplicant,
  type EnrolmentRefusalReason,
  type ContributionWindow,
} from './eligibility.js';
export {
  validateContribution,
  CONTRIBUTION_REFUSAL_PRECEDENCE,
  type ContributionRequest,
  type Contributor,
  type ContributionDecision,
  type ContributionRefusalReason,
  type Payer,
} from './contribution.js';
export { yearlyInterest } from './interest.js';
export {
  requirementMetOn,
  pensionStart,
  topUpFen,
  accountPensionFen,
  fixPension,
  monthlyPension,
  type PaidYear,
  type PensionStartFacts,
  type PensionTerms,
  type MonthlyPension,
} from './pension.js';
export { splitAccountDraw, type AccountDraw } from './draw.js';
export { certifiedThrough, isCertifiedFor } from './certification.js';
export {
  monthStatus,
  familyBindingHolds,
  urbanPensionFinding,
  type MonthStatus,
  type RecipientFacts,
  type PaidMonth,
  type UrbanPensionFinding,
} from './recipient.js';
export { settleDeath, type DeathSettlement } from './death.js';
export {
  parseScenario,
  scenarioSchema,
  scenarioEventSchema,
  simulationStartMonth,
  enrolledDateOf,
  MAX_SCENARIO_EVENTS,
  MAX_SIMULATION_MONTHS,
  MAX_EVENT_AMOUNT_FEN,
  MAX_SCENARIO_CHARS,
  type Scenario,
  type ScenarioInput,
  type ScenarioEvent,
  type ScenarioEventInput,
} from './scenario.js';
export { simulate, runSimulation, type SimulationResult, type YearRow, type MonthRow, type SimulationRefusalReason } from './simulate.js';
export { projectPensionAtSixty, projectEveryTier, type PensionProjection, type ProjectionPerson, type ProjectionHistory } from './projection.js';
export { simulateCommand, EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT, type CommandIo } from './cli.js';
