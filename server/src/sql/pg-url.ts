// PostgreSQL URLs as operators type them (issue 15 "Bad input": a `--db` URL
// that is malformed or unreachable gets a one-line error naming it; a URL is
// never taken for a file path). Checked here before libpq sees them, so the
// error says what is wrong with the URL rather than what libpq made of it.

/** How long a connection attempt may take (libpq's connect_timeout, added to a URL that sets none). */
export const PG_CONNECT_TIMEOUT_MS = 10_000;

const PG_SCHEMES = ['postgres:', 'postgresql:'];

export type PgUrlCheck = { ok: true; url: string } | { ok: false; reason: string };

/** The URL with its password replaced by ***: for messages and reports. */
export function redactPgUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*):[^@/]*@/i, '$1:***@');
}

/**
 * Whether `text` is meant as a URL rather than a file path: it starts with a
 * scheme and `://`, or names PostgreSQL's scheme at all (`postgres:x`, a
 * mistyped URL, is still not a file).
 */
export function looksLikeUrl(text: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(text) || /^postgres(ql)?:/i.test(text);
}

/**
 * A postgres:// (or postgresql://) URL checked for what libpq needs: the
 * scheme, `//`, a port that is a number, at most one database name; then with
 * connect_timeout set unless it already is. The reason, when it is not one,
 * is a phrase to follow the URL in a message.
 */
export function checkPgUrl(text: string): PgUrlCheck {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return { ok: false, reason: 'is not a valid URL' };
  }
  if (!PG_SCHEMES.includes(parsed.protocol)) return { ok: false, reason: 'is not a postgres:// URL' };
  if (!/^postgres(ql)?:\/\//i.test(text)) return { ok: false, reason: 'lacks the // after postgres:' };
  if (parsed.port !== '' && !/^\d+$/.test(parsed.port)) return { ok: false, reason: 'has a port that is not a number' };
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (database.includes('/')) return { ok: false, reason: 'names more than one database in its path' };
  if (parsed.hostname === '' && !parsed.searchParams.has('host')) return { ok: false, reason: 'names no host' };
  if (!parsed.searchParams.has('connect_timeout')) parsed.searchParams.set('connect_timeout', String(PG_CONNECT_TIMEOUT_MS / 1000));
  return { ok: true, url: parsed.toString() };
}
