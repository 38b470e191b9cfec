// The typed client of the terminal's local API (protocol local-api.ts). Every
// call answers ok or a refusal code; the App shows a refusal to the person in
// their language, it is never dropped (issue 12 section 4). A call that does
// not reach the terminal (restarting) is the refusal `unreachable`.
import { LOCAL_API_ROUTES, type KioskLanguage, type LocalErrorCode, type SessionAction } from '@nongbao/protocol/local-api-names';
import type { StaffRefusal } from '@nongbao/protocol/maintenance';

/** How long a call may take before the person is told the kiosk did not answer. */
export const LOCAL_CALL_TIMEOUT_MS = 15_000;

export type Refusal = LocalErrorCode | StaffRefusal | 'unreachable';
export type CallResult = { ok: true } | { ok: false; code: Refusal };

type Listener = (refusal: Refusal) => void;
const listeners = new Set<Listener>();

/** The App listens here to show each refusal. */
export function onRefusal(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Tells every listener about a refusal (the staff client, staff-api.ts, reports its refusals here too). */
export function reportRefusal(code: Refusal): void {
  for (const listener of listeners) listener(code);
}

async function post(path: string, body: unknown): Promise<CallResult> {
  let result: CallResult;
  try {
    const response = await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(LOCAL_CALL_TIMEOUT_MS),
    });
    if (response.ok) return { ok: true };
    const error = ((await response.json().catch(() => null)) as { error?: { code?: LocalErrorCode } } | null)?.error;
    result = { ok: false, code: error?.code ?? 'internal' };
  } catch {
    result = { ok: false, code: 'unreachable' };
  }
  reportRefusal(result.code);
  return result;
}

export const api = {
  action: (action: SessionAction) => post(LOCAL_API_ROUTES.action.path, { action }),
  pay: (tierYuan: number) => post(LOCAL_API_ROUTES.pay.path, { tierYuan }),
  pin: (pin: string) => post(LOCAL_API_ROUTES.pin.path, { pin }),
  language: (language: KioskLanguage) => post(LOCAL_API_ROUTES.language.path, { language }),
  certify: (month: string | null, photoJpegBase64: string | null) => post(LOCAL_API_ROUTES.certify.path, { month, photoJpegBase64 }),
  complaint: (month: string) => post(LOCAL_API_ROUTES.complaint.path, { month }),
};
