// The console's Today page in one answer (issue 14 "Today": "the campaign at
// a glance: contributions this year vs the county's target, progress per day,
// the villages furthest behind, kiosks offline or with alarms"). Composed of
// the registry's own reads (coverage.ts) and the fleet (gateway/fleet.ts),
// so its figures are the ones the Villages and Kiosks pages show; and the
// residents' complaints and help requests waiting (kiosk/requests.ts).
import type { Fleet, FleetTerminal } from '../gateway/index.js';
import type { KioskRequests, RequestKind } from '../kiosk/index.js';
import type { CampaignProgress, Registry, VillageCoverage, CountyCoverage } from '../registry/index.js';
import { shanghaiDate } from '../registry/time.js';

/** Villages listed as furthest behind. */
export const DASHBOARD_BEHIND_VILLAGES = 5;
/** Kiosks listed as needing attention (the count covers all). */
export const DASHBOARD_ATTENTION_KIOSKS = 20;

export interface DashboardSummary {
  today: string;
  year: number;
  /** This year's collection campaign, or null when the county has set none. */
  campaign: CampaignProgress | null;
  coverage: CountyCoverage['total'];
  /** The villages with the lowest share of contributions among those enrolled under 60. */
  behind: VillageCoverage[];
  fleet: {
    terminals: number;
    online: number;
    offline: number;
    withAlarms: number;
    openHalts: number;
    /** Enrolled, not revoked, and offline, alarmed or halted. */
    attention: FleetTerminal[];
    attentionCount: number;
  };
  /** Residents' requests from kiosks not yet settled, by kind: open (nobody has them) and in hand. */
  requests: Record<RequestKind, { open: number; inHand: number }>;
}

/** A device alarm, or a cash-box difference nothing explains (issue 13 section 2) not yet resolved. */
function alarmed(t: FleetTerminal): boolean {
  return t.alarms.length > 0 || t.reconciliationAlarms.length > 0;
}

function needsAttention(t: FleetTerminal): boolean {
  return !t.revoked && (!t.online || alarmed(t) || t.openHalts.length > 0);
}

function waitingRequests(requests: KioskRequests): DashboardSummary['requests'] {
  const c = requests.counts();
  return {
    'pension-complaint': { open: c['pension-complaint'].open, inHand: c['pension-complaint']['in-hand'] },
    'help-request': { open: c['help-request'].open, inHand: c['help-request']['in-hand'] },
  };
}

export function dashboardSummary(registry: Registry, fleet: Fleet, requests: KioskRequests): DashboardSummary {
  const today = shanghaiDate(registry.context.now());
  const year = Number(today.slice(0, 4));
  const coverage = registry.coverage.countyCoverage(year);
  const behind = coverage.villages
    .filter((v) => v.contribution.basisPoints !== null)
    .sort((a, b) => a.contribution.basisPoints! - b.contribution.basisPoints! || a.villageCode.localeCompare(b.villageCode))
    .slice(0, DASHBOARD_BEHIND_VILLAGES);
  const terminals = fleet.list().filter((t) => !t.revoked);
  const attention = terminals.filter(needsAttention);
  return {
    today,
    year,
    campaign: registry.coverage.campaignProgress(year) ?? null,
    coverage: coverage.total,
    behind,
    fleet: {
      terminals: terminals.length,
      online: terminals.filter((t) => t.online).length,
      offline: terminals.filter((t) => !t.online).length,
      withAlarms: terminals.filter(alarmed).length,
      openHalts: terminals.reduce((n, t) => n + t.openHalts.length, 0),
      attention: attention.slice(0, DASHBOARD_ATTENTION_KIOSKS),
      attentionCount: attention.length,
    },
    requests: waitingRequests(requests),
  };
}
