// Villages (issue 14; POLICY.md "Publicity and coverage"): coverage per
// village and for the county, enrolled ÷ those who may enrol and
// contributions ÷ enrolled under 60, sortable. A county has hundreds of
// villages (the answer lists up to 5 000), so the rows are sorted here.
import { useState } from 'react';
import type { CountyCoverage, VillageCoverage } from '@nongbao/server/api-types';
import { useConsole } from '../app/context.js';
import { percent, shanghaiToday } from '../app/format.js';
import { href } from '../app/router.js';
import { useLoad } from '../app/use-load.js';
import { ErrorBox, Loading } from '../components/Status.js';
import { Table, sortRows, type SortState } from '../components/Table.js';

function sortValue(v: VillageCoverage, key: string): string | number | null {
  switch (key) {
    case 'village':
      return v.villageName;
    case 'enrolled':
      return v.enrolled;
    case 'eligible':
      return v.eligiblePopulation?.persons ?? null;
    case 'enrolment':
      return v.enrolment?.basisPoints ?? null;
    case 'under60':
      return v.enrolledUnder60;
    case 'contributed':
      return v.contributed;
    default:
      return v.contribution.basisPoints;
  }
}

export function VillagesPage({ query }: { query: URLSearchParams }) {
  const { api, t } = useConsole();
  const thisYear = Number(shanghaiToday().slice(0, 4));
  const [year, setYear] = useState(Number(query.get('year') ?? thisYear));
  const [sort, setSort] = useState<SortState>({ key: 'contribution', order: 'asc' });
  const { data, error, loading } = useLoad(() => api.get<CountyCoverage>('/coverage', { year }), [api, year]);
  return (
    <>
      <h1>{t('nav.villages')}</h1>
      <label>
        {t('col.year')}
        <select data-testid="coverage-year" value={year} onChange={(e) => setYear(Number(e.target.value))}>
          {Array.from({ length: 6 }, (_, i) => thisYear - i).map((y) => (
            <option key={y} value={y}>
              {y}
            </option>
          ))}
        </select>
      </label>
      <ErrorBox error={error} />
      <Loading when={loading && !data}>
        {data ? (
          <Table
            caption={t('villages.caption', { year: data.year, asOf: data.asOf })}
            testId="coverage"
            rowKey={(v) => v.villageCode}
            rows={sortRows(data.villages, sort, sortValue)}
            sort={sort}
            onSort={setSort}
            columns={[
              { key: 'village', header: t('col.village'), sortable: true, render: (v) => v.villageName },
              { key: 'enrolled', header: t('col.enrolled'), sortable: true, numeric: true, render: (v) => v.enrolled },
              { key: 'eligible', header: t('col.eligible'), sortable: true, numeric: true, render: (v) => v.eligiblePopulation?.persons ?? '—' },
              { key: 'enrolment', header: t('col.enrolment'), sortable: true, numeric: true, render: (v) => percent(v.enrolment?.basisPoints) },
              { key: 'under60', header: t('col.under60'), sortable: true, numeric: true, render: (v) => v.enrolledUnder60 },
              { key: 'contributed', header: t('col.contributed'), sortable: true, numeric: true, render: (v) => v.contributed },
              { key: 'contribution', header: t('col.contribution'), sortable: true, numeric: true, render: (v) => percent(v.contribution.basisPoints) },
              {
                key: 'publicity',
                header: t('villages.publicity'),
                render: (v) => (
                  <a href={href(`/villages/${v.villageCode}/publicity`, { year: data.year })} data-testid={`publicity-${v.villageCode}`}>
                    {t('villages.publicityLink', { village: v.villageName })}
                  </a>
                ),
              },
            ]}
            footer={
              <tr data-testid="coverage-total">
                <th scope="row">{t('villages.county')}</th>
                <td className="num">{data.total.enrolled}</td>
                <td className="num">{data.total.eligiblePersons ?? '—'}</td>
                <td className="num">{percent(data.total.enrolment?.basisPoints)}</td>
                <td className="num">{data.total.enrolledUnder60}</td>
                <td className="num">{data.total.contributed}</td>
                <td className="num">{percent(data.total.contribution.basisPoints)}</td>
                <td />
              </tr>
            }
          />
        ) : null}
      </Loading>
    </>
  );
}
