import { api } from '../api.js';
import { Icon } from '../icons.js';
import { BigButton, Heading, yuan } from '../ui.js';
import type { ScreenProps } from './types.js';

export function ComplaintFiled({ view, t }: ScreenProps<'complaint-filed'>) {
  return (
    <div className="center">
      <span className="hero-icon"><Icon name="phone" size={120} /></span>
      <Heading>{t('complaint.title')}</Heading>
      <p className="amount-line" data-testid="complaint">{t('complaint.body', { month: view.month, amount: yuan(t, view.amountFen) })}</p>
      <BigButton choice kind="primary" icon="check" label={t('nav.done')} testId="done" onPress={() => api.action('done')} />
    </div>
  );
}
