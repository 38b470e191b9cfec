// How people are shown where others can see: the kiosk screen, receipts and
// the publicity lists (POLICY.md "Publicity").

/** A name with its middle masked: 王秀英 -> 王*英, 卓玛 -> 卓*, 扎西多吉 -> 扎**吉. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length <= 1) return chars.join('');
  if (chars.length === 2) return `${chars[0]}*`;
  return chars[0] + '*'.repeat(chars.length - 2) + chars[chars.length - 1];
}

/** A citizen number with the birth date and serial masked: 510322********123X. */
export function maskCitizenNumber(citizenNumber: string): string {
  return `${citizenNumber.slice(0, 6)}********${citizenNumber.slice(14)}`;
}
