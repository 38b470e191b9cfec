import { Heading } from '../ui.js';
import type { ScreenProps } from './types.js';

export function Reading({ t }: ScreenProps<'reading'>) {
  return (
    <div className="center">
      <Heading>{t('reading')}</Heading>
    </div>
  );
}
