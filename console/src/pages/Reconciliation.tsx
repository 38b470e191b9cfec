// Reconciliation as the office reads it (issue 13 section 2, issue 14
// "Kiosks": "reconciliation per kiosk and day with differences
// highlighted"): every difference between journal, ledger and counted cash,
// an unexplained one marked as such (it raised an alarm), with the payments
// behind it; a kiosk's day (GET /reconciliation?terminalId=&date=) with its
// CSV (GET /reconciliation.csv, formula cells neutralised by the server).
import { useState } from 'react';
import type { DayReport, Difference } from '@nongbao/server/api-types';
import { useConsole } from '../app/context.js';
import { yuan } from '../app/format.js';
import { useLoad } from '../app/use-load.js';
import { ErrorBox, Loading, Section } from '../components/Status.js';
import { Table } from '../components/Table.js';

export function Differences({ differences, testId }: { differences: readonly Difference[]; testId: string }) {
  const { t } = useConsole();
  return (
    <Table
      caption={t('cash.differences', { count: differences.length })}
      testId={testId}
      rowKey={(d) => `${d.collectionId ?? 'day'}-${d.between}-${d.kind}-${d.denominationFen ?? 0}-${d.payments[0]?.id ?? ''}`}
      rows={differences}
      empty={t('cash.noDifference')}
      rowClass={(d) => (d.explained ? 'diff-explained' : 'diff-unexplained')}
      columns={[
        { key: 'b', header: t('cash.between'), render: (d) => t(`cash.between.${d.between}`) },
        { key: 'k', header: t('cash.kind'), render: (d) => t(`cash.kind.${d.kind}`) + (d.denominationFen ? ` · ${t('cash.yuanNote', { yuan: d.denominationFen / 100 })}` : '') },
        { key: 'a', header: t('col.yuan'), numeric: true, render: (d) => <span data-testid="difference-amount">{yuan(d.amountFen)}</span> },
        { key: 'e', header: t('cash.explained'), render: (d) => (d.explained ? t('cash.yes') : <strong data-testid="difference-unexplained">{t('cash.noAlarm')}</strong>) },
        { key: 'p', header: t('cash.payments'), render: (d) => d.payments.map((p) => `${p.kioskAt.slice(0, 16).replace('T', ' ')} ${yuan(p.amountFen)}`).join('; ') || '—' },
        { key: 'd', header: t('cash.detail'), render: (d) => d.detail },
      ]}
    />
  );
}

function DayFigures({ day }: { day: DayReport }) {
  const { t } = useConsole();
  return (
    <dl className="figures" data-testid="day-figures">
      <div>
        <dt>{t('cash.dayJournal', { payments: day.journal.payments.count, credits: day.journal.credits.count })}</dt>
        <dd data-testid="day-journal">{yuan(day.journal.amountFen)}</dd>
      </div>
      <div>
        <dt>{t('cash.dayLedgerIn')}</dt>
        <dd data-testid="day-ledger-in" className={day.ledger.inFen === day.journal.amountFen ? undefined : 'diff-figure'}>
          {yuan(day.ledger.inFen)}
        </dd>
      </div>
      <div>
        <dt>{t('cash.dayCollected', { count: day.collections.length })}</dt>
        <dd data-testid="day-collected">{yuan(day.ledger.collectedFen)}</dd>
      </div>
      <div>
        <dt>{t('cash.counted')}</dt>
        <dd data-testid="day-counted">{yuan(day.countedFen)}</dd>
      </div>
      <div>
        <dt>{t('cash.explained')}</dt>
        <dd data-testid="day-explained">{day.explained ? t('cash.yes') : t('cash.no')}</dd>
      </div>
    </dl>
  );
}

export function DayReconciliation({ terminals, today }: { terminals: readonly string[]; today: string }) {
  const { api, t } = useConsole();
  const [form, setForm] = useState({ terminalId: '', date: today });
  const [asked, setAsked] = useState<{ terminalId: string; date: string } | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const day = useLoad(async () => (asked ? api.get<DayReport & { kind: 'day' }>('/reconciliation', asked) : undefined), [api, asked]);
  return (
    <Section title={t('cash.day')} testId="day-section">
      <form
        className="search"
        onSubmit={(e) => {
          e.preventDefault();
          setAsked({ ...form });
        }}
      >
        <label>
          {t('kiosks.terminal')}
          <select data-testid="day-terminal" required value={form.terminalId} onChange={(e) => setForm((f) => ({ ...f, terminalId: e.target.value }))}>
            <option value="">—</option>
            {terminals.map((id) => (
              <option key={id} value={id}>
                {id}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('col.date')}
          <input data-testid="day-date" type="date" required value={form.date} max={today} onChange={(e) => setForm((f) => ({ ...f, date: e.target.value }))} />
        </label>
        <button type="submit" data-testid="day-go">
          {t('cash.dayGo')}
        </button>
        {asked ? (
          <button type="button" data-testid="day-csv" onClick={() => api.download('/reconciliation.csv', asked, `reconciliation-${asked.terminalId}-${asked.date}.csv`).catch(setError)}>
            {t('publicity.csv')}
          </button>
        ) : null}
      </form>
      <ErrorBox error={day.error ?? error} />
      <Loading when={day.loading && asked !== undefined && !day.data}>
        {day.data ? (
          <>
            <DayFigures day={day.data} />
            <Differences differences={day.data.differences} testId="day-differences" />
          </>
        ) : null}
      </Loading>
    </Section>
  );
}
