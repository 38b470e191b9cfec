// The devices section (issue 13 section 1): live state of every device and
// resource (pushed by the terminal while the screen is open), the problems
// that hold now, and the self-tests with their plain results.
import { SELF_TESTS, type SelfTestName } from '@nongbao/protocol/maintenance';
import type { IconName } from '../../icons.js';
import { staffApi } from '../../staff-api.js';
import { BigButton } from '../../ui.js';
import { ErrorWords } from './ErrorWords.js';
import { shortTime, type SectionProps } from './types.js';

const SELF_TEST_ICONS: Record<SelfTestName, IconName> = { printer: 'list', acceptor: 'cash', card: 'card', gateway: 'globe' };
const MB = 1024 * 1024;

function DeviceList({ d, t }: SectionProps) {
  return (
    <dl className="pairs" data-testid="device-list">
      <div>
        <dt>{t('staff.server')}</dt>
        <dd>{t(d.serverConnected ? 'status.online' : 'status.offline')}</dd>
      </div>
      {d.devices.map((device) => (
        <div key={device.name} data-testid={`device-${device.name}`} data-state={device.state}>
          <dt>{t(`device.${device.name}`)}</dt>
          <dd>{t(`deviceState.${device.state}`)}</dd>
        </div>
      ))}
      {d.devices
        .filter((device) => device.paper !== undefined)
        .map((device) => (
          <div key={`${device.name}-paper`} data-testid="printer-paper" data-paper={device.paper}>
            <dt>{t('staff.paper')}</dt>
            <dd>{t(`paper.${device.paper ?? 'unknown'}`)}</dd>
          </div>
        ))}
    </dl>
  );
}

function Resources({ d, t }: SectionProps) {
  const r = d.resources;
  const megabytes = (bytes: number | null) => (bytes === null ? t('staff.unknown') : t('staff.megabytes', { n: (bytes / MB).toFixed(1) }));
  return (
    <dl className="pairs" data-testid="resources">
      <div>
        <dt>{t('staff.network')}</dt>
        <dd>{t(r.network.connected ? 'status.online' : 'status.offline')}</dd>
      </div>
      <div>
        <dt>{t('staff.lastContact')}</dt>
        <dd>{r.network.lastContactAt ? shortTime(r.network.lastContactAt) : t('staff.unknown')}</dd>
      </div>
      <div>
        <dt>{t('staff.disk')}</dt>
        <dd data-testid="disk-free">{megabytes(r.diskFreeBytes)}</dd>
      </div>
      <div>
        <dt>{t('staff.journal')}</dt>
        <dd>{megabytes(r.journalBytes)}</dd>
      </div>
      <div>
        <dt>{t('staff.outbox')}</dt>
        <dd data-testid="outbox-pending">{r.outboxPending}</dd>
      </div>
      <div>
        <dt>{t('staff.clockDrift')}</dt>
        <dd>{r.clockDriftMs === null ? t('staff.unknown') : t('staff.seconds', { n: Math.round(r.clockDriftMs / 1000) })}</dd>
      </div>
      <div>
        <dt>{t('staff.version')}</dt>
        <dd>{r.softwareVersion}</dd>
      </div>
    </dl>
  );
}

function SelfTests({ d, t }: SectionProps) {
  return (
    <ul className="self-tests">
      {SELF_TESTS.map((test) => {
        const result = d.selfTests.find((r) => r.test === test);
        return (
          <li key={test}>
            <BigButton icon={SELF_TEST_ICONS[test]} label={t(`selfTest.${test}`)} testId={`self-test-${test}`} onPress={() => staffApi.selfTest(test).then(() => undefined)} />
            <p className={`result ${result?.result ?? 'none'}`} data-testid={`self-test-result-${test}`} data-result={result?.result ?? 'none'} aria-live="polite">
              {!result ? t('selfTest.notRun') : result.result === 'pass' ? t('selfTest.pass') : <ErrorWords code={result.code ?? 0} t={t} />}
            </p>
          </li>
        );
      })}
    </ul>
  );
}

export function Devices({ d, t }: SectionProps) {
  return (
    <div data-testid="devices">
      <DeviceList d={d} t={t} />
      <h3>{t('staff.resources')}</h3>
      <Resources d={d} t={t} />
      {d.resources.problems.length > 0 && (
        <>
          <h3>{t('staff.problems')}</h3>
          <ul className="alarms" data-testid="problems">
            {d.resources.problems.map((code) => (
              <li key={code}>
                <ErrorWords code={code} t={t} />
              </li>
            ))}
          </ul>
        </>
      )}
      <h3>{t('staff.selfTests')}</h3>
      <SelfTests d={d} t={t} />
    </div>
  );
}
