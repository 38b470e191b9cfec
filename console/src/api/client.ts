// The console's only way to the server: the office API /api/v1, typed by the
// server's own answer types (import type, erased at build).
//
// Auth and CSRF (issue 14 "Security"): the session is the bearer token that
// POST /login answers, kept in this tab's sessionStorage and sent in the
// Authorization header by this code alone. A browser never attaches that
// header on its own (unlike a cookie), so a page on another site cannot make
// a request that carries it: there is no ambient credential to forge with,
// hence no CSRF token is needed. The server sets no CORS headers, so another
// origin's script can neither send the header (the preflight fails) nor read
// an answer. What the scheme needs in return: no script but ours may run in
// the page (the CSP forbids inline and foreign scripts), and the token ends
// with the session (it expires at expiresAt; logout revokes it server-side).
import type { ErrorBody } from '@nongbao/server/api-types';

export type Role = 'operator' | 'auditor';

export interface Session {
  token: string;
  username: string;
  role: Role;
  expiresAt: string;
}

/** An answer other than 2xx, with the API's error code (never branch on the message). */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | undefined,
    readonly details: unknown,
  ) {
    super(message);
  }
}

export const API_BASE = '/api/v1';
/** How long a request may take before the console gives up on it (runs over HTTP wait for the run). */
export const REQUEST_TIMEOUT_MS = 10 * 60_000;

type Query = Record<string, string | number | undefined>;

function withQuery(path: string, query: Query | undefined): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export interface ApiClient {
  get<T>(path: string, query?: Query): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  postCsv<T>(path: string, csv: string, query?: Query): Promise<T>;
  /** Fetches a file with the session and hands it to the browser as a download. */
  download(path: string, query: Query | undefined, filename: string): Promise<void>;
}

export function createClient(session: () => Session | null, onUnauthenticated: () => void): ApiClient {
  async function send(method: string, path: string, init: { body?: string; type?: string; query?: Query } = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const current = session();
    if (current) headers.authorization = `Bearer ${current.token}`;
    if (init.type) headers['content-type'] = init.type;
    const res = await fetch(`${API_BASE}${withQuery(path, init.query)}`, {
      method,
      headers,
      body: init.body,
      credentials: 'omit',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (res.ok) return res;
    let body: ErrorBody | undefined;
    try {
      body = (await res.json()) as ErrorBody;
    } catch {
      body = undefined;
    }
    if (res.status === 401 && path !== '/login') onUnauthenticated();
    const e = body?.error;
    throw new ApiFailure(res.status, e?.code ?? 'http-error', e?.message ?? `HTTP ${res.status}`, e?.field, e?.details);
  }
  return {
    get: async (path, query) => (await (await send('GET', path, { query })).json()) as never,
    post: async (path, body) => (await (await send('POST', path, body === undefined ? {} : { body: JSON.stringify(body), type: 'application/json' })).json()) as never,
    postCsv: async (path, csv, query) => (await (await send('POST', path, { body: csv, type: 'text/csv; charset=utf-8', query })).json()) as never,
    download: async (path, query, filename) => {
      const blob = await (await send('GET', path, { query })).blob();
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = filename;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    },
  };
}
