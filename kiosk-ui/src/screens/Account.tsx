// "My account" (issue 12 section 1): the balance by source in plain words,
// interest, contributions year by year, the pension month by month, proof of
// life and when it is next due, family binding, payments still provisional,
// and how old the data is when the kiosk is offline.
import { api } from '../api.js';
import { BigButton, Heading, yuan } from '../ui.js';
import { OfflineBanner } from './Menu.js';
import type { ScreenProps, ViewOf } from './types.js';

/** Rows the screen shows without scrolling: the latest years and months. */
const YEARS_SHOWN = 4;
const MONTHS_SHOWN = 3;

type Summary = ViewOf<'account'>['summary'];
/** POLICY.md "The personal account": the sources, as the protocol lists them. */
const SOURCES = ['individual', 'government', 'collective', 'aid', 'legacy'] as const;
type T = ScreenProps<'account'>['t'];

function Balance({ summary, t }: { summary: Summary; t: T }) {
  // Individual and government are always shown; the others when there is some.
  const rows = SOURCES.filter((s) => s === 'individual' || s === 'government' || summary.balancesFen[s] > 0);
  return (
    <section className="panel" aria-labelledby="balance-title">
      <h2 id="balance-title">{t('account.balance')}</h2>
      <p className="amount" data-testid="balance">{yuan(t, summary.balanceFen)}</p>
      <h3>{t('account.bySource')}</h3>
      <dl className="pairs" data-testid="by-source">
        {rows.map((s) => (
          <div key={s}>
            <dt>{t(`source.${s}`)}</dt>
            <dd>{yuan(t, summary.balancesFen[s])}</dd>
          </div>
        ))}
        {summary.interestFen !== null && (
          <div>
            <dt>{t('account.interest')}</dt>
            <dd data-testid="interest">{yuan(t, summary.interestFen)}</dd>
          </div>
        )}
      </dl>
    </section>
  );
}

function Contributions({ summary, t }: { summary: Summary; t: T }) {
  const latest = [...summary.contributions].reverse().slice(0, YEARS_SHOWN);
  return (
    <section className="panel" aria-labelledby="contrib-title">
      <h2 id="contrib-title">{t('account.contributions')}</h2>
      <p data-testid="years">{t('account.years', { paid: summary.contributionYears, required: summary.requiredYears })}</p>
      {latest.length === 0 ? (
        <p>{t('account.none')}</p>
      ) : (
        <dl className="pairs">
          {latest.map((c) => (
            <div key={c.year}>
              <dt>{c.year}</dt>
              <dd>{yuan(t, c.totalFen)}</dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}

function Pension({ summary, t }: { summary: Summary; t: T }) {
  const { pension, certification, familyBinding } = summary;
  const months = [...summary.pensionMonths].reverse().slice(0, MONTHS_SHOWN);
  const status = pension.status === 'paid' && pension.monthlyFen !== null ? t('account.pension.paid', { amount: yuan(t, pension.monthlyFen) }) : t(`account.pension.${pension.status}`);
  return (
    <section className="panel" aria-labelledby="pension-title">
      <h2 id="pension-title">{t('account.pensionMonths')}</h2>
      <p data-testid="pension-status">{status}</p>
      {certification && (
        <p data-testid="certification">
          {certification.current && certification.nextDueMonth ? t('account.cert.current', { month: certification.nextDueMonth }) : t('account.cert.lapsed')}
        </p>
      )}
      {familyBinding && (
        <p data-testid="family-binding">
          {familyBinding.holds
            ? t('account.family.holds', { year: familyBinding.year })
            : t('account.family.unpaid', { year: familyBinding.year, names: familyBinding.unpaidMembers.join('、') })}
        </p>
      )}
      {months.length > 0 && (
        <dl className="pairs" data-testid="pension-months">
          {months.map((m) => (
            <div key={m.month}>
              <dt>{m.month}</dt>
              <dd>
                {yuan(t, m.totalFen)} {t(`month.${m.status}`)}
              </dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}

function Provisional({ view, t }: { view: ViewOf<'account'>; t: T }) {
  return (
    <section className="panel" aria-labelledby="provisional-title" data-testid="provisional">
      <h2 id="provisional-title">{t('account.provisional')}</h2>
      {view.provisional.length === 0 ? (
        <p>{t('account.allConfirmed')}</p>
      ) : (
        <ul>
          {view.provisional.map((p) => (
            <li key={p.paymentId}>{t('account.provisionalRow', { year: p.year, amount: yuan(t, p.cashFen) })}</li>
          ))}
        </ul>
      )}
      {view.summary.creditFen > 0 && <p>{t('account.credit', { amount: yuan(t, view.summary.creditFen) })}</p>}
    </section>
  );
}

export function Account({ view, t }: ScreenProps<'account'>) {
  return (
    <div className="account">
      <p className="greeting">
        <span data-testid="holder-name">{view.holderName}</span> · {view.summary.villageName}
      </p>
      <Heading>{t('account.title')}</Heading>
      <OfflineBanner offline={view.offline} asOf={view.summary.asOf} t={t} />
      <div className="columns">
        <Balance summary={view.summary} t={t} />
        <Contributions summary={view.summary} t={t} />
        <Pension summary={view.summary} t={t} />
        <Provisional view={view} t={t} />
      </div>
      <BigButton back icon="back" label={t('nav.back')} testId="back" onPress={() => api.action('back')} />
    </div>
  );
}
