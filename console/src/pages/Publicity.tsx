// A village's yearly publicity list (issue 14 "Villages"; POLICY.md
// "Publicity and coverage": who contributed, name masked, tier, date; who
// receives a pension, masked name, monthly amount, certification), laid out
// to be printed on A4 (styles/print.css: @page A4, only the list prints).
// A PDF: the browser's print dialog saves one; the CSV is the server's.
import { useState } from 'react';
import type { PublicityList } from '@nongbao/server/api-types';
import { useConsole } from '../app/context.js';
import { shanghaiToday, yuan } from '../app/format.js';
import { href } from '../app/router.js';
import { useLoad } from '../app/use-load.js';
import { ErrorBox, Loading } from '../components/Status.js';

export function PublicityPage({ params, query }: { params: Record<string, string>; query: URLSearchParams }) {
  const { api, t } = useConsole();
  const code = params.villageCode ?? '';
  const thisYear = Number(shanghaiToday().slice(0, 4));
  const [year] = useState(Number(query.get('year') ?? thisYear));
  const [downloadError, setDownloadError] = useState<unknown>(undefined);
  const { data, error, loading } = useLoad(() => api.get<PublicityList>(`/villages/${encodeURIComponent(code)}/publicity`, { year }), [api, code, year]);
  return (
    <>
      <p className="no-print">
        <a href={href('/villages', { year })}>← {t('nav.villages')}</a>
      </p>
      <ErrorBox error={error ?? downloadError} />
      <Loading when={loading && !data}>
        {data ? (
          <article className="publicity" data-testid="publicity">
            <div className="no-print buttons">
              <button type="button" data-testid="print" onClick={() => window.print()}>
                {t('publicity.print')}
              </button>
              <button
                type="button"
                data-testid="download-csv"
                onClick={() => api.download(`/villages/${encodeURIComponent(code)}/publicity.csv`, { year }, `publicity-${code}-${year}.csv`).catch(setDownloadError)}
              >
                {t('publicity.csv')}
              </button>
            </div>
            <h1>{t('publicity.title', { village: data.villageName, year: data.year })}</h1>
            <p className="subtle">{t('publicity.note', { date: shanghaiToday() })}</p>
            <h2>{t('publicity.contributors', { count: data.contributors.length })}</h2>
            <table className="data compact" data-testid="publicity-contributors">
              <caption className="visually-hidden">{t('publicity.contributors', { count: data.contributors.length })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('col.number')}</th>
                  <th scope="col">{t('col.name')}</th>
                  <th scope="col" className="num">
                    {t('col.tier')}
                  </th>
                  <th scope="col">{t('col.paidOn')}</th>
                </tr>
              </thead>
              <tbody>
                {data.contributors.map((c, i) => (
                  <tr key={i}>
                    <td>{i + 1}</td>
                    <td>{c.name}</td>
                    <td className="num">{c.tierYuan}</td>
                    <td>{c.paidOn}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <h2>{t('publicity.recipients', { count: data.recipients.length })}</h2>
            <table className="data compact" data-testid="publicity-recipients">
              <caption className="visually-hidden">{t('publicity.recipients', { count: data.recipients.length })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('col.number')}</th>
                  <th scope="col">{t('col.name')}</th>
                  <th scope="col" className="num">
                    {t('publicity.monthly')}
                  </th>
                  <th scope="col">{t('publicity.certification')}</th>
                </tr>
              </thead>
              <tbody>
                {data.recipients.map((r, i) => (
                  <tr key={i}>
                    <td>{i + 1}</td>
                    <td>{r.name}</td>
                    <td className="num">{yuan(r.monthlyFen)}</td>
                    <td>{r.certification === 'certified' ? t('resident.certified') : t('resident.lapsed')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </article>
        ) : null}
      </Loading>
    </>
  );
}
