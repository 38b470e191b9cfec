// Cash-box differences nothing explains raise an alarm on the kiosk's fleet
// entry (issue 13 section 2); the office looks into each and resolves it,
// saying what it found (POST /terminals/{id}/reconciliation-alarms/{alarmId}/
// resolve). Listed from GET /terminals, the fleet the Kiosks page shows.
import { useState } from 'react';
import type { FleetTerminal, ReconciliationAlarm } from '@nongbao/server/api-types';
import { useConsole } from '../app/context.js';
import { shanghaiTime, yuan } from '../app/format.js';
import { ErrorBox, Section } from '../components/Status.js';
import { Table } from '../components/Table.js';

function Resolve({ alarm, onDone }: { alarm: ReconciliationAlarm; onDone: () => void }) {
  const { api, t } = useConsole();
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  return (
    <form
      className="inline"
      data-testid={`alarm-resolve-${alarm.id}`}
      onSubmit={(e) => {
        e.preventDefault();
        api.post(`/terminals/${encodeURIComponent(alarm.terminalId)}/reconciliation-alarms/${alarm.id}/resolve`, { note }).then(onDone, setError);
      }}
    >
      <label>
        {t('cash.found')}
        <input data-testid={`alarm-note-${alarm.id}`} required minLength={4} maxLength={500} value={note} onChange={(e) => setNote(e.target.value)} />
      </label>
      <button type="submit" data-testid={`alarm-go-${alarm.id}`}>
        {t('cash.resolve')}
      </button>
      <ErrorBox error={error} />
    </form>
  );
}

export function ReconciliationAlarms({ fleet, onDone }: { fleet: readonly FleetTerminal[]; onDone: () => void }) {
  const { t, canWrite } = useConsole();
  const alarms = fleet.flatMap((k) => k.reconciliationAlarms);
  return (
    <Section title={t('cash.alarms', { count: alarms.length })} testId="reconciliation-alarms">
      <Table
        caption={t('cash.alarmsCaption')}
        testId="alarms"
        rowKey={(a) => `${a.terminalId}-${a.id}`}
        rows={alarms}
        empty={t('cash.noAlarms')}
        rowClass={() => 'diff-unexplained'}
        columns={[
          { key: 'at', header: t('cash.raised'), render: (a) => shanghaiTime(a.raisedAt) },
          { key: 'k', header: t('kiosks.terminal'), render: (a) => <span className="mono">{a.terminalId}</span> },
          { key: 'kind', header: t('cash.kind'), render: (a) => t(`cash.kind.${a.kind}`) + (a.denominationFen ? ` · ${t('cash.yuanNote', { yuan: a.denominationFen / 100 })}` : '') },
          { key: 'a', header: t('col.yuan'), numeric: true, render: (a) => <span data-testid={`alarm-amount-${a.id}`}>{yuan(a.amountFen)}</span> },
          { key: 'd', header: t('cash.detail'), render: (a) => a.detail },
          ...(canWrite ? [{ key: 'r', header: t('kiosks.actions'), render: (a: ReconciliationAlarm) => <Resolve alarm={a} onDone={onDone} /> }] : []),
        ]}
      />
    </Section>
  );
}
