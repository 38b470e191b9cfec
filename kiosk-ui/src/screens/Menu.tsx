// The main menu: four large choices, each an icon and a word (issue 12 section 1).
import { api } from '../api.js';
import { ageText } from '../i18n.js';
import { BigButton, Heading } from '../ui.js';
import type { ScreenProps } from './types.js';

export function OfflineBanner({ offline, asOf, t }: { offline: boolean; asOf: string; t: ScreenProps<'menu'>['t'] }) {
  if (!offline) return null;
  return (
    <p className="offline-banner" data-testid="offline-banner">
      {t('offline.banner', { age: ageText(t, asOf, Date.now()) })}
    </p>
  );
}

export function Menu({ view, t }: ScreenProps<'menu'>) {
  return (
    <div className="menu">
      <p className="greeting">{t('pin.greeting', { name: view.holderName })}</p>
      <Heading>{t('menu.title')}</Heading>
      <OfflineBanner offline={view.offline} asOf={view.asOf} t={t} />
      <div className="menu-grid">
        <BigButton choice icon="account" label={t('menu.account')} testId="menu-account" onPress={() => api.action('account')} />
        <BigButton choice icon="cash" label={t('menu.pay')} testId="menu-pay" onPress={() => api.action('pay')} />
        <BigButton choice icon="check" label={t('menu.confirm')} testId="menu-confirm" onPress={() => api.action('confirm')} />
        <BigButton choice icon="list" label={t('menu.publicity')} testId="menu-publicity" onPress={() => api.action('publicity')} />
      </div>
      <p className="hint">{t('menu.keys')}</p>
      <BigButton back icon="exit" label={t('nav.finish')} testId="finish" onPress={() => api.action('finish')} />
    </div>
  );
}
