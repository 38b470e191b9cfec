import { Heading } from '../ui.js';
import type { ScreenProps } from './types.js';

export function Loading({ view, t }: ScreenProps<'loading'>) {
  return (
    <div className="center">
      <p className="greeting">{t('pin.greeting', { name: view.holderName })}</p>
      <Heading>{t('loading')}</Heading>
    </div>
  );
}
