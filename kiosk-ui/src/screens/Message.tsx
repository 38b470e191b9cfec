import { Icon } from '../icons.js';
import { Heading } from '../ui.js';
import type { ScreenProps } from './types.js';

/** A refusal or a fault, told by message key (a blocked card is told what to do and where). */
export function Message({ view, t }: ScreenProps<'message'>) {
  return (
    <div className="center">
      <span className="hero-icon warn"><Icon name="warning" size={120} /></span>
      <Heading><span data-testid="message">{t(view.messageKey, view.params)}</span></Heading>
      <p className="hint">{t('message.removeCard')}</p>
    </div>
  );
}
