// The village's yearly publicity list, names masked, paged with large
// buttons (no scrolling: no hidden gestures).
import { useState } from 'react';
import { api } from '../api.js';
import { BigButton, Heading, yuan } from '../ui.js';
import type { ScreenProps } from './types.js';

/** Rows per page that fit the screen at the kiosk's type size. */
export const PUBLICITY_ROWS_PER_PAGE = 6;

type Row = { key: string; name: string; what: string; when: string };

export function Publicity({ view, t }: ScreenProps<'publicity'>) {
  const { list } = view;
  const rows: Row[] = [
    ...list.contributors.map((c, i) => ({ key: `c${i}`, name: c.name, what: t('account.tier', { tier: c.tierYuan }), when: `${t('publicity.contributors')} ${c.paidOn}` })),
    ...list.recipients.map((r, i) => ({ key: `r${i}`, name: r.name, what: yuan(t, r.monthlyFen), when: `${t('publicity.recipients')} · ${t(`publicity.${r.certification}`)}` })),
  ];
  const pages = Math.max(1, Math.ceil(rows.length / PUBLICITY_ROWS_PER_PAGE));
  const [page, setPage] = useState(1);
  const shown = rows.slice((page - 1) * PUBLICITY_ROWS_PER_PAGE, page * PUBLICITY_ROWS_PER_PAGE);
  return (
    <div className="publicity">
      <Heading>{t('publicity.title', { village: list.villageName, year: list.year })}</Heading>
      {rows.length === 0 ? (
        <p>{t('publicity.none')}</p>
      ) : (
        <table data-testid="publicity-list">
          <tbody>
            {shown.map((r) => (
              <tr key={r.key}>
                <td className="name">{r.name}</td>
                <td>{r.what}</td>
                <td>{r.when}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p data-testid="publicity-page">{t('publicity.page', { page, pages })}</p>
      <div className="pager">
        <BigButton choice icon="chevronLeft" label={t('publicity.prev')} testId="page-prev" disabled={page <= 1} onPress={() => setPage((p) => Math.max(1, p - 1))} />
        <BigButton choice icon="chevronRight" label={t('publicity.next')} testId="page-next" disabled={page >= pages} onPress={() => setPage((p) => Math.min(pages, p + 1))} />
      </div>
      <BigButton back icon="back" label={t('nav.back')} testId="back" onPress={() => api.action('back')} />
    </div>
  );
}
