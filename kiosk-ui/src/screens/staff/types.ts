import type { Diagnostics } from '@nongbao/protocol';
import type { Translate } from '../../i18n.js';

export interface SectionProps {
  d: Diagnostics;
  t: Translate;
}

/** A time as staff read it: YYYY-MM-DD HH:MM (the kiosk's clock, UTC as the terminal sends it). */
export const shortTime = (iso: string) => iso.slice(0, 16).replace('T', ' ');
