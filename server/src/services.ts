// Composes the server's services over one database: ledger, registry (with
// the county's policy), runs, the kiosk service behind the gateway (accounts,
// card authenticity, kiosk money), and the office API.
import type { Logger } from 'pino';
import type { SqlDatabase } from './sql/types.js';
import type { GatewayState, ServerServices } from './app.js';
import type { Ledger } from './ledger/index.js';
import { openServerLedger } from './sql/open.js';
import { resolvePolicy } from './policy/index.js';
import { createRegistry, type Registry } from './registry/index.js';
import { createRuns, type Runs } from './runs/index.js';
import { createApiRouter } from './api/index.js';
import { verifyCardAuthenticationEvidence } from '@nongbao/drivers/card';
import { buildDemoCounty, type DemoCounty } from './demo/county.js';
import { isEmpty, seedDemoCounty } from './demo/seed.js';
import { createKioskService } from './kiosk/index.js';

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
  /** Today's date in the county, YYYY-MM-DD, for building the demo county. */
  today?: string;
  /** How many days back a counter payment may be dated (issue 10 section 2). */
  counterBackdateDaysLimit?: number;
}

export interface ComposedServices extends ServerServices {
  ledger: Ledger;
  registry: Registry;
  runs: Runs;
}

function shanghaiToday(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
}

export function createServerServices(db: SqlDatabase, options: ServerServicesOptions, gateway: GatewayState): ComposedServices {
  const logger = options.logger;
  const demo = options.seedDemo === true ? buildDemoCounty(options.today ?? shanghaiToday()) : options.seedDemo || undefined;
  const schemeStart = options.schemeStart ?? demo?.schemeStart ?? '2010-07-01';
  const ledger = openServerLedger(db, { logger: logger.child({ component: 'ledger' }) });
  const policy = resolvePolicy(options.policyPreset ?? 'xinnongbao-2009', options.policyOverrides);
  const registry = createRegistry({
    db,
    ledger,
    policy,
    schemeStart,
    logger: logger.child({ component: 'registry' }),
    ...(options.counterBackdateDaysLimit !== undefined ? { counterBackdateDaysLimit: options.counterBackdateDaysLimit } : {}),
  });
  const runs = createRuns(registry);
  if (demo && isEmpty(registry)) {
    seedDemoCounty(demo, registry, runs, options.today ?? shanghaiToday(), logger);
    // The demo's office users; a real county creates its own (nongbao add-user).
    registry.users.createUser('operator', DEMO_OFFICE_PASSWORD, 'operator');
    registry.users.createUser('auditor', DEMO_OFFICE_PASSWORD, 'auditor');
  }
  const apiRouter = createApiRouter({ db, ledger, policy, schemeStart, logger: logger.child({ component: 'api' }), registry, runs, gateway });
  const issuerKey = options.issuerKey;
  const kiosk = createKioskService({
    registry,
    policy,
    schemeStart,
    logger: logger.child({ component: 'kiosk' }),
    ...(issuerKey ? { authenticator: { verify: (evidence) => verifyCardAuthenticationEvidence(issuerKey, evidence) } } : {}),
    verifyTerminalSignature: (terminalId, bytes, signature) => gateway.terminals.verifyTerminalSignature(terminalId, bytes, signature),
    alarms: gateway.fleet,
    terminalVillage: (terminalId) => gateway.fleet.site(terminalId).villageCode,
  });
  return { ledger, registry, runs, apiRouter, kiosk, close: () => ledger.close() };
}
