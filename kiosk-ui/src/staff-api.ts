// The staff screens' client of the terminal's staff routes (protocol
// maintenance.ts, issue 13): the cash-box collection and the self-tests.
// Like api.ts, every call answers data or a refusal, and a refusal is shown
// to the staff member in their language (reportRefusal), never dropped.
import { STAFF_API_ROUTES, type CollectionSlipAnswer, type CollectionView, type SelfTestName, type SelfTestResult, type StaffCollectionState, type StaffRefusal } from '@nongbao/protocol/maintenance';
import type { LocalErrorCode } from '@nongbao/protocol/local-api-names';
import { LOCAL_CALL_TIMEOUT_MS, reportRefusal, type Refusal } from './api.js';

/** Printing a slip or a test page takes longer than a touch: the printer's own deadline plus a margin. */
export const STAFF_CALL_TIMEOUT_MS = 30_000;

export type StaffResult<T> = { ok: true; data: T } | { ok: false; code: Refusal };

async function call<T>(method: 'GET' | 'POST', path: string, timeoutMs = LOCAL_CALL_TIMEOUT_MS): Promise<StaffResult<T>> {
  let result: StaffResult<T>;
  try {
    const response = await fetch(path, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(method === 'POST' ? { body: '{}' } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.ok) return { ok: true, data: (await response.json()) as T };
    const error = ((await response.json().catch(() => null)) as { error?: { code?: LocalErrorCode | StaffRefusal } } | null)?.error;
    result = { ok: false, code: error?.code ?? 'internal' };
  } catch {
    result = { ok: false, code: 'unreachable' };
  }
  reportRefusal(result.code);
  return result;
}

const SELF_TEST_PATHS: Record<SelfTestName, string> = {
  printer: STAFF_API_ROUTES.selfTestPrinter.path,
  acceptor: STAFF_API_ROUTES.selfTestAcceptor.path,
  card: STAFF_API_ROUTES.selfTestCard.path,
  gateway: STAFF_API_ROUTES.selfTestGateway.path,
};

export const staffApi = {
  collection: () => call<StaffCollectionState>('GET', STAFF_API_ROUTES.collection.path),
  startCollection: () => call<CollectionSlipAnswer>('POST', STAFF_API_ROUTES.startCollection.path, STAFF_CALL_TIMEOUT_MS),
  finishCollection: () => call<{ collection: CollectionView }>('POST', STAFF_API_ROUTES.finishCollection.path),
  reprintSlip: () => call<CollectionSlipAnswer>('POST', STAFF_API_ROUTES.reprintCollectionSlip.path, STAFF_CALL_TIMEOUT_MS),
  selfTest: (test: SelfTestName) => call<SelfTestResult>('POST', SELF_TEST_PATHS[test], STAFF_CALL_TIMEOUT_MS),
};
