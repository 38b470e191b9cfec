// Kiosks' cash (issue 14 "Kiosks": "reconciliation per kiosk and day with
// differences highlighted; collections to count"), over the office API of
// issue 13 section 2: the collections kiosks relayed (GET /collections), the
// count an operator records by denomination (POST /collections/{id}/count:
// once, it settles the collection in the ledger), one collection's
// reconciliation, a kiosk's day (GET /reconciliation, .csv to download), and
// the alarms unexplained differences raised, to resolve.
import { useState } from 'react';
import type { CollectionListItem, CollectionReport, FleetTerminal } from '@nongbao/server/api-types';
import { useConsole } from '../app/context.js';
import { shanghaiTime, shanghaiToday, yuan } from '../app/format.js';
import { useLoad } from '../app/use-load.js';
import { ErrorBox, Loading, Section } from '../components/Status.js';
import { Table } from '../components/Table.js';
import { CountForm } from './CollectionCount.js';
import { Differences, DayReconciliation } from './Reconciliation.js';
import { KioskTabs } from './KioskTabs.js';
import { ReconciliationAlarms } from './ReconciliationAlarms.js';

/** A collection whose figures disagree: the journal against the ledger, or the count against the journal. */
export function disagrees(c: Pick<CollectionListItem, 'journalFen' | 'ledgerFen' | 'countedFen'>): boolean {
  return c.journalFen !== c.ledgerFen || (c.countedFen !== null && c.countedFen !== c.journalFen);
}

function CollectionDetail({ collectionId, onCounted }: { collectionId: string; onCounted: () => void }) {
  const { api, t, canWrite } = useConsole();
  const report = useLoad(() => api.get<CollectionReport>('/reconciliation', { collectionId }), [api, collectionId]);
  const r = report.data;
  return (
    <Section title={t('cash.collection', { id: collectionId.slice(0, 13) })} testId="collection-detail">
      <ErrorBox error={report.error} />
      <Loading when={report.loading && !r}>
        {r ? (
          <>
            <p>
              {t('cash.collectionFacts', { terminal: r.terminalId, started: shanghaiTime(r.startedAt), journal: yuan(r.journalFen), ledger: yuan(r.ledgerFen) })}
            </p>
            <Differences differences={r.differences} testId="collection-differences" />
            {r.status === 'in-transit' && canWrite ? (
              <CountForm
                report={r}
                onDone={() => {
                  report.reload();
                  onCounted();
                }}
              />
            ) : null}
            {r.counted ? <p data-testid="collection-counted">{t('cash.countedBy', { amount: yuan(r.counted.amountFen), by: r.counted.by, at: shanghaiTime(r.counted.at) })}</p> : null}
          </>
        ) : null}
      </Loading>
    </Section>
  );
}

function Collections({ onPick }: { onPick: (id: string) => void }) {
  const { api, t } = useConsole();
  const [onlyToCount, setOnlyToCount] = useState(true);
  const loaded = useLoad(() => api.get<{ collections: CollectionListItem[] }>('/collections'), [api]);
  const all = loaded.data?.collections ?? [];
  const rows = onlyToCount ? all.filter((c) => c.status === 'in-transit') : all;
  return (
    <Section title={t('cash.collections')} testId="collections-section">
      <label className="check">
        <input type="checkbox" data-testid="collections-to-count" checked={onlyToCount} onChange={(e) => setOnlyToCount(e.target.checked)} />
        {t('cash.onlyToCount')}
      </label>
      <ErrorBox error={loaded.error} />
      <Loading when={loaded.loading && !loaded.data}>
        <Table
          caption={t('cash.collectionsCaption', { count: rows.length })}
          testId="collections"
          rowKey={(c) => c.collectionId}
          rows={rows}
          empty={onlyToCount ? t('cash.noneToCount') : t('table.empty')}
          rowClass={(c) => (c.openAlarms > 0 || !c.explained ? 'diff-unexplained' : disagrees(c) ? 'diff-explained' : undefined)}
          columns={[
            { key: 'at', header: t('cash.started'), render: (c) => shanghaiTime(c.startedAt) },
            { key: 'k', header: t('kiosks.terminal'), render: (c) => <span className="mono">{c.terminalId}</span> },
            { key: 's', header: t('col.status'), render: (c) => <span data-testid={`collection-status-${c.collectionId}`}>{t(`cash.status.${c.status}`)}</span> },
            { key: 'j', header: t('cash.journal'), numeric: true, render: (c) => <span data-testid={`collection-journal-${c.collectionId}`}>{yuan(c.journalFen)}</span> },
            { key: 'l', header: t('cash.ledger'), numeric: true, render: (c) => <span data-testid={`collection-ledger-${c.collectionId}`}>{yuan(c.ledgerFen)}</span> },
            { key: 'c', header: t('cash.counted'), numeric: true, render: (c) => <span data-testid={`collection-counted-${c.collectionId}`}>{c.countedFen === null ? '—' : yuan(c.countedFen)}</span> },
            { key: 'e', header: t('cash.explained'), render: (c) => (c.explained ? t('cash.yes') : <strong>{t('cash.no')}</strong>) },
            { key: 'a', header: t('cash.openAlarms'), numeric: true, render: (c) => c.openAlarms },
            {
              key: 'open',
              header: t('cash.details'),
              render: (c) => (
                <button type="button" data-testid={`collection-open-${c.collectionId}`} onClick={() => onPick(c.collectionId)}>
                  {c.status === 'in-transit' ? t('cash.openToCount') : t('cash.open')}
                </button>
              ),
            },
          ]}
        />
      </Loading>
    </Section>
  );
}

export function KioskCashPage() {
  const { api, t } = useConsole();
  const fleet = useLoad(() => api.get<{ terminals: FleetTerminal[] }>('/terminals'), [api]);
  const [picked, setPicked] = useState<string | undefined>(undefined);
  const [round, setRound] = useState(0);
  return (
    <>
      <h1>{t('cash.title')}</h1>
      <KioskTabs current="/kiosks/cash" />
      <ErrorBox error={fleet.error} />
      <Collections key={round} onPick={setPicked} />
      {picked ? (
        <CollectionDetail
          key={picked}
          collectionId={picked}
          onCounted={() => {
            setRound((r) => r + 1);
            fleet.reload();
          }}
        />
      ) : null}
      {fleet.data ? <ReconciliationAlarms fleet={fleet.data.terminals} onDone={fleet.reload} /> : null}
      <DayReconciliation terminals={(fleet.data?.terminals ?? []).map((k) => k.terminalId)} today={shanghaiToday()} />
    </>
  );
}
