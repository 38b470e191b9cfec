// The Kiosks page's parts (issue 14 "Kiosks"): the fleet, the cash boxes
// (collections and reconciliation) and software updates, each its own page.
import { useConsole } from '../app/context.js';
import { href } from '../app/router.js';

const TABS = [
  { path: '/kiosks', label: 'kiosks.tab.fleet' },
  { path: '/kiosks/cash', label: 'kiosks.tab.cash' },
  { path: '/kiosks/updates', label: 'kiosks.tab.updates' },
] as const;

export function KioskTabs({ current }: { current: (typeof TABS)[number]['path'] }) {
  const { t } = useConsole();
  return (
    <nav className="tabs" aria-label={t('kiosks.tabs')}>
      {TABS.map((tab) => (
        <a key={tab.path} href={href(tab.path)} aria-current={tab.path === current ? 'page' : undefined} data-testid={`tab-${tab.path.slice(1).replace('/', '-')}`}>
          {t(tab.label)}
        </a>
      ))}
    </nav>
  );
}
