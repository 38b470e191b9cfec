// The audit log (issue 14 "Security": every write with who and when, visible
// to auditors): GET /audit-log, newest first, paged by the last seq seen.
import { useState } from 'react';
import type { AuditEntry } from '@nongbao/server/api-types';
import { useConsole } from '../app/context.js';
import { shanghaiTime } from '../app/format.js';
import { useLoad } from '../app/use-load.js';
import { ErrorBox, Loading } from '../components/Status.js';
import { Pager, Table } from '../components/Table.js';

export const AUDIT_PER_PAGE = 50;

export function AuditLogPage() {
  const { api, t } = useConsole();
  const [before, setBefore] = useState<(number | undefined)[]>([undefined]);
  const current = before[before.length - 1];
  const page = useLoad(() => api.get<{ entries: AuditEntry[] }>('/audit-log', { beforeSeq: current, limit: AUDIT_PER_PAGE }), [api, current]);
  const entries = page.data?.entries ?? [];
  return (
    <>
      <h1>{t('nav.audit')}</h1>
      <ErrorBox error={page.error} />
      <Loading when={page.loading && !page.data}>
        <Table
          caption={t('audit.caption')}
          testId="audit-log"
          rowKey={(e) => String(e.seq)}
          rows={entries}
          columns={[
            { key: 'seq', header: '#', render: (e) => e.seq, numeric: true },
            { key: 'at', header: t('audit.when'), render: (e) => shanghaiTime(e.at) },
            { key: 'who', header: t('audit.who'), render: (e) => e.actor },
            { key: 'what', header: t('audit.what'), render: (e) => <span className="mono">{e.action}</span> },
            { key: 'subject', header: t('audit.subject'), render: (e) => <span className="mono">{e.subject ?? ''}</span> },
          ]}
        />
        <Pager
          page={before.length}
          hasPrevious={before.length > 1}
          hasNext={entries.length === AUDIT_PER_PAGE}
          onPrevious={() => setBefore((b) => b.slice(0, -1))}
          onNext={() => setBefore((b) => [...b, entries[entries.length - 1]?.seq])}
          summary={t('audit.shown', { count: entries.length })}
        />
      </Loading>
    </>
  );
}
