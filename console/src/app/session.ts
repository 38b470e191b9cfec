// The session of this browser tab (api/client.ts says why a bearer token in
// sessionStorage): read at start, dropped at its expiry or on any 401.
import type { Session } from '../api/client.js';

const KEY = 'nongbao.console.session';

export function loadSession(nowMs = Date.now()): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    if (typeof s.token !== 'string' || Date.parse(s.expiresAt) <= nowMs) {
      sessionStorage.removeItem(KEY);
      return null;
    }
    return s;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
}

/** Milliseconds until the session expires (never negative). */
export function msUntilExpiry(session: Session, nowMs = Date.now()): number {
  return Math.max(0, Date.parse(session.expiresAt) - nowMs);
}
