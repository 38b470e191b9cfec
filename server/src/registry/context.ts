// What every registry service is built from.
import type { Logger } from 'pino';
import pino from 'pino';
import type { SqlDatabase } from '../sql/types.js';
import type { Ledger } from '../ledger/index.js';
import type { Policy } from '../policy/index.js';

export interface RegistryDeps {
  db: SqlDatabase;
  ledger: Ledger;
  /** The county's policy: `resolvePolicy(preset, overrides)` from the policy engine. */
  policy: Policy;
  /** The date the scheme started in the county (POLICY.md "When a pension is paid": F). */
  schemeStart: string;
  logger?: Logger;
  /** Clock in ms; tests pass a fixed one. */
  now?: () => number;
  /** How many days before today a counter payment may be dated (issue 10 section 2); default COUNTER_BACKDATE_DAYS_LIMIT. */
  counterBackdateDaysLimit?: number;
}

/** Default of `counterBackdateDaysLimit`: a month, for a payment taken on paper in a village and brought in. */
export const COUNTER_BACKDATE_DAYS_LIMIT = 31;

export interface RegistryContext {
  db: SqlDatabase;
  ledger: Ledger;
  policy: Policy;
  schemeStart: string;
  logger: Logger;
  now: () => number;
  counterBackdateDaysLimit: number;
}

export function makeContext(deps: RegistryDeps): RegistryContext {
  return {
    db: deps.db,
    ledger: deps.ledger,
    policy: deps.policy,
    schemeStart: deps.schemeStart,
    logger: deps.logger ?? pino({ level: 'silent' }),
    now: deps.now ?? Date.now,
    counterBackdateDaysLimit: deps.counterBackdateDaysLimit ?? COUNTER_BACKDATE_DAYS_LIMIT,
  };
}
