import { Icon } from '../icons.js';
import { Heading } from '../ui.js';
import type { ScreenProps } from './types.js';

/** Attract screen: insert the card. */
export function Idle({ t }: ScreenProps<'idle'>) {
  return (
    <div className="center">
      <span className="hero-icon"><Icon name="card" size={160} /></span>
      <Heading>{t('idle.insert')}</Heading>
      <p className="hint">{t('idle.hint')}</p>
    </div>
  );
}
