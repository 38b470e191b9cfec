// A small fetch wrapper for the API tests: the app runs on a real port and the
// tests speak HTTP to it. Test support only; not exported from the package.

export interface ApiReply {
  status: number;
  // Tests read the JSON loosely and assert on what they need.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
  text: string;
  headers: Headers;
  type: string;
}

/** Sends one request; `raw` sends a body as is (CSV uploads), `body` as JSON. */
export async function apiCall(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; raw?: string; type?: string } = {},
): Promise<ApiReply> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.raw !== undefined) {
    body = options.raw;
    headers['content-type'] = options.type ?? 'application/json';
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(`${base}${path}`, { method, headers, body });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers, type: res.headers.get('content-type') ?? '' };
}
