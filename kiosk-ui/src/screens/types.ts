import type { KioskView } from '@nongbao/protocol';
import type { Translate } from '../i18n.js';

export type ViewOf<S extends KioskView['screen']> = Extract<KioskView, { screen: S }>;
export interface ScreenProps<S extends KioskView['screen']> {
  view: ViewOf<S>;
  t: Translate;
}
