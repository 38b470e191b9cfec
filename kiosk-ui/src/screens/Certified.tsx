import { api } from '../api.js';
import { Icon } from '../icons.js';
import { BigButton, Heading } from '../ui.js';
import type { ScreenProps } from './types.js';

export function Certified({ view, t }: ScreenProps<'certified'>) {
  return (
    <div className="center">
      <span className="hero-icon"><Icon name="check" size={120} /></span>
      <Heading><span data-testid="certified">{t('certified.title')}</span></Heading>
      <p className="amount-line">{t('certified.body', { date: view.certifiedOn })}</p>
      {view.photo && <p data-testid="photo-sent">{t('certified.photo')}</p>}
      <BigButton choice kind="primary" icon="check" label={t('nav.done')} testId="done" onPress={() => api.action('done')} />
    </div>
  );
}
