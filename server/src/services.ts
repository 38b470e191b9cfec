// Composes the server's services over one database: ledger, registry (with
// the county's policy), runs, the kiosk accounts seen through the gateway,
// card authenticity, and the office API.
import type { Logger } from 'pino';
import type { SqliteDatabase } from './db.js';
import type { ServerServices } from './app.js';
import { Ledger, cashBoxAccountId, cashBoxAccountSpec, personCreditAccountSpec } from './ledger/index.js';
import { resolvePolicy, settingsOn, validateContribution, type Policy } from './policy/index.js';
import {
  createRegistry,
  isNotFound,
  isPolicyRefusal,
  isRegistryError,
  type AccountStatement,
  type Registry,
} from './registry/index.js';
import { createRuns, type Runs } from './runs/index.js';
import { createApiRouter } from './api/index.js';
import { verifyCardAuthenticationEvidence } from '@nongbao/drivers/card';
import { buildDemoCounty, type DemoCounty } from './demo/county.js';
import { isEmpty, seedDemoCounty } from './demo/seed.js';
import type { AccountSummary, CashCreditSubmit, CertificationSubmit, MoneyResult, PaymentSubmit, Reply } from './protocol/index.js';

/** Password of the demo county's office users `operator` and `auditor`. */
export const DEMO_OFFICE_PASSWORD = 'nongbao-demo';

export interface ServerServicesOptions {
  logger: Logger;
  /** The county's scheme start date (POLICY.md "When a pension is paid"). */
  schemeStart?: string;
  /** Policy preset and overrides (POLICY.md "Presets"). */
  policyPreset?: string;
  policyOverrides?: unknown;
  /** Seed this demo county (or the default one for `true`) into an empty database. */
  seedDemo?: boolean | DemoCounty;
  /** The card issuer key (16 bytes); without it kiosks cannot verify cards. */
  issuerKey?: Buffer;
  /** Today's date in the county, YYYY-MM-DD. */
  today?: string;
}

export interface ComposedServices extends ServerServices {
  ledger: Ledger;
  registry: Registry;
  runs: Runs;
}

type PaymentOffer = Pick<AccountSummary, 'payment' | 'paymentRefusal'>;

/**
 * What this year's contribution would be at the kiosk, per tier, from the
 * policy engine (POLICY.md "Contributions"): the kiosk refuses before any cash
 * is taken, not after. Cash only: a member the government pays for has
 * nothing to pay here.
 */
export function kioskPaymentOffer(registry: Registry, policy: Policy, statement: AccountStatement, schemeStart: string, today: string): PaymentOffer {
  const person = registry.persons.get(statement.citizenNumber);
  if (person.deathDate) return { payment: null, paymentRefusal: 'deceased' };
  if (person.severelyDisabled) return { payment: null, paymentRefusal: 'paid-by-government' };
  const year = Number(today.slice(0, 4));
  const collectiveFen = registry.persons.collectiveSubsidyFen(person.villageCode, year);
  const contributor = {
    birthDate: person.birthDate,
    severelyDisabled: person.severelyDisabled,
    deceased: false,
    schemeStart,
    paidYears: statement.contributions.map((c) => c.year),
  };
  const tiers: NonNullable<AccountSummary['payment']>['tiers'] = [];
  let refusal: string | null = null;
  for (const tierYuan of settingsOn(policy, today).tiers) {
    const decision = validateContribution({ date: today, year, tierYuan, collectiveFen }, contributor, policy);
    if (!decision.ok) {
      refusal ??= decision.reason;
      continue;
    }
    const creditedFen = Object.values(decision.credits).reduce((sum, fen) => sum + fen, 0);
    tiers.push({ tierYuan, dueFen: decision.dueFromPayerFen, creditedFen });
  }
  return tiers.length > 0 ? { payment: { year, tiers }, paymentRefusal: null } : { payment: null, paymentRefusal: refusal ?? 'not-payable' };
}

/** The gateway's account summary: the office statement, trimmed to what the kiosk shows. */
export function kioskSummary(statement: AccountStatement, offer: PaymentOffer = { payment: null, paymentRefusal: null }): AccountSummary {
  return {
    ...offer,
    citizenNumber: statement.citizenNumber,
    villageCode: statement.villageCode,
    villageName: statement.villageName,
    balanceFen: statement.balanceFen,
    balancesFen: { ...statement.balancesFen },
    contributions: statement.contributions.map(({ year, tierYuan, paidOn, totalFen }) => ({ year, tierYuan, paidOn, totalFen })),
    contributionYears: statement.contributionYears,
    requiredYears: statement.requiredYears,
    pension: {
      status: statement.pension.status,
      startMonth: statement.pension.startMonth,
      monthlyFen: statement.pension.monthlyFen,
    },
    certifiedThrough: statement.certifiedThrough,
    asOf: statement.asOf,
  };
}

function shanghaiToday(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
}

export function createServerServices(db: SqliteDatabase, options: ServerServicesOptions): ComposedServices {
  const logger = options.logger;
  const demo = options.seedDemo === true ? buildDemoCounty(options.today ?? shanghaiToday()) : options.seedDemo || undefined;
  const schemeStart = options.schemeStart ?? demo?.schemeStart ?? '2010-07-01';
  const ledger = Ledger.openSqlite(db, { logger: logger.child({ component: 'ledger' }) });
  const policy = resolvePolicy(options.policyPreset ?? 'xinnongbao-2009', options.policyOverrides);
  const registry = createRegistry({
    db,
    ledger,
    policy,
    schemeStart,
    logger: logger.child({ component: 'registry' }),
  });
  const runs = createRuns(registry);
  if (demo && isEmpty(registry)) {
    seedDemoCounty(demo, registry, runs, options.today ?? shanghaiToday(), logger);
    // The demo's office users; a real county creates its own (nongbao add-user).
    registry.users.createUser('operator', DEMO_OFFICE_PASSWORD, 'operator');
    registry.users.createUser('auditor', DEMO_OFFICE_PASSWORD, 'auditor');
  }
  const apiRouter = createApiRouter({ db, ledger, policy, schemeStart, logger: logger.child({ component: 'api' }), registry, runs });
  const issuerKey = options.issuerKey;
  return {
    ledger,
    registry,
    runs,
    apiRouter,
    accounts: {
      summary: (citizenNumber) => {
        try {
          const statement = registry.accountStatement(citizenNumber);
          const today = options.today ?? shanghaiToday();
          return kioskSummary(statement, kioskPaymentOffer(registry, policy, statement, schemeStart, today));
        } catch (error) {
          if (isNotFound(error)) return undefined;
          throw error;
        }
      },
      publicity: (villageCode, year) => {
        try {
          return registry.publicityList(villageCode, year);
        } catch (error) {
          if (isNotFound(error)) return undefined;
          throw error;
        }
      },
      submitPayment: (terminalId, payment) => submitKioskPayment(registry, logger, terminalId, payment),
      submitCashCredit: (terminalId, credit) => submitKioskCashCredit(ledger, registry, logger, terminalId, credit),
      submitCertification: (terminalId, certification) => submitKioskCertification(registry, logger, terminalId, certification),
    },
    ...(issuerKey ? { cardAuthenticator: { verify: (evidence) => verifyCardAuthenticationEvidence(issuerKey, evidence) } } : {}),
    close: () => ledger.close(),
  };
}

/** A kiosk cash contribution, through the same service as the office counter. */
function submitKioskPayment(registry: Registry, logger: Logger, terminalId: string, payment: PaymentSubmit): Reply<MoneyResult> {
  try {
    const result = registry.recordContribution({
      id: payment.id,
      citizenNumber: payment.citizenNumber,
      year: payment.year,
      tierYuan: payment.tierYuan,
      channel: 'kiosk',
      terminalId,
      paidAt: payment.paidAt,
    });
    if (result.result.startsWith('exists_with_different')) {
      // Same id, other content: a kiosk bug or tampering. Refused, and loud.
      logger.error({ event: 'payment.id_conflict', terminalId, paymentId: payment.id, result: result.result });
    } else if (result.dueFromPayerFen !== payment.cashFen) {
      // The policy changed between the kiosk's offer and the booking: the
      // person's money is booked as the contribution; the difference is for
      // the office to settle.
      logger.error({ event: 'payment.cash_mismatch', terminalId, paymentId: payment.id, cashFen: payment.cashFen, dueFen: result.dueFromPayerFen });
    }
    return { ok: true, data: { result: result.result } };
  } catch (error) {
    if (isRegistryError(error) && (isPolicyRefusal(error) || isNotFound(error))) {
      logger.error({ event: 'payment.refused_after_cash', terminalId, paymentId: payment.id, reason: error.code });
      return { ok: false, error: { code: 'refused', message: error.message, reason: error.code } };
    }
    throw error;
  }
}

/** Cash stacked for a payment that did not complete: the person's credit, from the cash box. */
function submitKioskCashCredit(ledger: Ledger, registry: Registry, logger: Logger, terminalId: string, credit: CashCreditSubmit): Reply<MoneyResult> {
  if (!registry.persons.find(credit.citizenNumber)) {
    return { ok: false, error: { code: 'not-found', message: 'no insured person with this citizen number' } };
  }
  ledger.ensureAccounts([cashBoxAccountSpec(terminalId), personCreditAccountSpec(credit.citizenNumber)]);
  const [result] = ledger.createTransfers([
    {
      id: credit.id,
      debitAccountId: cashBoxAccountId(terminalId),
      creditAccountId: personCreditAccountSpec(credit.citizenNumber).id,
      amountFen: credit.amountFen,
      code: 'kiosk.cash-credit',
      at: credit.at,
      meta: { citizenNumber: credit.citizenNumber, terminalId, reason: credit.reason },
    },
  ]);
  if (!result) throw new Error('ledger returned no result');
  if (result.result !== 'created' && result.result !== 'exists') {
    logger.error({ event: 'cash_credit.refused', terminalId, creditId: credit.id, result: result.result });
  }
  return { ok: true, data: { result: result.result } };
}

/** Proof of life from a kiosk, through the same service as the office counter. */
function submitKioskCertification(registry: Registry, logger: Logger, terminalId: string, c: CertificationSubmit): Reply<MoneyResult> {
  try {
    const result = registry.recordCertification({ id: c.id, citizenNumber: c.citizenNumber, certifiedOn: c.certifiedOn, channel: 'kiosk', terminalId });
    return { ok: true, data: { result: result.result } };
  } catch (error) {
    // Anything the registry refuses for what it is (not an internal fault) will not change on a retry.
    if (isRegistryError(error) && error.kind !== 'internal' && error.kind !== 'unauthenticated') {
      logger.error({ event: 'certification.refused', terminalId, certificationId: c.id, reason: error.code });
      return { ok: false, error: { code: 'refused', message: error.message, reason: error.code } };
    }
    throw error;
  }
}
