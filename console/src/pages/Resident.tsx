// A resident's page (issue 14 "Residents"): the account by source with a
// chart of its growth, contributions by year, pension months, proof of
// life with the photos to review, household (family binding), credits; and, for operators, the
// counter writes with the policy engine's answer first (ResidentActions).
import type { AccountHistory, AccountStatement, Balances, KioskPayment, Person } from '@nongbao/server/api-types';
import { useConsole } from '../app/context.js';
import { yuan } from '../app/format.js';
import { href } from '../app/router.js';
import { useLoad } from '../app/use-load.js';
import { LineChart } from '../components/Chart.js';
import { ErrorBox, Loading, Section } from '../components/Status.js';
import { Table } from '../components/Table.js';
import { ResidentActions } from './ResidentActions.js';
import { ResidentPhotos } from './ResidentPhotos.js';

const SOURCES = ['individual', 'collective', 'aid', 'legacy', 'government'] as const satisfies readonly (keyof Balances)[];
const SOURCE_COLORS: Record<(typeof SOURCES)[number], string> = {
  individual: '#1d5fa7',
  collective: '#2e7d32',
  aid: '#8e24aa',
  legacy: '#a35a00',
  government: '#c62828',
};

interface ResidentData {
  person: Person;
  statement: AccountStatement;
  history: AccountHistory;
  household: { id: string; members: string[] } | null;
  kioskPayments: KioskPayment[];
}

function Growth({ history }: { history: AccountHistory }) {
  const { t } = useConsole();
  const last = history.years[history.years.length - 1];
  return (
    <LineChart
      testId="account-chart"
      title={t('resident.growth')}
      summary={t('resident.growthSummary', { from: history.years[0]?.year ?? '', to: last?.year ?? '', total: yuan(last?.totalFen ?? 0) })}
      timeAxis={false}
      xLabel={t('col.year')}
      x={history.years.map((y) => y.year)}
      series={[
        { label: t('resident.total'), values: history.years.map((y) => y.totalFen / 100), color: '#222222' },
        ...SOURCES.map((s) => ({ label: t(`source.${s}`), values: history.years.map((y) => y.balancesFen[s] / 100), color: SOURCE_COLORS[s] })),
      ]}
    />
  );
}

function Account({ s, history }: { s: AccountStatement; history: AccountHistory }) {
  const { t } = useConsole();
  return (
    <Section title={t('resident.account')} testId="resident-account">
      <Table
        caption={t('resident.bySource')}
        testId="balances"
        rowKey={(r) => r}
        rows={SOURCES}
        columns={[
          { key: 's', header: t('col.source'), render: (r) => t(`source.${r}`) },
          { key: 'f', header: t('col.yuan'), render: (r) => <span data-testid={`balance-${r}`}>{yuan(s.balancesFen[r])}</span>, numeric: true },
        ]}
        footer={
          <tr>
            <th scope="row">{t('resident.total')}</th>
            <td className="num" data-testid="balance-total">
              {yuan(s.balanceFen)}
            </td>
          </tr>
        }
      />
      <Growth history={history} />
    </Section>
  );
}

function Pension({ s }: { s: AccountStatement }) {
  const { t } = useConsole();
  return (
    <Section title={t('resident.pension')} testId="resident-pension">
      <dl className="facts">
        <dt>{t('col.status')}</dt>
        <dd data-testid="pension-status">{t(`pension.${s.pension.status}`)}</dd>
        <dt>{t('resident.startMonth')}</dt>
        <dd>{s.pension.startMonth ?? '—'}</dd>
        <dt>{t('resident.monthly')}</dt>
        <dd data-testid="pension-monthly">{s.pension.monthlyFen === null ? '—' : yuan(s.pension.monthlyFen)}</dd>
        <dt>{t('resident.years')}</dt>
        <dd data-testid="contribution-years">
          {t('resident.yearsOf', { paid: s.contributionYears, required: s.requiredYears })}
        </dd>
      </dl>
      <details>
        <summary>{t('resident.months', { count: s.payments.length })}</summary>
        <Table
          caption={t('resident.months', { count: s.payments.length })}
          testId="payments"
          rowKey={(p) => p.month}
          rows={[...s.payments].reverse()}
          columns={[
            { key: 'm', header: t('col.month'), render: (p) => p.month },
            { key: 's', header: t('col.status'), render: (p) => t(`month.${p.status}`) },
            { key: 'a', header: t('col.yuan'), render: (p) => yuan(p.totalFen), numeric: true },
            { key: 'acc', header: t('resident.fromAccount'), render: (p) => yuan(p.fromAccountFen), numeric: true },
          ]}
        />
      </details>
    </Section>
  );
}

function Life({ s, household }: { s: AccountStatement; household: ResidentData['household'] }) {
  const { t } = useConsole();
  return (
    <Section title={t('resident.life')} testId="resident-life">
      <dl className="facts">
        <dt>{t('resident.lastCertified')}</dt>
        <dd data-testid="last-certified">{s.certification.lastCertifiedOn ?? '—'}</dd>
        <dt>{t('resident.certifiedThrough')}</dt>
        <dd data-testid="certified-through">{s.certification.certifiedThrough ?? '—'}</dd>
        <dt>{t('col.status')}</dt>
        <dd>{s.certification.current ? t('resident.certified') : t('resident.lapsed')}</dd>
        <dt>{t('resident.familyBinding')}</dt>
        <dd data-testid="family-binding">{s.familyBinding.applies ? (s.familyBinding.holds ? t('resident.bindingHolds') : t('resident.bindingFails')) : t('resident.bindingNone')}</dd>
        <dt>{t('resident.household')}</dt>
        <dd data-testid="household">
          {household
            ? household.members.map((m) => (
                <a key={m} href={href(`/residents/${m}`)} className="mono member">
                  {m === s.citizenNumber ? `${m} (${t('resident.self')})` : m}
                </a>
              ))
            : '—'}
        </dd>
        {s.death ? (
          <>
            <dt>{t('resident.death')}</dt>
            <dd>{t('resident.deathOn', { date: s.death.deathDate, reported: s.death.reportedOn ?? '—' })}</dd>
          </>
        ) : null}
        {s.urbanPension ? (
          <>
            <dt>{t('resident.urbanPension')}</dt>
            <dd>{t('resident.urbanSince', { date: s.urbanPension.since })}</dd>
          </>
        ) : null}
      </dl>
    </Section>
  );
}

function ContributionsAndCredits({ s }: { s: AccountStatement }) {
  const { t } = useConsole();
  return (
    <Section title={t('resident.contributions')} testId="resident-contributions">
      <Table
        caption={t('resident.contributions')}
        testId="contributions"
        rowKey={(c) => String(c.year)}
        rows={[...s.contributions].reverse()}
        columns={[
          { key: 'y', header: t('col.year'), render: (c) => c.year },
          { key: 'tier', header: t('col.tier'), render: (c) => c.tierYuan, numeric: true },
          { key: 'total', header: t('resident.credited'), render: (c) => yuan(c.totalFen), numeric: true },
          { key: 'on', header: t('col.paidOn'), render: (c) => c.paidOn },
          { key: 'ch', header: t('col.channel'), render: (c) => t(`channel.${c.channel}`) + (c.arrears ? ` · ${t('resident.arrears')}` : '') },
        ]}
      />
      <h3>{t('resident.credits')}</h3>
      <p data-testid="credit-balance">{t('resident.creditBalance', { amount: yuan(s.credits.balanceFen) })}</p>
      {s.credits.entries.length > 0 ? (
        <Table
          caption={t('resident.credits')}
          testId="credits"
          rowKey={(c) => c.id}
          rows={s.credits.entries}
          columns={[
            { key: 'at', header: t('col.date'), render: (c) => c.at.slice(0, 10) },
            { key: 'a', header: t('col.yuan'), render: (c) => `${c.direction === 'out' ? '-' : ''}${yuan(c.amountFen)}`, numeric: true },
            { key: 'k', header: t('kiosks.terminal'), render: (c) => c.terminalId ?? '—' },
            { key: 'r', header: t('resident.reason'), render: (c) => c.reason },
          ]}
        />
      ) : null}
    </Section>
  );
}

/** Kiosk payments as the gateway booked them; one taken offline is marked: the resident holds a provisional receipt. */
function KioskPayments({ payments }: { payments: KioskPayment[] }) {
  const { t } = useConsole();
  return (
    <Section title={t('resident.kioskPayments')} testId="resident-kiosk">
      <Table
        caption={t('resident.kioskPayments')}
        testId="kiosk-payments"
        rowKey={(p) => p.id}
        rows={payments}
        empty={t('resident.noKioskPayments')}
        columns={[
          { key: 'at', header: t('col.date'), render: (p) => p.at.slice(0, 10) },
          { key: 'k', header: t('kiosks.terminal'), render: (p) => <span className="mono">{p.terminalId}</span> },
          { key: 'y', header: t('col.year'), render: (p) => p.year ?? '—' },
          { key: 'a', header: t('col.yuan'), render: (p) => yuan(p.cashFen), numeric: true },
          { key: 'o', header: t('resident.receipt'), render: (p) => (p.offline ? t('resident.provisional') : t('resident.online')) },
          { key: 'b', header: t('resident.bookedAs'), render: (p) => t(`booking.${p.booking}`) + (p.reason ? ` (${p.reason})` : '') },
        ]}
      />
    </Section>
  );
}

export function ResidentPage({ params }: { params: Record<string, string> }) {
  const { api, t } = useConsole();
  const cn = params.citizenNumber ?? '';
  const loaded = useLoad(async (): Promise<ResidentData> => {
    const path = `/persons/${encodeURIComponent(cn)}`;
    const [person, statement, history, kiosk] = await Promise.all([
      api.get<Person>(path),
      api.get<AccountStatement>(`${path}/statement`),
      api.get<AccountHistory>(`${path}/account-history`),
      api.get<{ payments: KioskPayment[] }>(`${path}/kiosk-payments`),
    ]);
    const household = person.householdId ? await api.get<{ id: string; members: string[] }>(`/households/${encodeURIComponent(person.householdId)}`) : null;
    return { person, statement, history, household, kioskPayments: kiosk.payments };
  }, [api, cn]);
  const d = loaded.data;
  return (
    <>
      <p>
        <a href={href('/residents')}>← {t('nav.residents')}</a>
      </p>
      <ErrorBox error={loaded.error} />
      <Loading when={loaded.loading && !d}>
        {d ? (
          <>
            <h1 data-testid="resident-name">
              {d.statement.name} <span className="mono subtle">{d.statement.citizenNumber}</span>
            </h1>
            <p className="subtle">
              {d.statement.villageName} · {t('col.birthDate')} {d.statement.birthDate} · {t('resident.enrolledOn', { date: d.person.enrolledOn })}
            </p>
            <div className="grid">
              <Account s={d.statement} history={d.history} />
              <Pension s={d.statement} />
              <Life s={d.statement} household={d.household} />
              <ResidentPhotos citizenNumber={d.statement.citizenNumber} />
              <ContributionsAndCredits s={d.statement} />
              <KioskPayments payments={d.kioskPayments} />
            </div>
            <ResidentActions statement={d.statement} onChanged={loaded.reload} />
          </>
        ) : null}
      </Loading>
    </>
  );
}
