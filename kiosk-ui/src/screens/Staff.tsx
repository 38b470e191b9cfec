// The maintenance shell after a staff card and PIN (issue 12 section 2):
// navigation between devices, cash box, updates and alarms; device names and
// states translated; the alarm list (outbox alarms, device faults). The
// maintenance issue fills in the cash box and update operations.
import { STAFF_SECTIONS, type StaffSection } from '@nongbao/protocol/local-api-names';
import { api } from '../api.js';
import type { IconName } from '../icons.js';
import { BigButton, Heading, yuan } from '../ui.js';
import type { ScreenProps, ViewOf } from './types.js';

type Diagnostics = NonNullable<ViewOf<'staff'>['diagnostics']>;
type T = ScreenProps<'staff'>['t'];

const SECTION_ICONS: Record<StaffSection, IconName> = { devices: 'wrench', cash: 'box', updates: 'update', alarms: 'bell' };

function Devices({ d, t }: { d: Diagnostics; t: T }) {
  return (
    <dl className="pairs" data-testid="devices">
      <div>
        <dt>{t('staff.server')}</dt>
        <dd>{t(d.serverConnected ? 'status.online' : 'status.offline')}</dd>
      </div>
      {d.devices.map((device) => (
        <div key={device.name} data-testid={`device-${device.name}`}>
          <dt>{t(`device.${device.name}`)}</dt>
          <dd>{t(`deviceState.${device.state}`)}</dd>
        </div>
      ))}
    </dl>
  );
}

function Cash({ d, t }: { d: Diagnostics; t: T }) {
  return (
    <dl className="pairs" data-testid="cash">
      <div>
        <dt>{t('staff.openPayments')}</dt>
        <dd>{d.openPayments}</dd>
      </div>
      <div>
        <dt>{t('staff.unattributed')}</dt>
        <dd>{yuan(t, d.unattributedCashFen)}</dd>
      </div>
      <div>
        <dt>{t('staff.outbox')}</dt>
        <dd data-testid="outbox-pending">{d.outboxPending}</dd>
      </div>
    </dl>
  );
}

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

function Alarms({ d, t }: { d: Diagnostics; t: T }) {
  if (d.alarms.length === 0) return <p data-testid="alarms">{t('staff.noAlarms')}</p>;
  return (
    <ul className="alarms" data-testid="alarms">
      {d.outboxHalted && <li className="error">{t('staff.outboxHalted')}</li>}
      {d.alarms.map((a, i) => (
        <li key={`${a.code}-${i}`} data-testid={`alarm-${a.code}`}>
          <strong>{t(`alarm.${a.code}`)}</strong> <span className="since">{a.since.slice(0, 16).replace('T', ' ')}</span>
          <span className="detail">{a.message}</span>
        </li>
      ))}
    </ul>
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
          <Cash d={d} t={t} />
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
