// A demo resident's virtual social-security card, signed with the demo issuer
// key the demo and chaos servers hold: one definition for the demo village
// (cli/demo.ts) and the chaos run's terminals (cli/chaos/entries.ts).
import { DEMO_ISSUER_KEY, makeVirtualCardProfile, type VirtualCardProfile } from '@nongbao/drivers/card';
import type { DemoResident } from '@nongbao/server';

export function demoResidentCardProfile(r: DemoResident): VirtualCardProfile {
  return makeVirtualCardProfile({
    citizenNumber: r.citizenNumber,
    name: r.name,
    pin: r.card.pin,
    cardNumber: r.card.cardNumber,
    cardIdentifier: r.card.cardIdentifier,
    issueDate: r.card.issueDate,
    expiryDate: r.card.expiryDate,
    sex: r.sex,
    // GB/T 3304 ethnicity codes: 01 Han, 04 Tibetan.
    ethnicity: r.ethnicity === 'tibetan' ? '04' : '01',
    issuerKey: DEMO_ISSUER_KEY,
  });
}
