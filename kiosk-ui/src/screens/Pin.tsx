// PIN entry: the screen's keypad (touch, or the keyboard's digits) or, where
// the kiosk has one, the hardware PIN pad (the screen only shows how many
// digits are typed). The PIN goes to the card only.
import { useEffect, useState } from 'react';
import { api } from '../api.js';
import { Heading } from '../ui.js';
import type { ScreenProps } from './types.js';

const PIN_LENGTH = 6;

function Dots({ filled, t }: { filled: number; t: ScreenProps<'pin'>['t'] }) {
  return (
    <div className="dots" role="img" aria-label={t('pin.entered', { count: filled })} data-testid="pin-dots" data-entered={filled}>
      {Array.from({ length: PIN_LENGTH }, (_, i) => (
        <span key={i} className={i < filled ? 'dot filled' : 'dot'} />
      ))}
    </div>
  );
}

function Wrong({ view, t }: ScreenProps<'pin'>) {
  if (!view.wrongPin || view.triesLeft === null) return null;
  return (
    <p className="error" role="alert" data-testid="pin-wrong">
      {t('pin.wrong', { tries: view.triesLeft })}
    </p>
  );
}

export function Pin(props: ScreenProps<'pin'>) {
  const { view, t } = props;
  if (view.pinPad) {
    return (
      <div className="pin">
        <p className="greeting">{t('pin.greeting', { name: view.holderName })}</p>
        <Heading>{t('pin.onPad')}</Heading>
        <Wrong {...props} />
        <Dots filled={view.enteredDigits} t={t} />
        <p className="hint">{t('pin.onPadHint')}</p>
      </div>
    );
  }
  return <TouchPin {...props} />;
}

function TouchPin(props: ScreenProps<'pin'>) {
  const { view, t } = props;
  const [digits, setDigits] = useState('');
  const [sending, setSending] = useState(false);
  const press = (d: string) => setDigits((v) => (v.length < PIN_LENGTH ? v + d : v));
  const submit = async () => {
    if (digits.length !== PIN_LENGTH || sending) return;
    setSending(true);
    try {
      await api.pin(digits);
    } finally {
      setDigits('');
      setSending(false);
    }
  };
  // The keyboard types on the keypad: digits, Backspace, Enter.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (/^[0-9]$/.test(event.key)) press(event.key);
      else if (event.key === 'Backspace') setDigits((v) => v.slice(0, -1));
      // Enter with six digits typed sends them, whatever button has the focus.
      else if (event.key === 'Enter' && digits.length === PIN_LENGTH) void submit();
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });
  return (
    <div className="pin">
      <p className="greeting">{t('pin.greeting', { name: view.holderName })}</p>
      <Heading>{t('pin.prompt')}</Heading>
      <Wrong {...props} />
      <Dots filled={digits.length} t={t} />
      <div className="keypad">
        {['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) => (
          <button type="button" key={d} className="key" onClick={() => press(d)}>
            {d}
          </button>
        ))}
        <button type="button" className="key clear" onClick={() => setDigits('')}>
          {t('pin.clear')}
        </button>
        <button type="button" className="key" onClick={() => press('0')}>
          0
        </button>
        <button type="button" className="key ok" disabled={digits.length !== PIN_LENGTH || sending} onClick={() => void submit()} data-testid="pin-ok">
          {t('pin.ok')}
        </button>
      </div>
    </div>
  );
}
