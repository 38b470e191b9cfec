// The maintenance shell after a staff card and PIN (issue 12 section 2):
// navigation between devices, cash box, updates and alarms. Issue 13 fills
// in the devices (live diagnostics, self-tests), the cash box (collection)
// and the alarms (with recent errors); each section has its own file under
// staff/. The updates section is the signed-updates work's.
import { STAFF_SECTIONS, type StaffSection } from '@nongbao/protocol/local-api-names';
import { api } from '../api.js';
import type { IconName } from '../icons.js';
import { BigButton, Heading } from '../ui.js';
import { Alarms } from './staff/Alarms.js';
import { Cash } from './staff/Cash.js';
import { Devices } from './staff/Devices.js';
import type { ScreenProps, ViewOf } from './types.js';

type Diagnostics = NonNullable<ViewOf<'staff'>['diagnostics']>;
type T = ScreenProps<'staff'>['t'];

const SECTION_ICONS: Record<StaffSection, IconName> = { devices: 'wrench', cash: 'box', updates: 'update', alarms: 'bell' };

function Updates({ d, t }: { d: Diagnostics; t: T }) {
  return (
    <div data-testid="updates">
      <dl className="pairs">
        <div>
          <dt>{t('staff.terminal')}</dt>
          <dd>{d.terminalId}</dd>
        </div>
        <div>
          <dt>{t('staff.version')}</dt>
          <dd>{d.softwareVersion}</dd>
        </div>
      </dl>
      <p className="notice">{t('staff.notYet')}</p>
    </div>
  );
}

export function Staff({ view, t }: ScreenProps<'staff'>) {
  const d = view.diagnostics;
  return (
    <div className="staff">
      <p className="greeting">{t('staff.hello', { name: view.holderName })}</p>
      <Heading>{t('staff.title')}</Heading>
      <nav className="staff-nav" aria-label={t('staff.title')}>
        {STAFF_SECTIONS.map((section) => (
          <BigButton
            key={section}
            choice
            kind={section === view.section ? 'primary' : 'plain'}
            icon={SECTION_ICONS[section]}
            label={t(`staff.nav.${section}`)}
            testId={`staff-${section}`}
            onPress={() => api.action(`staff-${section}`)}
          />
        ))}
      </nav>
      <section className="panel" aria-label={t(`staff.nav.${view.section}`)} data-testid="staff-section" data-section={view.section}>
        <h2>{t(`staff.nav.${view.section}`)}</h2>
        {!d ? (
          <p>{t('staff.notYet')}</p>
        ) : view.section === 'devices' ? (
          <Devices d={d} t={t} />
        ) : view.section === 'cash' ? (
          <Cash d={d} t={t} key={view.session} />
        ) : view.section === 'updates' ? (
          <Updates d={d} t={t} />
        ) : (
          <Alarms d={d} t={t} />
        )}
      </section>
      <BigButton back icon="exit" label={t('nav.finish')} testId="finish" onPress={() => api.action('finish')} />
    </div>
  );
}
