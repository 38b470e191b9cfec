// The one table of the console: column headers that sort (the page decides
// whether on the server or over the rows it has), an accessible caption, and
// a pager for server-side pages (keyset cursors: the page keeps the cursors
// it has seen to go back).
import type { ReactNode } from 'react';
import { useConsole } from '../app/context.js';

export interface Column<Row> {
  key: string;
  header: string;
  render: (row: Row) => ReactNode;
  sortable?: boolean;
  numeric?: boolean;
}

export interface SortState {
  key: string;
  order: 'asc' | 'desc';
}

export function Table<Row>(props: {
  caption: string;
  columns: Column<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row) => string;
  sort?: SortState;
  onSort?: (sort: SortState) => void;
  testId?: string;
  footer?: ReactNode;
  empty?: string;
  /** A class for a row that must stand out (a difference, an alarm). */
  rowClass?: (row: Row) => string | undefined;
}) {
  const { t } = useConsole();
  const { sort, onSort } = props;
  return (
    <table className="data" data-testid={props.testId}>
      <caption>{props.caption}</caption>
      <thead>
        <tr>
          {props.columns.map((c) => {
            const active = sort?.key === c.key;
            const ariaSort = active ? (sort!.order === 'asc' ? 'ascending' : 'descending') : undefined;
            return (
              <th key={c.key} scope="col" aria-sort={ariaSort} className={c.numeric ? 'num' : undefined}>
                {c.sortable && onSort ? (
                  <button
                    type="button"
                    className="sort"
                    data-testid={`sort-${c.key}`}
                    onClick={() => onSort({ key: c.key, order: active && sort!.order === 'asc' ? 'desc' : 'asc' })}
                  >
                    {c.header}
                    <span aria-hidden="true">{active ? (sort!.order === 'asc' ? ' ▲' : ' ▼') : ' ↕'}</span>
                  </button>
                ) : (
                  c.header
                )}
              </th>
            );
          })}
        </tr>
      </thead>
      <tbody>
        {props.rows.length === 0 ? (
          <tr>
            <td colSpan={props.columns.length}>{props.empty ?? t('table.empty')}</td>
          </tr>
        ) : (
          props.rows.map((row) => (
            <tr key={props.rowKey(row)} className={props.rowClass?.(row)}>
              {props.columns.map((c) => (
                <td key={c.key} className={c.numeric ? 'num' : undefined}>
                  {c.render(row)}
                </td>
              ))}
            </tr>
          ))
        )}
      </tbody>
      {props.footer ? <tfoot>{props.footer}</tfoot> : null}
    </table>
  );
}

export function Pager(props: { page: number; hasPrevious: boolean; hasNext: boolean; onPrevious: () => void; onNext: () => void; summary: string }) {
  const { t } = useConsole();
  return (
    <nav className="pager" aria-label={t('table.pages')}>
      <button type="button" onClick={props.onPrevious} disabled={!props.hasPrevious} data-testid="page-previous">
        {t('table.previous')}
      </button>
      <span data-testid="page-summary">
        {t('table.page', { page: props.page })} · {props.summary}
      </span>
      <button type="button" onClick={props.onNext} disabled={!props.hasNext} data-testid="page-next">
        {t('table.next')}
      </button>
    </nav>
  );
}

/** Sorts rows the page already has (a village list, a fleet), by a column's sort value. */
export function sortRows<Row>(rows: readonly Row[], sort: SortState, value: (row: Row, key: string) => string | number | null): Row[] {
  const sign = sort.order === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = value(a, sort.key);
    const y = value(b, sort.key);
    if (x === y) return 0;
    if (x === null) return 1;
    if (y === null) return -1;
    return (x < y ? -1 : 1) * sign;
  });
}
