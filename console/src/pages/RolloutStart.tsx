// Starting a rollout (POST /rollouts): a published release, the kiosks it
// goes to (every enrolled kiosk that is not revoked, or those chosen) and the
// canary share offered it first (the server's default is 10 %, at least one
// kiosk; 100 offers everyone at once).
import { useState } from 'react';
import type { FleetTerminal, PublishedRelease } from '@nongbao/server/api-types';
import { useConsole } from '../app/context.js';
import { ErrorBox, Section } from '../components/Status.js';

/** The canary share the form proposes: the server's DEFAULT_CANARY_PERCENT (server/src/updates/rollouts.ts). */
const PROPOSED_CANARY_PERCENT = 10;

export function StartRollout({ releases, fleet, onDone }: { releases: readonly PublishedRelease[]; fleet: readonly FleetTerminal[]; onDone: () => void }) {
  const { api, t } = useConsole();
  const eligible = fleet.filter((k) => k.enrolled && !k.revoked).map((k) => k.terminalId);
  const [version, setVersion] = useState('');
  const [everyone, setEveryone] = useState(true);
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const [canaryPercent, setCanaryPercent] = useState(String(PROPOSED_CANARY_PERCENT));
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const toggle = (id: string) => setChosen((s) => (s.has(id) ? new Set([...s].filter((x) => x !== id)) : new Set([...s, id])));
  return (
    <Section title={t('updates.start')} testId="rollout-start">
      <form
        className="action"
        onSubmit={(e) => {
          e.preventDefault();
          setBusy(true);
          setError(undefined);
          const body = { version, canaryPercent: Number(canaryPercent), ...(everyone ? {} : { terminalIds: [...chosen].sort() }) };
          api.post('/rollouts', body).then(
            () => {
              setBusy(false);
              onDone();
            },
            (err: unknown) => {
              setBusy(false);
              setError(err);
            },
          );
        }}
      >
        <label>
          {t('kiosks.version')}
          <select data-testid="rollout-version" required value={version} onChange={(e) => setVersion(e.target.value)}>
            <option value="">—</option>
            {releases.map((r) => (
              <option key={r.version} value={r.version}>
                {r.version} ({r.model})
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('updates.canaryPercent')}
          <input data-testid="rollout-canary" type="number" min={1} max={100} step={1} required value={canaryPercent} onChange={(e) => setCanaryPercent(e.target.value)} />
        </label>
        <fieldset>
          <legend>{t('updates.which')}</legend>
          <label className="check">
            <input type="radio" name="which" data-testid="rollout-everyone" checked={everyone} onChange={() => setEveryone(true)} />
            {t('updates.everyone', { count: eligible.length })}
          </label>
          <label className="check">
            <input type="radio" name="which" data-testid="rollout-chosen" checked={!everyone} onChange={() => setEveryone(false)} />
            {t('updates.chosen', { count: chosen.size })}
          </label>
          {everyone ? null : (
            <div className="choices">
              {eligible.map((id) => (
                <label key={id} className="check">
                  <input type="checkbox" data-testid={`rollout-terminal-${id}`} checked={chosen.has(id)} onChange={() => toggle(id)} />
                  <span className="mono">{id}</span>
                </label>
              ))}
            </div>
          )}
        </fieldset>
        <div className="buttons">
          <button type="submit" className="primary" data-testid="rollout-go" disabled={busy || (!everyone && chosen.size === 0)}>
            {t('updates.startGo')}
          </button>
        </div>
      </form>
      <ErrorBox error={error} />
    </Section>
  );
}
