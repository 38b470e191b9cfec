// Building blocks every screen uses: a large button with its icon and word
// that cannot be sent twice while its call runs (double taps), the screen
// heading, and money in yuan.
import { useRef, useState, type ButtonHTMLAttributes, type ReactNode } from 'react';
import type { CallResult } from './api.js';
import { Icon, type IconName } from './icons.js';
import { formatFen, type Translate } from './i18n.js';

/** A second tap this soon after the first is the same tap (elderly hands double-tap): ignored. */
export const DOUBLE_TAP_MS = 500;

/** Runs `call` once per tap: not while its previous run is out, not twice within DOUBLE_TAP_MS. */
function useOncePerTap(call: () => Promise<unknown> | void): { busy: boolean; press: () => Promise<void> } {
  const [busy, setBusy] = useState(false);
  const last = useRef(0);
  const running = useRef(false);
  const press = async () => {
    const now = performance.now();
    if (running.current || now - last.current < DOUBLE_TAP_MS) return;
    last.current = now;
    running.current = true;
    setBusy(true);
    try {
      await call();
    } finally {
      running.current = false;
      setBusy(false);
    }
  };
  return { busy, press };
}

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

/** A button whose call runs once however often it is tapped while the call is out (double taps). */
export function GuardedButton({ onPress, children, ...rest }: { onPress: () => Promise<unknown> | void; children: ReactNode } & Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'onClick' | 'type'> & { 'data-testid'?: string }) {
  const { busy, press } = useOncePerTap(onPress);
  return (
    <button type="button" {...rest} aria-busy={busy} onClick={() => void press()}>
      {children}
    </button>
  );
}

export function BigButton({ icon, label, onPress, kind = 'plain', testId, choice, back, disabled, detail }: BigButtonProps) {
  const { busy, press } = useOncePerTap(onPress);
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
