// The shapes the office API answers with, as types only, for typed clients
// (the office console imports them: `import type` from @nongbao/server/api-types,
// erased when it is built, so the console bundle carries no server code).
export type { AccountStatement, PublicityList, CountyCoverage, VillageCoverage, CampaignProgress, Campaign, CampaignDay, Ratio, ResidentPage, ResidentListItem, ResidentSort, Person, AuditEntry, CsvRowError } from '../registry/index.js';
export type { AccountHistory } from '../registry/account-history.js';
export type { RunRecord, RunProgress, PayrollSummary, PayrollLine, InterestSummary, DeathSettlementSummary, DeathSettlementLine, UrbanPensionSummary, UrbanPensionLine } from '../runs/index.js';
export type { PayrollNotPaidLine } from '../runs/payroll.js';
export type { ContributionResult } from '../registry/contributions.js';
export type { CertificationResult } from '../registry/certifications.js';
export type { FleetTerminal, OutboxHalt } from '../gateway/index.js';
export type { DashboardSummary } from './dashboard.js';
export type { ErrorBody } from './errors.js';
export type { Balances } from '../policy/index.js';
export type { KioskPayment } from '../kiosk/kiosk-payments.js';
export type { KioskRequest, RequestKind, RequestState, CertificationPhotoInfo } from '../kiosk/index.js';
export type { CollectionReport } from '../collections/service.js';
export type { DayReport } from '../collections/day.js';
export type { Difference, DifferenceKind, RelayedCashEvent } from '../collections/types.js';
export type { ReconciliationAlarm } from '../gateway/fleet.js';
export type { Rollout, RolloutTerminal, PublishedRelease } from '../updates/index.js';
export type { RolloutTerminalState } from '../updates/states.js';
export type { CollectionListItem } from './collection-routes.js';
