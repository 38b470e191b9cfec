// The /api/v1 routes as data (issue 5 section 5). Each route names its role,
// its body/query/path schemas (zod) and its handler; the express router and
// the OpenAPI document are both built from this one table, so what is
// documented is what is enforced.
import { z } from 'zod';
import { isValidCitizenNumber } from '../policy/index.js';
import {
  bankAccountInputSchema,
  campaignInputSchema,
  cardInputSchema,
  certificationInputSchema,
  citizenNumberField,
  collectiveSubsidyInputSchema,
  contributionInputSchema,
  deathReportInputSchema,
  eligiblePopulationInputSchema,
  enrolmentQuerySchema,
  enrolmentStatementFromQuery,
  householdIdField,
  householdInputSchema,
  monthField,
  personInputSchema,
  urbanPensionReportInputSchema,
  villageCodeField,
  villageInputSchema,
  yearField,
  yearTextField,
  type RegisterSource,
  type Registry,
  AUDIT_PAGE_LIMIT,
} from '../registry/index.js';
import { RegistryError } from '../registry/errors.js';
import { PASSWORD_MAX_LENGTH } from '../registry/password-policy.js';
import type { Role } from '../registry/users.js';
import type { Runs } from '../runs/index.js';
import { ApiError } from './errors.js';
import { publicityCsvLines } from './publicity-csv.js';
import { fleetRoutes } from './fleet-routes.js';
import { collectionRoutes } from './collection-routes.js';
import { kioskRoutes } from './kiosk-routes.js';
import { KioskRequests } from '../kiosk/index.js';
import { previewRoutes } from './previews.js';
import { dashboardSummary } from './dashboard.js';
import { accountHistory } from '../registry/account-history.js';
import { kioskPaymentsOf } from '../kiosk/kiosk-payments.js';
import { residentSearchQuerySchema } from '../registry/index.js';
import type { GatewayState } from '../app.js';
import { Fleet, TerminalRegistry } from '../gateway/index.js';
import { ServerChanges } from '../shared/changes.js';
import { UpdateService } from '../updates/index.js';
import { updateRoutes } from './update-routes.js';
import type { SqlDatabase } from '../sql/types.js';

/** The terminal registry and fleet over a database, for an API mounted without a gateway (tests, tools). */
export function localGatewayState(db: SqlDatabase): GatewayState {
  return { terminals: new TerminalRegistry(db), fleet: new Fleet(db), changes: new ServerChanges(), updates: new UpdateService(db) };
}

export type Access = 'public' | Role;

export interface HandlerInput {
  body: unknown;
  query: unknown;
  params: unknown;
  user: { username: string; role: Role } | undefined;
  /** The bearer token of the request (logout). */
  token: string | undefined;
  /** The peer's address (express's req.ip: the socket's, as no proxy is trusted). */
  clientAddress: string | undefined;
}

/** `audit: false`: a POST that wrote nothing (a preview, a check), so not an entry of the audit log. */
export type HandlerOutput =
  | { status: number; json: unknown; audit?: false }
  | { status: number; csvLines: Iterable<string>; filename: string };

export interface RouteSpec {
  method: 'get' | 'post';
  /** Express path under /api/v1, e.g. `/persons/:citizenNumber`. */
  path: string;
  summary: string;
  access: Access;
  body?: z.ZodType;
  /** `csv`: the body is text/csv (the village register import), handed to the handler as a stream of bytes. */
  bodyType?: 'json' | 'csv';
  query?: z.ZodType;
  params?: z.ZodType;
  /** Documented success status and description. */
  success: { status: number; description: string; csv?: boolean; /** The answer's shape, for the OpenAPI document only (not enforced). */ schema?: z.ZodType };
  handler: (input: HandlerInput) => HandlerOutput | Promise<HandlerOutput>;
}

export interface RouteDeps {
  registry: Registry;
  runs: Runs;
  /** The gateway's terminal registry, fleet and change bus; a local one over the registry's database when absent. */
  gateway?: GatewayState;
}

/** A citizen number in a path: shape by schema, then the GB 11643 check digit by the policy engine. */
const citizenParam = z.strictObject({
  citizenNumber: citizenNumberField.refine((v) => isValidCitizenNumber(v), 'fails the GB 11643 check digit'),
});

export const loginBodySchema = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(200),
});

export const userBodySchema = z.strictObject({
  username: z.string().min(3).max(32),
  // Only bounded here: how strong it must be is password-policy.ts's rule, with its specific error.
  password: z
    .string()
    .max(PASSWORD_MAX_LENGTH)
    .describe(
      'At least 10 characters, not a common password, not containing the user name; under 16 characters, at least two kinds of character. A weaker one: 400 weak-password, details.weakness names the rule.',
    ),
  role: z.enum(['operator', 'auditor']),
});

/** At the office counter the channel is always `counter`. */
export const counterContributionSchema = contributionInputSchema.omit({ channel: true, terminalId: true });
export const counterCertificationSchema = certificationInputSchema.omit({ channel: true, terminalId: true });

/**
 * Every run is a dry run unless the body says `"dryRun": false` (issue 10
 * section 6): a forgotten field or an empty body reports what the run would
 * do and writes nothing, never settles deaths or pays a month by accident.
 */
const dryRunField = z
  .boolean()
  .default(true)
  .describe('Absent or true: report what the run would do and write nothing. A real run must send "dryRun": false.');
export const interestRunSchema = z.strictObject({ year: yearField, dryRun: dryRunField });
export const payrollRunSchema = z.strictObject({ month: monthField, dryRun: dryRunField });
export const settlementRunSchema = z.strictObject({ dryRun: dryRunField });

const json = (status: number, body: unknown): HandlerOutput => ({ status, json: body });

// Query and path parameters are text and are checked as strictly as bodies
// (issue 10 section 5): text fields only, never z.coerce (params.test.ts
// checks every route of this table).
const villageParam = z.strictObject({ villageCode: villageCodeField });
/** A positive whole number in a query string: digits only. */
const countText = z.string().regex(/^[1-9]\d{0,15}$/, 'a positive whole number').transform(Number);
export const auditLogQuerySchema = z.strictObject({
  beforeSeq: countText.optional(),
  limit: countText.pipe(z.int().max(AUDIT_PAGE_LIMIT)).optional(),
  actor: z.string().regex(/^[a-z][a-z0-9._-]{2,31}$/).optional(),
});
export const coverageQuerySchema = z.strictObject({ year: yearTextField });
export const campaignParamsSchema = z.strictObject({ year: yearTextField });
export const campaignProgressQuerySchema = z.strictObject({ villageCode: villageCodeField.optional() });

export function buildRoutes({ registry, runs, gateway }: RouteDeps): RouteSpec[] {
  const gatewayState = gateway ?? localGatewayState(registry.context.db);
  const kioskRequests = new KioskRequests(registry.context.db);
  return [
    ...fleetRoutes(registry, gatewayState),
    ...collectionRoutes(registry, gatewayState),
    ...kioskRoutes(registry.context.db, kioskRequests),
    ...previewRoutes(registry, runs),
    {
      method: 'get',
      path: '/dashboard',
      summary: "Today at a glance: this year's campaign progress per day against the target, county coverage, the villages furthest behind, kiosks needing attention, residents' requests waiting",
      access: 'auditor',
      success: { status: 200, description: 'DashboardSummary' },
      handler: () => json(200, dashboardSummary(registry, gatewayState.fleet, kioskRequests)),
    },
    {
      method: 'get',
      path: '/persons',
      summary:
        'Search residents by citizen-number prefix or name prefix, optionally in one village; names and citizen numbers masked; ' +
        'sorted and paged on the server by keyset (?after= the `next` of the previous page)',
      access: 'auditor',
      query: residentSearchQuerySchema,
      success: { status: 200, description: '{ residents: ResidentListItem[], next, total, totalIsLowerBound, sort, order }' },
      handler: ({ query }) => json(200, registry.personSearch.search(query as z.output<typeof residentSearchQuerySchema>)),
    },
    {
      method: 'post',
      path: '/persons/import/check',
      summary: 'Check a village register (text/csv) as POST /persons/import would, row by row, and import nothing: the same per-row errors, or how many would be registered',
      access: 'operator',
      bodyType: 'csv',
      query: enrolmentQuerySchema,
      success: { status: 200, description: '{ wouldImport }; a wrong row: 400 invalid-csv with details.rows, as the import' },
      handler: async ({ body, query, user }) => {
        const statement = enrolmentStatementFromQuery(query as z.infer<typeof enrolmentQuerySchema>);
        return { status: 200, json: await registry.persons.checkVillageRegister(body as RegisterSource, statement, user?.username), audit: false };
      },
    },
    {
      method: 'get',
      path: '/persons/:citizenNumber/account-history',
      summary: "A personal account's balance by source at the end of every year since enrolment (today's for this year)",
      access: 'auditor',
      params: citizenParam,
      success: { status: 200, description: 'AccountHistory' },
      handler: ({ params }) => json(200, accountHistory(registry.context, registry.persons, (params as { citizenNumber: string }).citizenNumber)),
    },
    {
      method: 'get',
      path: '/persons/:citizenNumber/kiosk-payments',
      summary: "A resident's kiosk payments and cash credits as the gateway booked them: cash, offline (provisional receipt) or not, contribution or credit and why",
      access: 'auditor',
      params: citizenParam,
      success: { status: 200, description: '{ payments: KioskPayment[] }' },
      handler: ({ params }) => {
        const { citizenNumber } = params as { citizenNumber: string };
        registry.persons.get(citizenNumber);
        return json(200, { payments: kioskPaymentsOf(registry.context.db, citizenNumber) });
      },
    },
    {
      method: 'get',
      path: '/runs/progress',
      summary: 'The real run in progress (phase, persons done of total) and the last one to end, for a progress bar any browser can watch',
      access: 'auditor',
      success: { status: 200, description: '{ running: RunProgress | null, last: RunProgress | null }' },
      handler: () => json(200, runs.progress()),
    },
    ...updateRoutes(gatewayState),
    {
      method: 'post',
      path: '/login',
      summary: 'Exchange an office user name and password for a bearer token',
      access: 'public',
      body: loginBodySchema,
      success: { status: 200, description: '{ token, username, role, expiresAt }' },
      handler: ({ body, clientAddress }) => {
        const b = body as z.infer<typeof loginBodySchema>;
        return json(200, registry.users.login(b.username, b.password, clientAddress));
      },
    },
    {
      method: 'post',
      path: '/logout',
      summary: 'End the session of the bearer token',
      access: 'auditor',
      success: { status: 200, description: '{ ok: true }' },
      handler: ({ token }) => {
        if (token) registry.users.logout(token);
        return json(200, { ok: true });
      },
    },
    {
      method: 'post',
      path: '/users',
      summary: 'Create an office user (operator or read-only auditor)',
      access: 'operator',
      body: userBodySchema,
      success: { status: 201, description: '{ username, role }' },
      handler: ({ body }) => {
        const b = body as z.infer<typeof userBodySchema>;
        return json(201, registry.users.createUser(b.username, b.password, b.role));
      },
    },
    {
      method: 'get',
      path: '/audit-log',
      summary: 'The audit log: every write by an office user, newest first (page with ?beforeSeq= the last seq of the previous page)',
      access: 'auditor',
      query: auditLogQuerySchema,
      success: { status: 200, description: '{ entries: [{ seq, at, actor, action, subject, details }] }' },
      handler: ({ query }) => {
        const q = query as z.infer<typeof auditLogQuerySchema>;
        return json(200, { entries: registry.audit.list({ ...(q.beforeSeq !== undefined ? { beforeSeq: q.beforeSeq } : {}), ...(q.actor ? { actor: q.actor } : {}), limit: q.limit ?? 100 }) });
      },
    },
    {
      method: 'post',
      path: '/villages',
      summary: 'Create a village',
      access: 'operator',
      body: villageInputSchema,
      success: { status: 201, description: 'the village' },
      handler: ({ body }) => json(201, registry.persons.createVillage(body)),
    },
    {
      method: 'post',
      path: '/villages/:villageCode/collective-subsidies',
      summary: "Set a village's collective subsidy for a year (POLICY.md Contributions)",
      access: 'operator',
      params: z.strictObject({ villageCode: villageCodeField }),
      body: collectiveSubsidyInputSchema,
      success: { status: 200, description: '{ ok: true }' },
      handler: ({ params, body }) => {
        registry.persons.setCollectiveSubsidy((params as { villageCode: string }).villageCode, body);
        return json(200, { ok: true });
      },
    },
    {
      method: 'get',
      path: '/villages/:villageCode/publicity',
      summary: "A village's yearly publicity list: contributors and pension recipients, names masked",
      access: 'auditor',
      params: villageParam,
      query: coverageQuerySchema,
      success: { status: 200, description: 'PublicityList' },
      handler: ({ params, query }) =>
        json(200, registry.publicityList((params as { villageCode: string }).villageCode, (query as { year: number }).year)),
    },
    {
      method: 'get',
      path: '/villages/:villageCode/publicity.csv',
      summary: "A village's yearly publicity list as CSV for the office to print (the rows of GET /villages/{villageCode}/publicity)",
      access: 'auditor',
      params: villageParam,
      query: coverageQuerySchema,
      success: { status: 200, description: 'section,name,tierYuan,paidOn,monthlyFen,monthlyYuan,certification (UTF-8 with BOM, CRLF)', csv: true },
      handler: ({ params, query }) => {
        const { villageCode } = params as { villageCode: string };
        const { year } = query as { year: number };
        // Built before the response starts, so an unknown village is a JSON 404, not a broken file.
        const list = registry.publicityList(villageCode, year);
        return { status: 200, csvLines: publicityCsvLines(list), filename: `publicity-${villageCode}-${year}.csv` };
      },
    },
    {
      method: 'post',
      path: '/villages/:villageCode/eligible-populations',
      summary: "Set a village's count of those who may enrol for a year, the denominator of enrolment coverage (POLICY.md Publicity and coverage)",
      access: 'operator',
      params: villageParam,
      body: eligiblePopulationInputSchema,
      success: { status: 200, description: '{ villageCode, year, eligiblePersons }' },
      handler: ({ params, body, user }) =>
        json(200, registry.coverage.setEligiblePopulation((params as { villageCode: string }).villageCode, body, user?.username)),
    },
    {
      method: 'get',
      path: '/villages/:villageCode/coverage',
      summary: "A village's coverage for a year: enrolled ÷ those who may enrol, contributions ÷ enrolled under 60",
      access: 'auditor',
      params: villageParam,
      query: coverageQuerySchema,
      success: { status: 200, description: 'VillageCoverage with year and asOf' },
      handler: ({ params, query }) =>
        json(200, registry.coverage.villageCoverage((params as { villageCode: string }).villageCode, (query as { year: number }).year)),
    },
    {
      method: 'get',
      path: '/coverage',
      summary: 'Coverage of every village for a year, and the county total',
      access: 'auditor',
      query: coverageQuerySchema,
      success: { status: 200, description: 'CountyCoverage' },
      handler: ({ query }) => json(200, registry.coverage.countyCoverage((query as { year: number }).year)),
    },
    {
      method: 'post',
      path: '/campaigns',
      summary: "Set or revise a contribution year's collection campaign and the county's target (optionally split by village)",
      access: 'operator',
      body: campaignInputSchema,
      success: { status: 200, description: 'Campaign' },
      handler: ({ body, user }) => json(200, registry.coverage.setCampaign(body, user?.username)),
    },
    {
      method: 'get',
      path: '/campaigns/:year',
      summary: "A contribution year's collection campaign",
      access: 'auditor',
      params: campaignParamsSchema,
      success: { status: 200, description: 'Campaign' },
      handler: ({ params }) => {
        const { year } = params as { year: number };
        const campaign = registry.coverage.campaign(year);
        if (!campaign) throw new ApiError(404, 'not-found', `no collection campaign was set for ${year}`, 'year');
        return json(200, campaign);
      },
    },
    {
      method: 'get',
      path: '/campaigns/:year/progress',
      summary: 'Progress per day of a collection campaign against its target, for the county or one village (?villageCode=)',
      access: 'auditor',
      params: campaignParamsSchema,
      query: campaignProgressQuerySchema,
      success: { status: 200, description: 'CampaignProgress' },
      handler: ({ params, query }) => {
        const { year } = params as { year: number };
        const { villageCode } = query as { villageCode?: string };
        const progress = registry.coverage.campaignProgress(year, villageCode);
        if (!progress) throw new ApiError(404, 'not-found', `no collection campaign was set for ${year}`, 'year');
        return json(200, progress);
      },
    },
    {
      method: 'post',
      path: '/persons',
      summary:
        'Register (enrol) a person; refused with the eligibility reason. The person enrols today, or on the date of enrolmentStatement ' +
        "(old scheme's register), stated by the logged-in operator",
      access: 'operator',
      body: personInputSchema,
      success: { status: 201, description: 'the person' },
      handler: ({ body, user }) => json(201, registry.persons.registerPerson(body, user?.username)),
    },
    {
      method: 'post',
      path: '/persons/import',
      summary:
        'Import a village register (text/csv); any broken row: per-row errors and nothing imported. Everyone enrols today, or, with ' +
        "enrolledOn, source=old-scheme-register and reason, on that date as the logged-in operator states for the old scheme's register",
      access: 'operator',
      bodyType: 'csv',
      query: enrolmentQuerySchema,
      success: { status: 201, description: '{ imported }' },
      handler: async ({ body, query, user }) => {
        const statement = enrolmentStatementFromQuery(query as z.infer<typeof enrolmentQuerySchema>);
        return json(201, await registry.persons.importVillageRegister(body as RegisterSource, statement, user?.username));
      },
    },
    {
      method: 'get',
      path: '/persons/:citizenNumber',
      summary: 'A person in the registry',
      access: 'auditor',
      params: citizenParam,
      success: { status: 200, description: 'the person' },
      handler: ({ params }) => json(200, registry.persons.get((params as { citizenNumber: string }).citizenNumber)),
    },
    {
      method: 'post',
      path: '/persons/:citizenNumber/bank-account',
      summary: "Record or replace the bank account a person's pension is paid into (a payroll refuses to pay anyone without one)",
      access: 'operator',
      params: citizenParam,
      body: bankAccountInputSchema,
      success: { status: 200, description: 'the person' },
      handler: ({ params, body }) => json(200, registry.persons.setBankAccount((params as { citizenNumber: string }).citizenNumber, body)),
    },
    {
      method: 'get',
      path: '/persons/:citizenNumber/statement',
      summary: 'Account statement: balances by source, contributions by year, payments by month, certification, family binding, pension',
      access: 'auditor',
      params: citizenParam,
      success: { status: 200, description: 'AccountStatement' },
      handler: ({ params }) => json(200, registry.accountStatement((params as { citizenNumber: string }).citizenNumber)),
    },
    {
      method: 'post',
      path: '/contributions',
      summary: 'A contribution paid at the office counter (id: UUIDv7 made by the counter)',
      access: 'operator',
      body: counterContributionSchema,
      success: { status: 201, description: 'ContributionResult; 200 with result `exists` for a replay' },
      handler: ({ body, user }) => {
        const result = registry.recordContribution({ ...(body as object), channel: 'counter' }, user ? { actor: user.username } : {});
        if (result.result === 'created') return json(201, result);
        if (result.result === 'exists') return json(200, result);
        throw new RegistryError('id-reused-with-other-content', `contribution id ${result.id} was used for another payment: ${result.result}`, 'id', {
          result: result.result,
        });
      },
    },
    {
      method: 'post',
      path: '/certifications',
      summary: 'Proof of life certified at the office',
      access: 'operator',
      body: counterCertificationSchema,
      success: { status: 201, description: 'CertificationResult; 200 for a replay' },
      handler: ({ body }) => {
        const result = registry.recordCertification({ ...(body as object), channel: 'counter' });
        return json(result.result === 'created' ? 201 : 200, result);
      },
    },
    {
      method: 'post',
      path: '/reports/deaths',
      summary: 'Report a death (settled by the death-settlement run)',
      access: 'operator',
      body: deathReportInputSchema,
      success: { status: 200, description: 'the person' },
      handler: ({ body }) => json(200, registry.persons.reportDeath(body)),
    },
    {
      method: 'post',
      path: '/reports/urban-pensions',
      summary: "Report that a person receives the urban employees' pension (found by the urban-pension run)",
      access: 'operator',
      body: urbanPensionReportInputSchema,
      success: { status: 200, description: 'the person' },
      handler: ({ body }) => json(200, registry.persons.reportUrbanPension(body)),
    },
    {
      method: 'post',
      path: '/households',
      summary: 'Bind household members (family binding)',
      access: 'operator',
      body: householdInputSchema,
      success: { status: 200, description: '{ id, villageCode, members }' },
      handler: ({ body }) => json(200, registry.persons.bindHousehold(body)),
    },
    {
      method: 'get',
      path: '/households/:householdId',
      summary: 'A household and its members',
      access: 'auditor',
      params: z.strictObject({ householdId: householdIdField }),
      success: { status: 200, description: '{ id, villageCode, members }' },
      handler: ({ params }) => json(200, registry.persons.household((params as { householdId: string }).householdId)),
    },
    {
      method: 'post',
      path: '/cards',
      summary: 'Record a social-security card issued to a person',
      access: 'operator',
      body: cardInputSchema,
      success: { status: 201, description: 'the card' },
      handler: ({ body }) => json(201, registry.persons.issueCard(body)),
    },
    {
      method: 'get',
      path: '/runs',
      summary: 'The latest runs and their summaries',
      access: 'auditor',
      success: { status: 200, description: 'RunRecord[]' },
      handler: () => json(200, runs.list()),
    },
    {
      method: 'post',
      path: '/runs/interest',
      summary: 'Credit the yearly interest of a year (31 December); idempotent. A dry run unless the body says "dryRun": false',
      access: 'operator',
      body: interestRunSchema,
      success: { status: 200, description: 'InterestSummary' },
      handler: async ({ body, user }) => {
        const b = body as z.infer<typeof interestRunSchema>;
        return json(200, await runs.interestInTurns(b.year, { dryRun: b.dryRun, ...(user ? { startedBy: user.username } : {}) }));
      },
    },
    {
      method: 'post',
      path: '/runs/payroll',
      summary: 'Run the monthly payroll; idempotent: a month run twice pays nobody twice. A dry run unless the body says "dryRun": false',
      access: 'operator',
      body: payrollRunSchema,
      success: { status: 200, description: 'PayrollSummary' },
      handler: async ({ body, user }) => {
        const b = body as z.infer<typeof payrollRunSchema>;
        return json(200, await runs.payrollInTurns(b.month, { dryRun: b.dryRun, ...(user ? { startedBy: user.username } : {}) }));
      },
    },
    {
      method: 'get',
      path: '/runs/payroll/:month/bank-file.csv',
      summary: "The bank payment file of a month's payroll (text/csv)",
      access: 'auditor',
      params: z.strictObject({ month: monthField }),
      success: { status: 200, description: 'paymentId,citizenNumber,name,bankAccount,amountFen,amountYuan,months', csv: true },
      handler: ({ params }) => {
        const month = (params as { month: string }).month;
        return { status: 200, csvLines: runs.bankFile(month), filename: `payroll-${month}.csv` };
      },
    },
    {
      method: 'post',
      path: '/runs/death-settlement',
      summary: 'Settle every reported death not yet settled (inheritance, return to the pool, recovery). A dry run unless the body says "dryRun": false',
      access: 'operator',
      body: settlementRunSchema,
      success: { status: 200, description: 'DeathSettlementSummary' },
      handler: ({ body }) => json(200, runs.deathSettlement({ dryRun: (body as { dryRun: boolean }).dryRun })),
    },
    {
      method: 'post',
      path: '/runs/urban-pension',
      summary: 'Stop the pensions of reported urban pensioners and record the amounts to recover. A dry run unless the body says "dryRun": false',
      access: 'operator',
      body: settlementRunSchema,
      success: { status: 200, description: 'UrbanPensionSummary' },
      handler: ({ body }) => json(200, runs.urbanPensionFindings({ dryRun: (body as { dryRun: boolean }).dryRun })),
    },
  ];
}
