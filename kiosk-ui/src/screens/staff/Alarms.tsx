// The alarms section (issue 13 section 1): the outbox's and the kiosk's
// alarms, device faults, and recent errors in plain words with what to do.
import { ERROR_REGISTER } from '@nongbao/protocol/errors';
import { ErrorWords } from './ErrorWords.js';
import { shortTime, type SectionProps } from './types.js';

/** Device states that need a person. */
const FAULT_STATES = new Set(['offline', 'hardwareError', 'userError', 'fraudAttempt']);

export function Alarms({ d, t }: SectionProps) {
  const faults = d.devices.filter((device) => FAULT_STATES.has(device.state));
  const nothing = !d.outboxHalted && d.alarms.length === 0 && faults.length === 0 && d.recentErrors.length === 0;
  if (nothing) return <p data-testid="alarms">{t('staff.noAlarms')}</p>;
  return (
    <div data-testid="alarms">
      <ul className="alarms">
        {d.outboxHalted && <li className="error">{t('staff.outboxHalted')}</li>}
        {d.alarms.map((a, i) => (
          <li key={`${a.code}-${i}`} data-testid={`alarm-${a.code}`}>
            <strong>{t(`alarm.${a.code}`)}</strong> <span className="since">{shortTime(a.since)}</span>
            <span className="detail">{a.message}</span>
          </li>
        ))}
      </ul>
      {faults.length > 0 && (
        <>
          <h3>{t('staff.deviceFaults')}</h3>
          <ul className="alarms" data-testid="device-faults">
            {faults.map((device) => (
              <li key={device.name} data-testid={`fault-${device.name}`}>
                <strong>{t(`device.${device.name}`)}</strong>
                <span>{t(`deviceState.${device.state}`)}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      <h3>{t('staff.recentErrors')}</h3>
      {d.recentErrors.length === 0 ? (
        <p>{t('staff.noErrors')}</p>
      ) : (
        <ul className="alarms" data-testid="recent-errors">
          {d.recentErrors.map((e) => (
            <li key={`${e.code}-${e.source}-${e.at}`} data-testid={`recent-error-${ERROR_REGISTER.get(e.code)?.name ?? e.code}`}>
              <ErrorWords code={e.code} t={t} />
              <span className="since">
                {shortTime(e.at)} · {t('staff.times', { n: e.count })}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
