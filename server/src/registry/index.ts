// The registry (issue 5 sections 4-5): persons, villages, households (family
// binding), cards, contributions, certifications, death and urban-pension
// reports, office users, and the statements shown at the kiosk and the office.
// Everything lives in the shared SQLite database (server/src/db.ts) beside the
// ledger; every rule comes from the policy engine.
//
// The kiosk gateway and the office API call the same services:
//   const registry = createRegistry({ db, ledger, policy, schemeStart, logger });
//   registry.accountStatement(citizenNumber)
//   registry.recordContribution({ id, citizenNumber, year, tierYuan, channel: 'kiosk', terminalId, paidAt })
import { FUND_ACCOUNT_SPECS } from '../ledger/index.js';
import { CertificationService } from './certifications.js';
import { makeContext, type RegistryContext, type RegistryDeps } from './context.js';
import { ContributionService } from './contributions.js';
import { CoverageService } from './coverage.js';
import { AuditLog } from './audit.js';
import { CreditService } from './credits.js';
import { PersonService } from './persons.js';
import { PersonSearch } from './person-search.js';
import { RecipientFactsReader } from './recipients.js';
import { migrateRegistry } from './schema.js';
import { StatementService } from './statements.js';
import { UserService } from './users.js';

export interface Registry {
  readonly context: RegistryContext;
  readonly persons: PersonService;
  /** The office's resident search, paged by keyset (issue 14). */
  readonly personSearch: PersonSearch;
  readonly contributions: ContributionService;
  readonly certifications: CertificationService;
  readonly recipients: RecipientFactsReader;
  readonly statements: StatementService;
  readonly users: UserService;
  /** POLICY.md "Publicity and coverage": coverage per village and county, campaigns. */
  readonly coverage: CoverageService;
  /** Cash that is a person's credit, not a contribution (kiosk cash it could not book). */
  readonly credits: CreditService;
  /** Who changed what and when. */
  readonly audit: AuditLog;
  accountStatement: StatementService['accountStatement'];
  recordContribution: ContributionService['recordContribution'];
  recordCertification: CertificationService['recordCertification'];
  publicityList: StatementService['publicityList'];
}

/** Creates the registry's tables if missing and the fund accounts, then the services. */
export function createRegistry(deps: RegistryDeps): Registry {
  const context = makeContext(deps);
  migrateRegistry(context.db);
  context.ledger.ensureAccounts([...FUND_ACCOUNT_SPECS]);
  const persons = new PersonService(context);
  const audit = new AuditLog(context);
  const contributions = new ContributionService(context, persons, audit);
  const certifications = new CertificationService(context, persons);
  const recipients = new RecipientFactsReader(context, certifications);
  const credits = new CreditService(context, persons);
  const statements = new StatementService(context, persons, contributions, certifications, recipients, credits);
  const users = new UserService(context.db, context.now);
  const coverage = new CoverageService(context, persons);
  return {
    context,
    persons,
    personSearch: new PersonSearch(context),
    contributions,
    certifications,
    recipients,
    statements,
    users,
    coverage,
    credits,
    audit,
    accountStatement: (citizenNumber) => statements.accountStatement(citizenNumber),
    recordContribution: (input, options) => contributions.recordContribution(input, options),
    recordCertification: (input) => certifications.recordCertification(input),
    publicityList: (villageCode, year) => statements.publicityList(villageCode, year),
  };
}

export { COUNTER_BACKDATE_DAYS_LIMIT, type RegistryDeps, type RegistryContext } from './context.js';
export { AuditLog, AUDIT_PAGE_LIMIT, type AuditEntry } from './audit.js';
export { CreditService, CREDIT_ENTRIES_LIMIT, type CashCreditInput, type CreditEntry } from './credits.js';
export { migrateRegistry } from './schema.js';
export { RegistryError, REGISTRY_ERROR_CODES, isRegistryError, isPolicyRefusal, isNotFound, registryErrorKind } from './errors.js';
export type { RegistryErrorCode, RegistryErrorKind } from './errors.js';
export { PersonService, type Person } from './persons.js';
export {
  PersonSearch,
  residentSearchQuerySchema,
  RESIDENT_SORTS,
  RESIDENT_PAGE_LIMIT,
  RESIDENT_COUNT_LIMIT,
  type ResidentSort,
  type ResidentSearchQuery,
  type ResidentListItem,
  type ResidentPage,
} from './person-search.js';
export { VILLAGE_REGISTER_COLUMNS, CSV_MAX_ROWS, type CsvRowError, type RegisterSource } from './register-import.js';
export { enrolmentStatementFromQuery, resolveEnrolment, type Enrolment, type EnrolmentStatement } from './enrolment.js';
export { ContributionService, PAID_AT_CLOCK_SKEW_MS, type ContributionResult, type ContributionChannel, type ContributionEvaluation } from './contributions.js';
export { CertificationService, type CertificationResult } from './certifications.js';
export { StatementService, maskName, type AccountStatement, type PublicityList, type PensionStatus } from './statements.js';
export { RecipientFactsReader, type FamilyBindingStatus, type PensionRow } from './recipients.js';
export {
  CoverageService,
  ratio,
  campaignInputSchema,
  eligiblePopulationInputSchema,
  COVERAGE_VILLAGES_LIMIT,
  CAMPAIGN_MAX_DAYS,
  type Ratio,
  type VillageCoverage,
  type CountyCoverage,
  type Campaign,
  type CampaignInput,
  type CampaignDay,
  type CampaignProgress,
  type EligiblePopulationInput,
} from './coverage.js';
export { UserService, SESSION_TTL_MS, ROLES, type Role, type OfficeUser, type Session } from './users.js';
export { derivedUuidV7, newUuidV7, isUuidV7 } from './ids.js';
export * from './inputs.js';
