// Kiosks (issue 14): the fleet as the gateways know it (GET /terminals):
// online, last seen, version, devices, outbox depth, alarms, open halts;
// enrol a new kiosk at a village and location and show its one-time code;
// revoke one; settle the entry an outbox stopped at. The cash boxes and
// software updates are the page's other parts (KioskCash, Rollouts).
import { useState } from 'react';
import type { CountyCoverage, FleetTerminal, OutboxHalt } from '@nongbao/server/api-types';
import { useConsole } from '../app/context.js';
import { shanghaiTime, shanghaiToday } from '../app/format.js';
import { useLoad } from '../app/use-load.js';
import { ErrorBox, Loading, Section } from '../components/Status.js';
import { Table, sortRows, type SortState } from '../components/Table.js';
import { KioskTabs } from './KioskTabs.js';

function Enrol({ onDone }: { onDone: () => void }) {
  const { api, t } = useConsole();
  const villages = useLoad(() => api.get<CountyCoverage>('/coverage', { year: shanghaiToday().slice(0, 4) }), [api]);
  const [terminalId, setTerminalId] = useState('');
  const [villageCode, setVillageCode] = useState('');
  const [location, setLocation] = useState('');
  const [issued, setIssued] = useState<{ terminalId: string; code: string; expiresAt: string } | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  return (
    <Section title={t('kiosks.enrol')} testId="kiosk-enrol">
      <form
        className="action"
        onSubmit={(e) => {
          e.preventDefault();
          setError(undefined);
          api.post<{ terminalId: string; code: string; expiresAt: string }>('/terminals', { terminalId, villageCode, location }).then((r) => {
            setIssued(r);
            onDone();
          }, setError);
        }}
      >
        <label>
          {t('kiosks.terminal')}
          <input data-testid="enrol-id" required value={terminalId} onChange={(e) => setTerminalId(e.target.value)} pattern="[a-z0-9][a-z0-9-]{2,62}" placeholder="kiosk-hongyan-01" />
        </label>
        <label>
          {t('col.village')}
          <select data-testid="enrol-village" required value={villageCode} onChange={(e) => setVillageCode(e.target.value)}>
            <option value="">—</option>
            {(villages.data?.villages ?? []).map((v) => (
              <option key={v.villageCode} value={v.villageCode}>
                {v.villageName}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('kiosks.place')}
          <input data-testid="enrol-location" required maxLength={200} value={location} onChange={(e) => setLocation(e.target.value)} />
        </label>
        <div className="buttons">
          <button type="submit" className="primary" data-testid="enrol-go">
            {t('kiosks.enrolGo')}
          </button>
        </div>
      </form>
      <ErrorBox error={error} />
      {issued ? (
        <p role="status" className="done" data-testid="enrol-code">
          {t('kiosks.code', { terminal: issued.terminalId, expires: shanghaiTime(issued.expiresAt) })} <strong className="mono code">{issued.code}</strong>
        </p>
      ) : null}
    </Section>
  );
}

function SettleHalt({ halt, onDone }: { halt: OutboxHalt; onDone: () => void }) {
  const { api, t } = useConsole();
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  return (
    <form
      className="inline"
      onSubmit={(e) => {
        e.preventDefault();
        api.post(`/terminals/${encodeURIComponent(halt.terminalId)}/halts/${halt.eventId}/settle`, { note }).then(onDone, setError);
      }}
    >
      <span className="mono">{halt.kind} {halt.eventId.slice(0, 13)}…</span>
      <label>
        {t('kiosks.settleNote')}
        <input required minLength={4} maxLength={500} value={note} onChange={(e) => setNote(e.target.value)} />
      </label>
      <button type="submit">{t('kiosks.settle')}</button>
      <ErrorBox error={error} />
    </form>
  );
}

function fleetSortValue(k: FleetTerminal, key: string): string | number | null {
  if (key === 'online') return k.online ? 1 : 0;
  if (key === 'seen') return k.lastSeen;
  if (key === 'outbox') return k.outboxPending;
  if (key === 'alarms') return k.alarms.length;
  return k.terminalId;
}

export function KiosksPage() {
  const { api, t, canWrite } = useConsole();
  const fleet = useLoad(() => api.get<{ terminals: FleetTerminal[] }>('/terminals'), [api]);
  const [sort, setSort] = useState<SortState>({ key: 'id', order: 'asc' });
  const [error, setError] = useState<unknown>(undefined);
  const revoke = (k: FleetTerminal) => {
    if (!window.confirm(t('kiosks.revokeConfirm', { terminal: k.terminalId }))) return;
    api.post(`/terminals/${encodeURIComponent(k.terminalId)}/revoke`).then(fleet.reload, setError);
  };
  return (
    <>
      <h1>{t('nav.kiosks')}</h1>
      <KioskTabs current="/kiosks" />
      <ErrorBox error={fleet.error ?? error} />
      <Loading when={fleet.loading && !fleet.data}>
        <Table
          caption={t('kiosks.caption', { count: fleet.data?.terminals.length ?? 0 })}
          testId="fleet"
          rowKey={(k) => k.terminalId}
          rows={sortRows(fleet.data?.terminals ?? [], sort, fleetSortValue)}
          sort={sort}
          onSort={setSort}
          columns={[
            { key: 'id', header: t('kiosks.terminal'), sortable: true, render: (k) => <span className="mono">{k.terminalId}</span> },
            { key: 'where', header: t('kiosks.location'), render: (k) => `${k.villageCode ?? '—'} · ${k.location ?? '—'}` },
            {
              key: 'online',
              header: t('kiosks.state'),
              sortable: true,
              render: (k) => <span data-testid={`state-${k.terminalId}`}>{k.revoked ? t('kiosks.revoked') : !k.enrolled ? t('kiosks.notEnrolled') : k.online ? t('kiosks.online') : t('kiosks.offline')}</span>,
            },
            { key: 'seen', header: t('kiosks.lastSeen'), sortable: true, render: (k) => shanghaiTime(k.lastSeen) },
            { key: 'version', header: t('kiosks.version'), render: (k) => k.softwareVersion ?? '—' },
            { key: 'devices', header: t('kiosks.devices'), render: (k) => k.devices.map((d) => `${d.name}: ${d.state}`).join(', ') || '—' },
            { key: 'outbox', header: t('kiosks.outbox'), sortable: true, numeric: true, render: (k) => `${k.outboxPending ?? '—'}${k.outboxHalted ? ` ${t('kiosks.halted')}` : ''}` },
            { key: 'alarms', header: t('kiosks.alarms'), sortable: true, render: (k) => k.alarms.map((a) => a.code).join(', ') || '—' },
            {
              key: 'halts',
              header: t('kiosks.halts'),
              render: (k) => (canWrite ? k.openHalts.map((h) => <SettleHalt key={h.eventId} halt={h} onDone={fleet.reload} />) : k.openHalts.length || '—'),
            },
            ...(canWrite
              ? [
                  {
                    key: 'revoke',
                    header: t('kiosks.actions'),
                    render: (k: FleetTerminal) =>
                      k.enrolled && !k.revoked ? (
                        <button type="button" className="danger" data-testid={`revoke-${k.terminalId}`} onClick={() => revoke(k)}>
                          {t('kiosks.revoke')}
                        </button>
                      ) : null,
                  },
                ]
              : []),
          ]}
        />
      </Loading>
      {canWrite ? <Enrol onDone={fleet.reload} /> : null}
    </>
  );
}
