// Signed updates on the server (issue 13 section 3): published releases and
// their rollouts over the fleet. The office API creates, promotes and halts
// rollouts; the gateway offers, withdraws and records reports; the bundle
// download route serves the files. docs/updates.md describes the whole.
import type { SqlDatabase } from '../sql/types.js';
import { ReleaseStore } from './releases.js';
import { Rollouts } from './rollouts.js';

export { ReleaseStore, type PublishedRelease } from './releases.js';
export { Rollouts, DEFAULT_CANARY_PERCENT, type Rollout, type RolloutTerminal, type ReportOutcome } from './rollouts.js';
export { RolloutError, isRolloutError, ROLLOUT_ERROR_CODES } from './errors.js';
export { bundleDownloadRouter } from './download.js';

export class UpdateService {
  readonly releases: ReleaseStore;
  readonly rollouts: Rollouts;

  constructor(db: SqlDatabase, now?: () => Date) {
    this.releases = new ReleaseStore(db);
    this.rollouts = new Rollouts(db, this.releases, now);
  }
}
