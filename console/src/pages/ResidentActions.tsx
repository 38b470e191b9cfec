// The counter writes on a resident's page, each previewed first (components/
// Confirm.tsx; the server's previews make the write in a rolled-back
// transaction). Shown to operators only: an auditor's page has none of them.
import { useState } from 'react';
import type { AccountStatement, CertificationResult, ContributionResult, DeathSettlementLine, Person, UrbanPensionLine } from '@nongbao/server/api-types';
import { useConsole } from '../app/context.js';
import { shanghaiToday, uuidV7, yuan } from '../app/format.js';
import { PreviewThenConfirm } from '../components/Confirm.js';
import { Section } from '../components/Status.js';

const TIERS = [100, 200, 300, 400, 500];

function Credits({ r }: { r: ContributionResult }) {
  const { t } = useConsole();
  return (
    <span data-testid="contribution-credits">
      {t('actions.due', { amount: yuan(r.dueFromPayerFen) })}
      {r.arrears ? ` (${t('resident.arrears')})` : ''} ·{' '}
      {Object.entries(r.creditsFen)
        .filter(([, fen]) => fen > 0)
        .map(([source, fen]) => `${t(`source.${source}`)} ${yuan(fen)}`)
        .join(' · ')}
    </span>
  );
}

function Contribution({ s, onDone }: { s: AccountStatement; onDone: () => void }) {
  const { api, t } = useConsole();
  const today = shanghaiToday();
  const [year, setYear] = useState(Number(today.slice(0, 4)));
  const [tier, setTier] = useState(100);
  const [paidOn, setPaidOn] = useState(today);
  const [reason, setReason] = useState('');
  const [id, setId] = useState(() => uuidV7());
  const body = () => ({
    id,
    citizenNumber: s.citizenNumber,
    year,
    tierYuan: tier,
    paidAt: paidOn === today ? new Date().toISOString() : `${paidOn}T09:00:00+08:00`,
    ...(reason.trim() ? { backdateReason: reason.trim() } : {}),
  });
  return (
    <PreviewThenConfirm
      testId="pay"
      preview={() => api.post<{ result: ContributionResult }>('/contributions/preview', body())}
      confirm={() => api.post<ContributionResult>('/contributions', body())}
      showPreview={(a) => <Credits r={a.result} />}
      showResult={(r) => t('actions.paid', { year: r.year, tier: r.tierYuan })}
      onDone={() => {
        setId(uuidV7());
        onDone();
      }}
    >
      <h3>{t('actions.pay')}</h3>
      <label>
        {t('col.year')}
        <input type="number" data-testid="pay-year" value={year} min={2009} max={2200} onChange={(e) => setYear(Number(e.target.value))} />
      </label>
      <label>
        {t('col.tier')}
        <select data-testid="pay-tier" value={tier} onChange={(e) => setTier(Number(e.target.value))}>
          {TIERS.map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('col.paidOn')}
        <input type="date" data-testid="pay-date" value={paidOn} max={today} onChange={(e) => setPaidOn(e.target.value)} />
      </label>
      {paidOn !== today ? (
        <label>
          {t('actions.backdateReason')}
          <input data-testid="pay-reason" value={reason} onChange={(e) => setReason(e.target.value)} maxLength={200} />
        </label>
      ) : null}
    </PreviewThenConfirm>
  );
}

function Certification({ s, onDone }: { s: AccountStatement; onDone: () => void }) {
  const { api, t } = useConsole();
  const [on, setOn] = useState(shanghaiToday());
  const [id, setId] = useState(() => uuidV7());
  const body = () => ({ id, citizenNumber: s.citizenNumber, certifiedOn: on });
  type Status = { certification: AccountStatement['certification']; pension: AccountStatement['pension'] };
  return (
    <PreviewThenConfirm
      testId="certify"
      preview={() => api.post<{ result: CertificationResult; before: Status; after: Status }>('/certifications/preview', body())}
      confirm={() => api.post<CertificationResult>('/certifications', body())}
      showPreview={(a) =>
        t('actions.certifyAnswer', {
          through: a.result.certifiedThrough,
          before: t(`pension.${a.before.pension.status}`),
          after: t(`pension.${a.after.pension.status}`),
        })
      }
      showResult={(r) => t('actions.certified', { through: r.certifiedThrough })}
      onDone={() => {
        setId(uuidV7());
        onDone();
      }}
    >
      <h3>{t('actions.certify')}</h3>
      <label>
        {t('col.date')}
        <input type="date" data-testid="certify-date" value={on} max={shanghaiToday()} onChange={(e) => setOn(e.target.value)} />
      </label>
    </PreviewThenConfirm>
  );
}

function Death({ s, onDone }: { s: AccountStatement; onDone: () => void }) {
  const { api, t } = useConsole();
  const [deathDate, setDeathDate] = useState('');
  const [reportedOn, setReportedOn] = useState(shanghaiToday());
  const body = () => ({ citizenNumber: s.citizenNumber, deathDate, reportedOn });
  return (
    <PreviewThenConfirm
      testId="death"
      preview={() => api.post<{ person: Person; settlement: DeathSettlementLine | null }>('/reports/deaths/preview', body())}
      confirm={() => api.post<Person>('/reports/deaths', body())}
      showPreview={(a) =>
        a.settlement
          ? t('actions.deathAnswer', {
              months: a.settlement.paidAfterDeathMonths.length,
              inheritable: yuan(a.settlement.inheritableFen),
              pool: yuan(a.settlement.toPoolFen),
              recover: yuan(a.settlement.unrecoveredFen + a.settlement.recoveredFen),
            })
          : t('actions.nothingToSettle')
      }
      showResult={() => t('actions.reported')}
      onDone={onDone}
    >
      <h3>{t('actions.death')}</h3>
      <label>
        {t('actions.deathDate')}
        <input type="date" data-testid="death-date" required value={deathDate} max={shanghaiToday()} onChange={(e) => setDeathDate(e.target.value)} />
      </label>
      <label>
        {t('actions.reportedOn')}
        <input type="date" data-testid="death-reported" required value={reportedOn} max={shanghaiToday()} onChange={(e) => setReportedOn(e.target.value)} />
      </label>
    </PreviewThenConfirm>
  );
}

function UrbanPension({ s, onDone }: { s: AccountStatement; onDone: () => void }) {
  const { api, t } = useConsole();
  const [since, setSince] = useState('');
  const [reportedOn, setReportedOn] = useState(shanghaiToday());
  const body = () => ({ citizenNumber: s.citizenNumber, since, reportedOn });
  return (
    <PreviewThenConfirm
      testId="urban"
      preview={() => api.post<{ person: Person; finding: UrbanPensionLine | null }>('/reports/urban-pensions/preview', body())}
      confirm={() => api.post<Person>('/reports/urban-pensions', body())}
      showPreview={(a) =>
        a.finding ? t('actions.urbanAnswer', { from: a.finding.stopFromMonth, months: a.finding.improperMonths.length, recover: yuan(a.finding.recoverFen) }) : t('actions.nothingToSettle')
      }
      showResult={() => t('actions.reported')}
      onDone={onDone}
    >
      <h3>{t('actions.urban')}</h3>
      <label>
        {t('actions.urbanSince')}
        <input type="date" data-testid="urban-since" required value={since} max={shanghaiToday()} onChange={(e) => setSince(e.target.value)} />
      </label>
      <label>
        {t('actions.reportedOn')}
        <input type="date" data-testid="urban-reported" required value={reportedOn} max={shanghaiToday()} onChange={(e) => setReportedOn(e.target.value)} />
      </label>
    </PreviewThenConfirm>
  );
}

export function ResidentActions({ statement, onChanged }: { statement: AccountStatement; onChanged: () => void }) {
  const { canWrite, t } = useConsole();
  if (!canWrite) return null;
  return (
    <Section title={t('actions.title')} testId="resident-actions">
      <div className="grid actions">
        <Contribution s={statement} onDone={onChanged} />
        <Certification s={statement} onDone={onChanged} />
        {statement.death ? null : <Death s={statement} onDone={onChanged} />}
        {statement.urbanPension ? null : <UrbanPension s={statement} onDone={onChanged} />}
      </div>
    </Section>
  );
}
