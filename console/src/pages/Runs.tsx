// Runs (issue 14): the yearly interest and the monthly payroll, a dry run
// first (who would be paid, suspended and stopped, and why), then the real
// run, whose progress bar any browser watching this page sees (GET
// /runs/progress, polled); the bank payment file; the run log.
import { useEffect, useRef, useState } from 'react';
import type { InterestSummary, PayrollSummary, RunProgress, RunRecord } from '@nongbao/server/api-types';
import { useConsole } from '../app/context.js';
import { shanghaiTime, shanghaiToday, yuan } from '../app/format.js';
import { href } from '../app/router.js';
import { useLoad } from '../app/use-load.js';
import { ErrorBox, Section } from '../components/Status.js';
import { Pager, Table } from '../components/Table.js';

/** How often the progress is asked for while this page is open. */
export const PROGRESS_POLL_MS = 1_000;

/** The progress of the real run; `onEnded` is told when a run ends (the log then reloads, in every browser watching). */
function ProgressBar({ onEnded }: { onEnded: () => void }) {
  const { api, t } = useConsole();
  /** The end time of the last run seen (undefined until the first answer). */
  const lastEnd = useRef<string | null | undefined>(undefined);
  const [progress, setProgress] = useState<{ running: RunProgress | null; last: RunProgress | null } | undefined>(undefined);
  useEffect(() => {
    let live = true;
    const poll = () =>
      api.get<{ running: RunProgress | null; last: RunProgress | null }>('/runs/progress').then(
        (p) => live && setProgress(p),
        () => undefined,
      );
    void poll();
    const timer = setInterval(() => void poll(), PROGRESS_POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [api]);
  useEffect(() => {
    const end = progress?.last?.finishedAt;
    if (end && lastEnd.current !== undefined && lastEnd.current !== end) onEnded();
    if (progress) lastEnd.current = end ?? null;
  }, [progress, onEnded, lastEnd]);
  const p = progress?.running ?? progress?.last;
  if (!p) return <p data-testid="run-progress-none">{t('runs.noneRunning')}</p>;
  const total = p.totalPersons ?? 0;
  return (
    <div data-testid="run-progress" data-state={p.state} data-run-key={p.runKey ?? ''}>
      <label htmlFor="run-progress-bar">
        {t(`runs.state.${p.state}`, { run: p.runKey ?? p.kind, by: p.startedBy ?? '—' })} · {p.phase ? t(`runs.phase.${p.phase}`) : ''}
      </label>
      <progress id="run-progress-bar" max={Math.max(total, 1)} value={p.state === 'finished' ? Math.max(total, 1) : p.donePersons} />
      <span data-testid="run-progress-count">
        {p.donePersons} / {p.totalPersons ?? '?'}
      </span>
      {p.errorCode ? <span className="error-text"> {p.errorCode}</span> : null}
    </div>
  );
}

function PayrollResult({ s }: { s: PayrollSummary }) {
  const { t } = useConsole();
  return (
    <div data-testid={s.dryRun ? 'payroll-dry' : 'payroll-real'}>
      <p role="status">
        {t(s.dryRun ? 'runs.payrollDry' : 'runs.payrollDone', { month: s.month })}{' '}
        <span data-testid="payroll-paid">{t('runs.paidPersons', { count: s.paidPersons, amount: yuan(s.totalFen) })}</span> ·{' '}
        {t('runs.suspendedMonths', { cert: s.suspendedCertificationMonths, family: s.suspendedFamilyBindingMonths })} · {t('runs.stoppedMonths', { count: s.stoppedMonths })}
      </p>
      <details open={s.dryRun}>
        <summary>{t('runs.wouldPay', { count: s.lines.length })}</summary>
        <Table
          caption={t('runs.wouldPay', { count: s.lines.length })}
          testId="payroll-lines"
          rowKey={(l) => l.citizenNumber}
          rows={s.lines}
          columns={[
            { key: 'cn', header: t('col.citizenNumber'), render: (l) => <a className="mono" href={href(`/residents/${l.citizenNumber}`)}>{l.citizenNumber}</a> },
            { key: 'm', header: t('runs.months'), render: (l) => l.monthsPaid.join(', ') },
            { key: 'a', header: t('col.yuan'), render: (l) => yuan(l.totalFen), numeric: true },
          ]}
        />
      </details>
      <Table
        caption={t('runs.notPaid', { count: s.notPaid.length })}
        testId="payroll-not-paid"
        rowKey={(l) => l.citizenNumber}
        rows={s.notPaid}
        columns={[
          { key: 'cn', header: t('col.citizenNumber'), render: (l) => <a className="mono" href={href(`/residents/${l.citizenNumber}`)}>{l.citizenNumber}</a> },
          {
            key: 'why',
            header: t('runs.why'),
            render: (l) =>
              [
                ...l.monthsSuspended.map((m) => `${m.month} ${t(`month.${m.status}`)}`),
                ...(l.stoppedMonths > 0 ? [t('runs.stopped', { count: l.stoppedMonths, reason: t(`runs.stop.${l.stopReason ?? 'stopped'}`) })] : []),
              ].join('; '),
          },
        ]}
      />
    </div>
  );
}

function Payroll({ onRun }: { onRun: () => void }) {
  const { api, t, canWrite } = useConsole();
  const [month, setMonth] = useState(shanghaiToday().slice(0, 7));
  const [summary, setSummary] = useState<PayrollSummary | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const run = async (dryRun: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      setSummary(await api.post<PayrollSummary>('/runs/payroll', { month, dryRun }));
      if (!dryRun) onRun();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Section title={t('runs.payroll')} testId="runs-payroll">
      <label>
        {t('col.month')}
        <input type="month" data-testid="payroll-month" value={month} onChange={(e) => { setMonth(e.target.value); setSummary(undefined); }} />
      </label>
      <div className="buttons">
        {canWrite ? (
          <>
            <button type="button" data-testid="payroll-dry-run" disabled={busy} onClick={() => void run(true)}>
              {t('runs.dryRun')}
            </button>
            {summary?.dryRun && summary.month === month ? (
              <button type="button" className="primary" data-testid="payroll-run" disabled={busy} onClick={() => void run(false)}>
                {t('runs.runForReal', { month })}
              </button>
            ) : null}
          </>
        ) : null}
        <button type="button" data-testid="bank-file" onClick={() => api.download(`/runs/payroll/${month}/bank-file.csv`, undefined, `payroll-${month}.csv`).catch(setError)}>
          {t('runs.bankFile', { month })}
        </button>
      </div>
      <ErrorBox error={error} />
      {summary ? <PayrollResult s={summary} /> : null}
    </Section>
  );
}

function Interest({ onRun }: { onRun: () => void }) {
  const { api, t, canWrite } = useConsole();
  const [year, setYear] = useState(Number(shanghaiToday().slice(0, 4)) - 1);
  const [summary, setSummary] = useState<InterestSummary | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const run = async (dryRun: boolean) => {
    setError(undefined);
    try {
      setSummary(await api.post<InterestSummary>('/runs/interest', { year, dryRun }));
      if (!dryRun) onRun();
    } catch (e) {
      setError(e);
    }
  };
  if (!canWrite) return null;
  return (
    <Section title={t('runs.interest')} testId="runs-interest">
      <label>
        {t('col.year')}
        <input type="number" data-testid="interest-year" value={year} onChange={(e) => { setYear(Number(e.target.value)); setSummary(undefined); }} />
      </label>
      <div className="buttons">
        <button type="button" data-testid="interest-dry-run" onClick={() => void run(true)}>
          {t('runs.dryRun')}
        </button>
        {summary?.dryRun && summary.year === year ? (
          <button type="button" className="primary" data-testid="interest-run" onClick={() => void run(false)}>
            {t('runs.runForRealYear', { year })}
          </button>
        ) : null}
      </div>
      <ErrorBox error={error} />
      {summary ? (
        <p role="status" data-testid="interest-summary">
          {t(summary.dryRun ? 'runs.interestDry' : 'runs.interestDone', { year: summary.year, persons: summary.creditedPersons, amount: yuan(summary.totalFen) })}
        </p>
      ) : null}
    </Section>
  );
}

/** Runs shown per page of the log (GET /runs answers the latest 100). */
export const RUN_LOG_PER_PAGE = 20;

export function RunsPage() {
  const { api, t } = useConsole();
  const log = useLoad(() => api.get<RunRecord[]>('/runs'), [api]);
  const [logPage, setLogPage] = useState(0);
  const runs = log.data ?? [];
  return (
    <>
      <h1>{t('nav.runs')}</h1>
      <Section title={t('runs.progress')} testId="runs-progress">
        <ProgressBar onEnded={log.reload} />
      </Section>
      <div className="grid">
        <Payroll onRun={log.reload} />
        <Interest onRun={log.reload} />
      </div>
      <Section title={t('runs.log')} testId="runs-log">
        <ErrorBox error={log.error} />
        <Table
          caption={t('runs.log')}
          testId="run-log"
          rowKey={(r) => r.runKey}
          rows={runs.slice(logPage * RUN_LOG_PER_PAGE, (logPage + 1) * RUN_LOG_PER_PAGE)}
          columns={[
            { key: 'k', header: t('runs.run'), render: (r) => <span className="mono">{r.runKey}</span> },
            { key: 's', header: t('runs.started'), render: (r) => shanghaiTime(r.startedAt) },
            { key: 'f', header: t('runs.finished'), render: (r) => shanghaiTime(r.finishedAt) },
            {
              key: 'a',
              header: t('col.yuan'),
              numeric: true,
              render: (r) => {
                const total = (r.summary as { totalFen?: unknown } | null)?.totalFen;
                return typeof total === 'number' ? yuan(total) : '—';
              },
            },
          ]}
        />
        <Pager
          page={logPage + 1}
          hasPrevious={logPage > 0}
          hasNext={(logPage + 1) * RUN_LOG_PER_PAGE < runs.length}
          onPrevious={() => setLogPage((p) => p - 1)}
          onNext={() => setLogPage((p) => p + 1)}
          summary={t('runs.latest', { count: runs.length })}
        />
      </Section>
    </>
  );
}
