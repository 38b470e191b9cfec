// Canonical JSON for signed metadata, in the spirit of TUF's (OLPC canonical
// JSON): object keys sorted, no white space, only strings, safe integers,
// booleans, null, arrays and objects. Two parties that agree on the value
// agree on the bytes, so a signature does not depend on how a file was
// pretty-printed. A float is refused: it has no single spelling.
import { ReleaseError } from './errors.js';

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new ReleaseError('malformed', `signed metadata holds a number that is not a safe integer: ${value}`);
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const keys = Object.keys(value as object).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  throw new ReleaseError('malformed', `signed metadata holds a ${typeof value}`);
}
