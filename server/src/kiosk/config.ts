// What a kiosk keeps for offline use (issue 11 sections 5-6): its village and
// the village agent, where it stands, the cash it may take offline, and the
// contribution tiers in force with their subsidies (POLICY.md
// "Contributions"), so that an offline kiosk offers what the policy offers.
import { PROTOCOL_VERSION, type KioskConfig, type OfflineLimits } from '@nongbao/protocol';
import { settingsOn, subsidyFen, type Policy } from '../policy/index.js';
import { isNotFound, type Registry } from '../registry/index.js';
import { shanghaiDate } from '../registry/time.js';

export interface TerminalSite {
  villageCode: string | null;
  location: string | null;
  offlineLimits: OfflineLimits;
  revision: number;
}

export function kioskConfig(registry: Registry, policy: Policy, site: TerminalSite, nowMs: number): KioskConfig {
  const today = shanghaiDate(nowMs);
  let village: KioskConfig['village'] = null;
  if (site.villageCode !== null) {
    try {
      const v = registry.persons.village(site.villageCode);
      village = { code: v.code, name: v.name, ...registry.persons.villageAgent(v.code) };
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  return {
    v: PROTOCOL_VERSION,
    revision: site.revision,
    village,
    location: site.location,
    offlineLimits: site.offlineLimits,
    tiers: settingsOn(policy, today).tiers.map((tierYuan) => ({ tierYuan, subsidyFen: subsidyFen(policy, tierYuan, today) })),
    photoKey: null,
  };
}
