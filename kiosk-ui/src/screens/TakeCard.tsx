// "Take your card", with a sound (the chime before its prompt, voice.ts).
import { Icon } from '../icons.js';
import { Heading } from '../ui.js';
import type { ScreenProps } from './types.js';

export function TakeCard({ view, t }: ScreenProps<'take-card'>) {
  return (
    <div className="center">
      <span className="hero-icon"><Icon name="card" size={160} /></span>
      <Heading><span data-testid="take-card">{t('takeCard.title')}</span></Heading>
      {view.reason === 'timeout' && <p className="notice">{t('takeCard.timeout')}</p>}
      <p className="hint">{t('takeCard.thanks')}</p>
    </div>
  );
}
