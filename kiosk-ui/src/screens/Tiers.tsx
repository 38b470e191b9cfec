// "Pay this year" (issue 12 section 1): the tiers, each with what it costs,
// what it credits and the monthly pension it leads to at 60 from the policy
// engine, drawn as a bar chart ("pay more, get more"), and the exact-amount
// guidance before the first note; or why nothing can be paid here now.
import { api } from '../api.js';
import { BigButton, Heading, yuan } from '../ui.js';
import type { ScreenProps, ViewOf } from './types.js';

function Bars({ view, t }: { view: ViewOf<'tiers'>; t: ScreenProps<'tiers'>['t'] }) {
  const projected = view.tiers.filter((tier) => tier.projection !== null);
  if (projected.length === 0) return null;
  const highest = Math.max(...projected.map((tier) => tier.projection!.monthlyFen), 1);
  return (
    <figure className="bars" data-testid="projection-chart">
      <figcaption>{t('tiers.moreMore')}</figcaption>
      {projected.map((tier) => (
        <div key={tier.tierYuan} className="bar-row">
          <span className="bar-label">{t('account.tier', { tier: tier.tierYuan })}</span>
          <span className="bar" style={{ width: `${Math.round((tier.projection!.monthlyFen / highest) * 100)}%` }} aria-hidden="true" />
          <span className="bar-value">{yuan(t, tier.projection!.monthlyFen)}</span>
        </div>
      ))}
    </figure>
  );
}

export function Tiers({ view, t }: ScreenProps<'tiers'>) {
  if (view.refusal !== null || view.year === null) {
    return (
      <div className="center">
        <Heading>{t('menu.pay')}</Heading>
        <p className="notice" data-testid="pay-refusal">
          {t(view.refusal ?? 'payment.refused.other')}
        </p>
        <BigButton back icon="back" label={t('nav.back')} testId="back" onPress={() => api.action('back')} />
      </div>
    );
  }
  return (
    <div className="tiers">
      <Heading>{t('tiers.title', { year: view.year })}</Heading>
      <p className="notice" data-testid="no-change">{t('tiers.noChange')}</p>
      {view.offline && <p className="offline-banner">{t('tiers.offline')}</p>}
      <div className="tier-list">
        {view.tiers.map((tier) => (
          <BigButton
            key={tier.tierYuan}
            choice
            icon="cash"
            kind="primary"
            testId={`tier-${tier.tierYuan}`}
            label={t('tiers.pay', { amount: yuan(t, tier.dueFen) })}
            detail={
              <>
                {t('tiers.credited', { amount: yuan(t, tier.creditedFen) })}
                {tier.projection && <> · {t('tiers.projection', { amount: yuan(t, tier.projection.monthlyFen) })}</>}
              </>
            }
            onPress={() => api.pay(tier.tierYuan)}
          />
        ))}
      </div>
      <Bars view={view} t={t} />
      <BigButton back icon="back" label={t('nav.back')} testId="back" onPress={() => api.action('back')} />
    </div>
  );
}
