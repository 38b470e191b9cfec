// Release versions: MAJOR.MINOR.PATCH, digits only, no leading zeros, each
// part at most 6 digits. No pre-release tags: the order must be total and
// obvious, since "the version only goes up" (issue 13 section 3) is decided
// by it. The bound on each part limits a fast-forward (TUF "fast-forward
// attacks"): no version is so high that nothing could follow it.
import { z } from 'zod';

const PART = '(0|[1-9]\\d{0,5})';
const VERSION_PATTERN = new RegExp(`^${PART}\\.${PART}\\.${PART}$`);

export const releaseVersionSchema = z.string().regex(VERSION_PATTERN, 'a version MAJOR.MINOR.PATCH (digits, no leading zeros)');

export function isReleaseVersion(text: string): boolean {
  return VERSION_PATTERN.test(text);
}

function parts(version: string): [number, number, number] {
  if (!isReleaseVersion(version)) throw new Error(`not a release version: ${JSON.stringify(version)}`);
  const [a, b, c] = version.split('.').map(Number);
  return [a!, b!, c!];
}

/** Negative when a < b, zero when equal, positive when a > b. */
export function compareVersions(a: string, b: string): number {
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
  return 0;
}

/** The higher of two versions; `null` counts as lowest. */
export function maxVersion(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return compareVersions(a, b) >= 0 ? a : b;
}
