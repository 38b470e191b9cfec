// The kiosk touchscreen (issue 12): big type, high contrast, one decision per
// screen, every action a large button with an icon, voice on every screen,
// four languages on every screen, keyboard and PIN pad navigation. It renders
// the terminal's state (local API) and posts what the person touched.
import { useEffect, useMemo, useState } from 'react';
import { DEFAULT_KIOSK_LANGUAGE } from '@nongbao/protocol/local-api-names';
import type { KioskView } from '@nongbao/protocol';
import { api, onRefusal, type Refusal } from './api.js';
import { useKioskConnection } from './connection.js';
import { DemoPanel } from './DemoPanel.js';
import { ErrorBoundary } from './ErrorBoundary.js';
import { LANGUAGES, LANGUAGE_NAMES, translate, type Language, type Translate } from './i18n.js';
import { Icon } from './icons.js';
import { GuardedButton } from './ui.js';
import { useKeyNavigation } from './navigation.js';
import { Screen, screenPrompt } from './screens/index.js';
import { playPrompt, useCountdownWarning, useScreenPrompt } from './voice.js';

/** Screens without the help button: help is not offered mid-payment or while the card is read. */
const NO_HELP = new Set<KioskView['screen']>(['paying', 'reading', 'loading', 'help']);

function Countdown({ seconds, t }: { seconds: number; t: Translate }) {
  return (
    <div className="overlay" role="alertdialog" aria-modal="true" aria-labelledby="countdown-title" data-testid="countdown">
      <div className="dialog">
        <p className="countdown-number" aria-hidden="true">{seconds}</p>
        <h2 id="countdown-title">{t('countdown.title', { seconds })}</h2>
        <GuardedButton className="big-button primary" data-testid="still-here" autoFocus onPress={() => api.action('still-here')}>
          <Icon name="check" />
          <span className="label">{t('countdown.stay')}</span>
        </GuardedButton>
      </div>
    </div>
  );
}

function Languages({ language, t }: { language: Language; t: Translate }) {
  return (
    <nav className="languages" aria-label={t('app.languages')}>
      {LANGUAGES.map((lang) => (
        <GuardedButton key={lang} lang={lang} className={lang === language ? 'lang active' : 'lang'} aria-pressed={lang === language} data-testid={`lang-${lang}`} onPress={() => api.language(lang)}>
          <Icon name="globe" size={36} />
          <span>{LANGUAGE_NAMES[lang]}</span>
        </GuardedButton>
      ))}
    </nav>
  );
}

function useRefusal(view: KioskView | null, language: Language): Refusal | null {
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  useEffect(
    () =>
      onRefusal((code) => {
        setRefusal(code);
        void playPrompt('refused', language);
      }),
    [language],
  );
  // A new screen replaces the message about the last touch.
  useEffect(() => setRefusal(null), [view?.screen, view?.session]);
  return refusal;
}

export function App() {
  const { view, connected } = useKioskConnection();
  const language: Language = view?.language ?? DEFAULT_KIOSK_LANGUAGE;
  const t = useMemo<Translate>(() => (key, params) => translate(language, key, params), [language]);
  const refusal = useRefusal(view, language);
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
  useKeyNavigation(view?.screen === 'pin' && !view.pinPad);
  useScreenPrompt(view ? screenPrompt(view.screen) : 'screen.idle', language, view?.session ?? 0, view?.screen === 'take-card');
  useCountdownWarning(view?.countdown ?? null, language);
  // Any touch or key answers the countdown.
  useEffect(() => {
    if (view?.countdown === null || view?.countdown === undefined) return;
    const answer = () => void api.action('still-here');
    window.addEventListener('keydown', answer, { once: true });
    return () => window.removeEventListener('keydown', answer);
  }, [view?.countdown]);

  if (!view) {
    return (
      <main className="screen center" data-screen="connecting">
        <h1 className="screen-title">{t('app.reconnecting')}</h1>
      </main>
    );
  }
  return (
    <div className={view.demo ? 'kiosk with-demo' : 'kiosk'}>
      <header className="topbar">
        <p className="app-title">{t('app.title')}</p>
        <span className={`link ${view.serverConnected ? 'online' : 'offline'}`} data-testid="link-status">
          {t(view.serverConnected ? 'status.online' : 'status.offline')}
        </span>
        {!NO_HELP.has(view.screen) && (
          <GuardedButton className="help-button" data-testid="help" onPress={() => api.action('help')}>
            <Icon name="help" size={40} />
            <span>{t('app.help')}</span>
          </GuardedButton>
        )}
      </header>
      <main className="screen" data-screen={view.screen}>
        {refusal && (
          <p className="refusal" role="alert" data-testid="refusal" data-code={refusal}>
            {t(`refusal.${refusal}`)}
          </p>
        )}
        <ErrorBoundary key={`${view.session}:${view.screen}`} t={t}>
          <Screen view={view} t={t} />
        </ErrorBoundary>
      </main>
      <Languages language={language} t={t} />
      {view.countdown !== null && <Countdown seconds={view.countdown} t={t} />}
      {!connected && (
        <div className="overlay" role="alertdialog" aria-modal="true" aria-labelledby="reconnecting" data-testid="reconnecting">
          <div className="dialog">
            <h2 id="reconnecting">{t('app.reconnecting')}</h2>
          </div>
        </div>
      )}
      {view.demo && <DemoPanel />}
    </div>
  );
}
