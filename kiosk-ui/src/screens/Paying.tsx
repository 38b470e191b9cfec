// Notes go in; the running total follows each stacked note. Cancel returns
// the note in escrow; what was stacked is kept as the person's credit.
import { api } from '../api.js';
import { Icon } from '../icons.js';
import { BigButton, Heading, yuan } from '../ui.js';
import type { ScreenProps } from './types.js';

export function Paying({ view, t }: ScreenProps<'paying'>) {
  const { dueFen, stackedFen, offline } = view.progress;
  return (
    <div className="center paying">
      <span className="hero-icon"><Icon name="cash" size={120} /></span>
      <Heading>{t('paying.insert')}</Heading>
      <p className="notice">{t('tiers.noChange')}</p>
      {offline && <p className="offline-banner">{t('tiers.offline')}</p>}
      <p className="amount-line">{t('paying.due', { amount: yuan(t, dueFen) })}</p>
      <p className="amount-line" data-testid="inserted" aria-live="polite">
        {t('paying.inserted', { amount: yuan(t, stackedFen) })}
      </p>
      <p className="amount-line remaining">{t('paying.remaining', { amount: yuan(t, dueFen - stackedFen) })}</p>
      <BigButton back kind="danger" icon="cross" label={t('paying.cancel')} testId="cancel-payment" onPress={() => api.action('cancel-payment')} />
    </div>
  );
}
