// Today (issue 14): the campaign at a glance, as the seeds' daily progress
// reports give it (Chencang "逐日公布进度"): contributions this year against
// the county's target, progress per day against the plan, the villages
// furthest behind, the kiosks that need someone, and the residents'
// complaints and help requests waiting. One call: GET /dashboard.
import type { DashboardSummary } from '@nongbao/server/api-types';
import { useConsole } from '../app/context.js';
import { percent, shanghaiTime } from '../app/format.js';
import { href } from '../app/router.js';
import { useLoad } from '../app/use-load.js';
import { LineChart } from '../components/Chart.js';
import { ErrorBox, Loading, Section } from '../components/Status.js';
import { Table } from '../components/Table.js';

function dayToSeconds(date: string): number {
  return Date.parse(`${date}T00:00:00+08:00`) / 1000;
}

function Campaign({ d }: { d: DashboardSummary }) {
  const { t } = useConsole();
  const c = d.campaign;
  if (!c) return <p data-testid="no-campaign">{t('today.noCampaign', { year: d.year })}</p>;
  const x = c.days.map((day) => dayToSeconds(day.date));
  return (
    <>
      <dl className="figures">
        <div>
          <dt>{t('today.contributions')}</dt>
          <dd data-testid="campaign-contributions">{c.total.contributions}</dd>
        </div>
        <div>
          <dt>{t('today.target')}</dt>
          <dd data-testid="campaign-target">{c.targetContributions ?? '—'}</dd>
        </div>
        <div>
          <dt>{t('today.ofTarget')}</dt>
          <dd data-testid="campaign-of-target">{percent(c.total.ofTarget?.basisPoints)}</dd>
        </div>
        <div>
          <dt>{t('today.days')}</dt>
          <dd>
            {c.total.daysElapsed} / {c.total.daysTotal}
          </dd>
        </div>
      </dl>
      <LineChart
        testId="campaign-chart"
        title={t('today.chartTitle', { year: c.year })}
        summary={t('today.chartSummary', { done: c.total.contributions, target: c.targetContributions ?? 0, start: c.startDate, asOf: c.asOf })}
        xLabel={t('col.date')}
        x={x}
        series={[
          { label: t('today.cumulative'), values: c.days.map((day) => day.cumulative), color: '#1d5fa7' },
          { label: t('today.planned'), values: c.days.map((day) => day.plannedCumulative), color: '#8a8a8a', dash: [6, 4] },
        ]}
      />
      <details>
        <summary>{t('today.perDay')}</summary>
        <Table
          caption={t('today.perDay')}
          testId="campaign-days"
          rowKey={(r) => r.date}
          rows={[...c.days].reverse()}
          columns={[
            { key: 'date', header: t('col.date'), render: (r) => r.date },
            { key: 'n', header: t('today.thatDay'), render: (r) => r.contributions, numeric: true },
            { key: 'cum', header: t('today.cumulative'), render: (r) => r.cumulative, numeric: true },
            { key: 'plan', header: t('today.planned'), render: (r) => r.plannedCumulative ?? '—', numeric: true },
          ]}
        />
      </details>
    </>
  );
}

function Waiting({ d }: { d: DashboardSummary }) {
  const { t } = useConsole();
  const kinds = ['pension-complaint', 'help-request'] as const;
  return (
    <Section title={t('today.requests')} testId="today-requests">
      <dl className="figures">
        {kinds.map((kind) => (
          <div key={kind}>
            <dt>{t(`requests.kind.${kind}`)}</dt>
            <dd data-testid={`waiting-${kind}`}>
              <a href={href('/requests', { kind })}>{t('today.waiting', { open: d.requests[kind].open, inHand: d.requests[kind].inHand })}</a>
            </dd>
          </div>
        ))}
      </dl>
    </Section>
  );
}

export function TodayPage() {
  const { api, t } = useConsole();
  const { data, error, loading } = useLoad(() => api.get<DashboardSummary>('/dashboard'), [api]);
  return (
    <>
      <h1>{t('nav.today')}</h1>
      <ErrorBox error={error} />
      <Loading when={loading && !data}>
        {data ? (
          <div className="grid">
            <Section title={t('today.campaign', { year: data.year })} testId="today-campaign">
              <Campaign d={data} />
            </Section>
            <Section title={t('today.coverage')} testId="today-coverage">
              <dl className="figures">
                <div>
                  <dt>{t('col.enrolled')}</dt>
                  <dd data-testid="coverage-enrolled">{data.coverage.enrolled}</dd>
                </div>
                <div>
                  <dt>{t('col.enrolment')}</dt>
                  <dd data-testid="coverage-enrolment">{percent(data.coverage.enrolment?.basisPoints)}</dd>
                </div>
                <div>
                  <dt>{t('col.contributed')}</dt>
                  <dd data-testid="coverage-contributed">
                    {data.coverage.contributed} / {data.coverage.enrolledUnder60}
                  </dd>
                </div>
                <div>
                  <dt>{t('col.contribution')}</dt>
                  <dd data-testid="coverage-contribution">{percent(data.coverage.contribution.basisPoints)}</dd>
                </div>
              </dl>
              <Table
                caption={t('today.behind')}
                testId="villages-behind"
                rowKey={(v) => v.villageCode}
                rows={data.behind}
                columns={[
                  { key: 'v', header: t('col.village'), render: (v) => <a href={href(`/villages/${v.villageCode}/publicity`)}>{v.villageName}</a> },
                  { key: 'c', header: t('col.contributed'), render: (v) => `${v.contributed} / ${v.enrolledUnder60}`, numeric: true },
                  { key: 'p', header: t('col.contribution'), render: (v) => percent(v.contribution.basisPoints), numeric: true },
                ]}
              />
            </Section>
            <Section title={t('today.kiosks')} testId="today-kiosks">
              <dl className="figures">
                <div>
                  <dt>{t('kiosks.online')}</dt>
                  <dd data-testid="fleet-online">
                    {data.fleet.online} / {data.fleet.terminals}
                  </dd>
                </div>
                <div>
                  <dt>{t('kiosks.offline')}</dt>
                  <dd data-testid="fleet-offline">{data.fleet.offline}</dd>
                </div>
                <div>
                  <dt>{t('kiosks.alarms')}</dt>
                  <dd data-testid="fleet-alarms">{data.fleet.withAlarms}</dd>
                </div>
                <div>
                  <dt>{t('kiosks.halts')}</dt>
                  <dd data-testid="fleet-halts">{data.fleet.openHalts}</dd>
                </div>
              </dl>
              <Table
                caption={t('today.attention', { count: data.fleet.attentionCount })}
                testId="kiosks-attention"
                rowKey={(k) => k.terminalId}
                rows={data.fleet.attention}
                empty={t('today.allWell')}
                columns={[
                  { key: 'id', header: t('kiosks.terminal'), render: (k) => <a href={href('/kiosks')}>{k.terminalId}</a> },
                  { key: 'where', header: t('kiosks.location'), render: (k) => k.location ?? '—' },
                  { key: 'online', header: t('kiosks.state'), render: (k) => (k.online ? t('kiosks.online') : t('kiosks.offline')) },
                  { key: 'seen', header: t('kiosks.lastSeen'), render: (k) => shanghaiTime(k.lastSeen) },
                  {
                    key: 'alarms',
                    header: t('kiosks.alarms'),
                    render: (k) => [...k.alarms.map((a) => a.code), ...k.reconciliationAlarms.map((a) => t(`cash.kind.${a.kind}`))].join(', ') || '—',
                  },
                ]}
              />
            </Section>
            <Waiting d={data} />
          </div>
        ) : null}
      </Loading>
    </>
  );
}
