// Recording the office's count of a collection (issue 13 section 2, issue 14
// "Kiosks": "collections to count"): notes by denomination, the total worked
// out as they are typed and shown against what the kiosk's journal says the
// box held, then POST /collections/{id}/count once (the server settles the
// collection and refuses a second count).
import { useState } from 'react';
import { CASH_NOTE_DENOMINATIONS_FEN } from '@nongbao/protocol/denominations';
import type { CollectionReport } from '@nongbao/server/api-types';
import { useConsole } from '../app/context.js';
import { yuan } from '../app/format.js';
import { ErrorBox } from '../components/Status.js';

/** Whole notes typed in a box, or null for anything else (the server checks again). */
function notesOf(text: string): number | null {
  if (text.trim() === '') return 0;
  return /^\d{1,6}$/.test(text.trim()) ? Number(text.trim()) : null;
}

export function CountForm({ report, onDone }: { report: CollectionReport; onDone: () => void }) {
  const { api, t } = useConsole();
  const journalCount = (d: number) => report.journal.notes.find((n) => n.denominationFen === d)?.count ?? 0;
  const [typed, setTyped] = useState<Record<number, string>>({});
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const counts = CASH_NOTE_DENOMINATIONS_FEN.map((d) => ({ denominationFen: d, count: notesOf(typed[d] ?? '') }));
  const valid = counts.every((c) => c.count !== null);
  const totalFen = counts.reduce((sum, c) => sum + (c.count ?? 0) * c.denominationFen, 0);
  return (
    <form
      className="action"
      data-testid="count-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (!valid) return;
        setBusy(true);
        setError(undefined);
        const notes = counts.filter((c) => c.count! > 0).map((c) => ({ denominationFen: c.denominationFen, count: c.count! }));
        api.post(`/collections/${report.collectionId}/count`, { notes, ...(note.trim() ? { note: note.trim() } : {}) }).then(onDone, (err: unknown) => {
          setBusy(false);
          setError(err);
        });
      }}
    >
      <h3>{t('cash.count')}</h3>
      <table className="data count">
        <caption>{t('cash.countCaption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('cash.note')}</th>
            <th scope="col" className="num">{t('cash.journalNotes')}</th>
            <th scope="col">{t('cash.countedNotes')}</th>
          </tr>
        </thead>
        <tbody>
          {CASH_NOTE_DENOMINATIONS_FEN.map((d) => (
            <tr key={d} className={typed[d] !== undefined && notesOf(typed[d]) !== journalCount(d) ? 'diff-unexplained' : undefined}>
              <th scope="row">{t('cash.yuanNote', { yuan: d / 100 })}</th>
              <td className="num">{journalCount(d)}</td>
              <td>
                <input
                  data-testid={`count-${d}`}
                  aria-label={t('cash.countOf', { yuan: d / 100 })}
                  inputMode="numeric"
                  pattern="\d{0,6}"
                  value={typed[d] ?? ''}
                  onChange={(e) => setTyped((x) => ({ ...x, [d]: e.target.value }))}
                />
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">{t('resident.total')}</th>
            <td className="num">{yuan(report.journalFen)}</td>
            <td data-testid="count-total">{valid ? yuan(totalFen) : '—'}</td>
          </tr>
        </tfoot>
      </table>
      <label>
        {t('cash.countNote')}
        <input data-testid="count-note" maxLength={500} value={note} onChange={(e) => setNote(e.target.value)} />
      </label>
      <div className="buttons">
        <button type="submit" className="primary" data-testid="count-go" disabled={busy || !valid}>
          {t('cash.countGo', { amount: valid ? yuan(totalFen) : '—' })}
        </button>
      </div>
      <ErrorBox error={error} />
    </form>
  );
}
