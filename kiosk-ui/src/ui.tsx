// Building blocks every screen uses: a large button with its icon and word
// that cannot be sent twice while its call runs (double taps), the screen
// heading, and money in yuan.
import { useState, type ReactNode } from 'react';
import type { CallResult } from './api.js';
import { Icon, type IconName } from './icons.js';
import { formatFen, type Translate } from './i18n.js';

export interface BigButtonProps {
  icon: IconName;
  label: ReactNode;
  /** The call it makes; the button stays disabled until it answers (one tap, one call). */
  onPress: () => Promise<CallResult | void> | void;
  kind?: 'primary' | 'plain' | 'danger';
  testId?: string;
  /** A numbered choice of the screen (keyboard / PIN pad digits pick it). */
  choice?: boolean;
  /** The screen's "back": Escape / Cancel press it. */
  back?: boolean;
  disabled?: boolean;
  detail?: ReactNode;
}

export function BigButton({ icon, label, onPress, kind = 'plain', testId, choice, back, disabled, detail }: BigButtonProps) {
  const [busy, setBusy] = useState(false);
  const press = async () => {
    if (busy) return;
    setBusy(true);
    try {
      await onPress();
    } finally {
      setBusy(false);
    }
  };
  return (
    <button
      type="button"
      className={`big-button ${kind}`}
      data-testid={testId}
      data-choice={choice ? '' : undefined}
      data-back={back ? '' : undefined}
      disabled={disabled === true || busy}
      aria-busy={busy}
      onClick={() => void press()}
    >
      <Icon name={icon} />
      <span className="label">
        {label}
        {detail && <span className="detail">{detail}</span>}
      </span>
    </button>
  );
}

export function Heading({ children }: { children: ReactNode }) {
  return <h1 className="screen-title">{children}</h1>;
}

export const yuan = (t: Translate, fen: number) => t('money.yuan', { amount: formatFen(fen) });
