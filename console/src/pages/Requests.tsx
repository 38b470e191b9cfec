// Complaints and help (issue 14 "Complaints and help"): what residents asked
// at kiosks (GET /kiosk-requests): "I did not receive it" complaints with the
// month and the amount the payroll paid, and help requests; each open, in
// hand or settled. Operators move one forward with a note of what was done
// (POST /kiosk-requests/{id}/state: forward only, the server refuses the
// rest); auditors see the same list without a control.
import { useState } from 'react';
import { maskCitizenNumber } from '@nongbao/protocol/names';
import type { KioskRequest, RequestKind, RequestState } from '@nongbao/server/api-types';
import { useConsole } from '../app/context.js';
import { shanghaiTime, yuan } from '../app/format.js';
import { href } from '../app/router.js';
import { useLoad } from '../app/use-load.js';
import { ErrorBox, Loading } from '../components/Status.js';
import { Table } from '../components/Table.js';

const STATES = ['open', 'in-hand', 'settled'] as const satisfies readonly RequestState[];
const KINDS = ['pension-complaint', 'help-request'] as const satisfies readonly RequestKind[];

/** The moves an operator may make from a state (as kiosk/requests.ts allows them). */
const NEXT: Record<RequestState, readonly Exclude<RequestState, 'open'>[]> = { open: ['in-hand', 'settled'], 'in-hand': ['settled'], settled: [] };

function MoveForward({ request, onDone }: { request: KioskRequest; onDone: () => void }) {
  const { api, t } = useConsole();
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const moves = NEXT[request.state];
  if (moves.length === 0) return null;
  const send = (state: Exclude<RequestState, 'open'>) => {
    setError(undefined);
    api.post(`/kiosk-requests/${request.id}/state`, { state, note }).then(onDone, setError);
  };
  return (
    <form className="inline" data-testid={`request-move-${request.id}`} onSubmit={(e) => e.preventDefault()}>
      <label>
        {t('requests.note')}
        <input data-testid={`request-note-${request.id}`} required minLength={4} maxLength={500} value={note} onChange={(e) => setNote(e.target.value)} />
      </label>
      {moves.map((state) => (
        <button key={state} type="button" data-testid={`request-${state}-${request.id}`} disabled={note.trim().length < 4} onClick={() => send(state)}>
          {t(`requests.to.${state}`)}
        </button>
      ))}
      <ErrorBox error={error} />
    </form>
  );
}

function what(r: KioskRequest, t: ReturnType<typeof useConsole>['t']): string {
  if (r.kind === 'help-request') return t('requests.helpWanted');
  return t('requests.notReceived', { month: r.month ?? '—', amount: r.amountFen === null ? '—' : yuan(r.amountFen) });
}

/** A value of the hash's query if it is one of `allowed`, else `fallback`. */
function pick<T extends string>(value: string | null, allowed: readonly T[], fallback: T | ''): T | '' {
  return value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

export function RequestsPage({ query }: { query: URLSearchParams }) {
  const { api, t, canWrite } = useConsole();
  const [state, setState] = useState<RequestState | ''>(() => pick(query.get('state'), STATES, 'open'));
  const [kind, setKind] = useState<RequestKind | ''>(() => pick(query.get('kind'), KINDS, ''));
  const loaded = useLoad(() => api.get<{ requests: KioskRequest[] }>('/kiosk-requests', { state, kind }), [api, state, kind]);
  const rows = loaded.data?.requests ?? [];
  return (
    <>
      <h1>{t('nav.requests')}</h1>
      <form className="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('col.status')}
          <select data-testid="requests-state" value={state} onChange={(e) => setState(e.target.value as RequestState | '')}>
            <option value="">{t('requests.allStates')}</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {t(`requests.state.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('requests.kind')}
          <select data-testid="requests-kind" value={kind} onChange={(e) => setKind(e.target.value as RequestKind | '')}>
            <option value="">{t('requests.allKinds')}</option>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`requests.kind.${k}`)}
              </option>
            ))}
          </select>
        </label>
      </form>
      <ErrorBox error={loaded.error} />
      <Loading when={loaded.loading && !loaded.data}>
        <Table
          caption={t('requests.caption', { count: rows.length })}
          testId="requests"
          rowKey={(r) => r.id}
          rows={rows}
          empty={t('requests.none')}
          columns={[
            { key: 'at', header: t('requests.received'), render: (r) => shanghaiTime(r.receivedAt) },
            { key: 'kind', header: t('requests.kind'), render: (r) => <span data-testid={`request-kind-${r.id}`}>{t(`requests.kind.${r.kind}`)}</span> },
            { key: 'what', header: t('requests.what'), render: (r) => <span data-testid={`request-what-${r.id}`}>{what(r, t)}</span> },
            {
              key: 'who',
              header: t('requests.who'),
              render: (r) => (r.citizenNumber ? <a className="mono" href={href(`/residents/${r.citizenNumber}`)}>{maskCitizenNumber(r.citizenNumber)}</a> : t('requests.noCard')),
            },
            { key: 'where', header: t('kiosks.location'), render: (r) => `${r.villageCode ?? '—'} · ${r.terminalId}` },
            {
              key: 'state',
              header: t('col.status'),
              render: (r) => (
                <span data-testid={`request-state-${r.id}`} className={`state-${r.state}`}>
                  {t(`requests.state.${r.state}`)}
                </span>
              ),
            },
            { key: 'note', header: t('requests.done'), render: (r) => (r.note ? `${r.note} (${r.stateBy ?? '—'}, ${shanghaiTime(r.stateAt)})` : '—') },
            ...(canWrite ? [{ key: 'move', header: t('kiosks.actions'), render: (r: KioskRequest) => <MoveForward request={r} onDone={loaded.reload} /> }] : []),
          ]}
        />
      </Loading>
    </>
  );
}
