// Software updates (issue 14 "Kiosks": "update rollouts (start, canary share,
// progress, halt)") over the office API of issue 13 section 3: the releases
// published on the server machine (GET /releases), a rollout started to
// chosen kiosks with a canary share (POST /rollouts), each rollout's
// progress per terminal (GET /rollouts, polled), promoted to everyone once
// the canaries are healthy, halted with a reason.
import { useEffect, useState } from 'react';
import type { FleetTerminal, PublishedRelease, Rollout, RolloutTerminalState } from '@nongbao/server/api-types';
import { useConsole } from '../app/context.js';
import { shanghaiTime } from '../app/format.js';
import { useLoad } from '../app/use-load.js';
import { ErrorBox, Loading, Section } from '../components/Status.js';
import { Table } from '../components/Table.js';
import { KioskTabs } from './KioskTabs.js';
import { StartRollout } from './RolloutStart.js';

/** How often the page asks for the rollouts' progress while it is open. */
export const ROLLOUT_POLL_MS = 5_000;

const STATES: readonly RolloutTerminalState[] = ['waiting', 'offered', 'downloading', 'staged', 'switched', 'healthy', 'rolled-back', 'failed'];

function RolloutActions({ rollout, onDone }: { rollout: Rollout; onDone: () => void }) {
  const { api, t } = useConsole();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  if (rollout.phase === 'halted' || rollout.complete) return null;
  return (
    <div className="buttons">
      {rollout.phase === 'canary' ? (
        <button type="button" className="primary" data-testid={`promote-${rollout.rolloutId}`} onClick={() => api.post(`/rollouts/${rollout.rolloutId}/promote`).then(onDone, setError)}>
          {t('updates.promote')}
        </button>
      ) : null}
      <form
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          api.post(`/rollouts/${rollout.rolloutId}/halt`, { reason }).then(onDone, setError);
        }}
      >
        <label>
          {t('updates.haltReason')}
          <input data-testid={`halt-reason-${rollout.rolloutId}`} required minLength={4} maxLength={300} value={reason} onChange={(e) => setReason(e.target.value)} />
        </label>
        <button type="submit" className="danger" data-testid={`halt-${rollout.rolloutId}`}>
          {t('updates.halt')}
        </button>
      </form>
      <ErrorBox error={error} />
    </div>
  );
}

function RolloutCard({ rollout, onDone }: { rollout: Rollout; onDone: () => void }) {
  const { t, canWrite } = useConsole();
  const total = rollout.terminals.length;
  const done = rollout.counts.healthy;
  return (
    <Section title={t('updates.rollout', { version: rollout.version, phase: t(`updates.phase.${rollout.phase}`) })} testId={`rollout-${rollout.rolloutId}`}>
      <p className="subtle">
        {t('updates.started', { by: rollout.createdBy, at: shanghaiTime(rollout.createdAt), percent: rollout.canaryPercent })}
        {rollout.haltedAt ? ` · ${t('updates.halted', { at: shanghaiTime(rollout.haltedAt), reason: rollout.haltReason ?? '—' })}` : ''}
      </p>
      <label className="progress">
        <span data-testid={`rollout-progress-${rollout.rolloutId}`}>{t('updates.healthyOf', { done, total })}</span>
        <progress max={total} value={done} />
      </label>
      <p data-testid={`rollout-counts-${rollout.rolloutId}`}>
        {STATES.filter((s) => rollout.counts[s] > 0)
          .map((s) => `${t(`updates.state.${s}`)} ${rollout.counts[s]}`)
          .join(' · ')}
      </p>
      <details open={total <= 20}>
        <summary>{t('updates.terminals', { count: total })}</summary>
        <Table
          caption={t('updates.terminals', { count: total })}
          testId={`rollout-terminals-${rollout.rolloutId}`}
          rowKey={(r) => r.terminalId}
          rows={rollout.terminals}
          rowClass={(r) => (r.state === 'failed' || r.state === 'rolled-back' ? 'diff-unexplained' : undefined)}
          columns={[
            { key: 'id', header: t('kiosks.terminal'), render: (r) => <span className="mono">{r.terminalId}</span> },
            { key: 'wave', header: t('updates.wave'), render: (r) => t(`updates.wave.${r.wave}`) },
            { key: 'state', header: t('col.status'), render: (r) => <span data-testid={`rollout-state-${r.terminalId}`}>{t(`updates.state.${r.state}`)}</span> },
            { key: 'why', header: t('updates.why'), render: (r) => [r.reason, r.detail].filter(Boolean).join(': ') || '—' },
            { key: 'at', header: t('updates.updatedAt'), render: (r) => shanghaiTime(r.updatedAt) },
          ]}
        />
      </details>
      {canWrite ? <RolloutActions rollout={rollout} onDone={onDone} /> : null}
    </Section>
  );
}

export function RolloutsPage() {
  const { api, t, canWrite } = useConsole();
  const releases = useLoad(() => api.get<{ releases: PublishedRelease[] }>('/releases'), [api]);
  const rollouts = useLoad(() => api.get<{ rollouts: Rollout[] }>('/rollouts'), [api]);
  const fleet = useLoad(() => api.get<{ terminals: FleetTerminal[] }>('/terminals'), [api]);
  useEffect(() => {
    const timer = setInterval(rollouts.reload, ROLLOUT_POLL_MS);
    return () => clearInterval(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const list = rollouts.data?.rollouts ?? [];
  return (
    <>
      <h1>{t('updates.title')}</h1>
      <KioskTabs current="/kiosks/updates" />
      <ErrorBox error={releases.error ?? rollouts.error ?? fleet.error} />
      <Loading when={releases.loading && !releases.data}>
        <Table
          caption={t('updates.releases', { count: releases.data?.releases.length ?? 0 })}
          testId="releases"
          rowKey={(r) => r.version}
          rows={releases.data?.releases ?? []}
          empty={t('updates.noRelease')}
          columns={[
            { key: 'v', header: t('kiosks.version'), render: (r) => <span className="mono">{r.version}</span> },
            { key: 'm', header: t('updates.model'), render: (r) => r.model },
            { key: 'min', header: t('updates.minVersion'), render: (r) => r.minVersion },
            { key: 'exp', header: t('updates.expires'), render: (r) => r.expires.slice(0, 10) },
            { key: 'sig', header: t('updates.signedBy'), render: (r) => r.signedBy.join(', ') },
            { key: 'at', header: t('updates.published'), render: (r) => `${shanghaiTime(r.publishedAt)} · ${r.publishedBy}` },
          ]}
        />
      </Loading>
      {canWrite && releases.data && fleet.data ? <StartRollout releases={releases.data.releases} fleet={fleet.data.terminals} onDone={rollouts.reload} /> : null}
      <h2>{t('updates.rollouts', { count: list.length })}</h2>
      {list.length === 0 && rollouts.data ? <p data-testid="no-rollouts">{t('updates.noRollout')}</p> : null}
      {list.map((r) => (
        <RolloutCard key={r.rolloutId} rollout={r} onDone={rollouts.reload} />
      ))}
    </>
  );
}
