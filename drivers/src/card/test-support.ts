// Helpers shared by this folder's tests (not exported from index.ts).
import { citizenNumberCheckChar } from './checks.js';
import { makeVirtualCardProfile, type MakeVirtualCardProfileInput, type VirtualCardProfile } from './profile.js';

/** A valid citizen number for a birth date, region 430299 and a sequence number. */
export function citizenNumber(birthDate: string, sequence = 12, region = '430299'): string {
  const first17 = `${region}${birthDate.replaceAll('-', '')}${String(sequence).padStart(3, '0')}`;
  return first17 + citizenNumberCheckChar(first17);
}

export function residentProfile(overrides: Partial<MakeVirtualCardProfileInput> = {}): VirtualCardProfile {
  return makeVirtualCardProfile({ citizenNumber: citizenNumber('1958-03-07'), name: '李秀英', pin: '246810', ...overrides });
}

/** A profile edited after validation, for cards that break the rules on purpose. */
export function editedProfile(base: VirtualCardProfile, edit: (p: VirtualCardProfile) => void): VirtualCardProfile {
  const copy = structuredClone(base);
  edit(copy);
  return copy;
}
