// Help, from any screen (issue 12 section 1): the village agent's name and
// phone from kiosk.config, and a help request the county office sees.
import { api } from '../api.js';
import { Icon } from '../icons.js';
import { BigButton, Heading } from '../ui.js';
import type { ScreenProps } from './types.js';

export function Help({ view, t }: ScreenProps<'help'>) {
  const { contact } = view;
  return (
    <div className="center help">
      <span className="hero-icon"><Icon name="help" size={120} /></span>
      <Heading>{t('help.title')}</Heading>
      {contact.agentName ? (
        <div className="panel" data-testid="agent">
          <p className="amount-line">{t('help.agent', { name: contact.agentName })}</p>
          {contact.agentPhone && <p className="amount-line phone">{t('help.phone', { phone: contact.agentPhone })}</p>}
        </div>
      ) : (
        <p>{t('help.noAgent')}</p>
      )}
      {view.requested ? (
        <p className="notice" role="status" data-testid="help-requested">{t('help.requested')}</p>
      ) : (
        <BigButton choice kind="primary" icon="phone" label={t('help.request')} testId="help-request" onPress={() => api.action('help-request')} />
      )}
      <BigButton back icon="back" label={t('nav.back')} testId="back" onPress={() => api.action('back')} />
    </div>
  );
}
