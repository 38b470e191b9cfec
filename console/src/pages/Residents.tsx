// Residents (issue 14): search by citizen number or name, masked in the
// list; sorted and paged on the server (GET /persons, keyset cursors: this
// page keeps the cursors of the pages seen, to go back).
import { useState } from 'react';
import type { CountyCoverage, ResidentPage, ResidentListItem } from '@nongbao/server/api-types';
import { useConsole } from '../app/context.js';
import { shanghaiToday } from '../app/format.js';
import { href } from '../app/router.js';
import { useLoad } from '../app/use-load.js';
import { ErrorBox, Loading } from '../components/Status.js';
import { Pager, Table, type SortState } from '../components/Table.js';

export const RESIDENTS_PER_PAGE = 20;

export function ResidentsPage() {
  const { api, t } = useConsole();
  const [text, setText] = useState('');
  const [filter, setFilter] = useState<{ q: string; villageCode: string }>({ q: '', villageCode: '' });
  const [sort, setSort] = useState<SortState>({ key: 'citizenNumber', order: 'asc' });
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const after = cursors[cursors.length - 1];
  const villages = useLoad(() => api.get<CountyCoverage>('/coverage', { year: shanghaiToday().slice(0, 4) }), [api]);
  const page = useLoad(
    () => api.get<ResidentPage>('/persons', { q: filter.q, villageCode: filter.villageCode, sort: sort.key, order: sort.order, after, limit: RESIDENTS_PER_PAGE }),
    [api, filter, sort, after],
  );
  const restart = () => setCursors([undefined]);
  const statusOf = (r: ResidentListItem) => (r.deceased ? t('resident.deceased') : r.pension === 'running' ? t('resident.pensioner') : r.pension === 'stopped' ? t('resident.stopped') : t('resident.contributor'));
  return (
    <>
      <h1>{t('nav.residents')}</h1>
      <form
        className="search"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter((f) => ({ ...f, q: text.trim() }));
          restart();
        }}
      >
        <label>
          {t('residents.search')}
          <input data-testid="search-text" value={text} onChange={(e) => setText(e.target.value)} placeholder={t('residents.searchHint')} maxLength={40} />
        </label>
        <label>
          {t('col.village')}
          <select
            data-testid="search-village"
            value={filter.villageCode}
            onChange={(e) => {
              setFilter((f) => ({ ...f, villageCode: e.target.value }));
              restart();
            }}
          >
            <option value="">{t('residents.allVillages')}</option>
            {(villages.data?.villages ?? []).map((v) => (
              <option key={v.villageCode} value={v.villageCode}>
                {v.villageName}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" data-testid="search-go">
          {t('residents.find')}
        </button>
      </form>
      <ErrorBox error={page.error} />
      <Loading when={page.loading && !page.data}>
        {page.data ? (
          <>
            <Table
              caption={t('residents.caption')}
              testId="residents"
              rowKey={(r) => r.citizenNumber}
              rows={page.data.residents}
              sort={sort}
              onSort={(s) => {
                setSort(s);
                restart();
              }}
              columns={[
                { key: 'name', header: t('col.name'), sortable: true, render: (r) => <a href={href(`/residents/${r.citizenNumber}`)}>{r.maskedName}</a> },
                { key: 'citizenNumber', header: t('col.citizenNumber'), sortable: true, render: (r) => <span className="mono">{r.maskedCitizenNumber}</span> },
                { key: 'birthDate', header: t('col.birthDate'), sortable: true, render: (r) => r.birthDate },
                { key: 'village', header: t('col.village'), render: (r) => r.villageName },
                { key: 'status', header: t('col.status'), render: statusOf },
              ]}
            />
            <Pager
              page={cursors.length}
              hasPrevious={cursors.length > 1}
              hasNext={page.data.next !== null}
              onPrevious={() => setCursors((c) => c.slice(0, -1))}
              onNext={() => setCursors((c) => [...c, page.data!.next ?? undefined])}
              summary={t(page.data.totalIsLowerBound ? 'residents.totalAtLeast' : 'residents.total', { total: page.data.total })}
            />
          </>
        ) : null}
      </Loading>
    </>
  );
}
