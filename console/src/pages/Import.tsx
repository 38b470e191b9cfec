// Register import (issue 14): upload a village register CSV, see every
// row's error before anything is imported (POST /persons/import/check runs
// the import's own checks and writes nothing), then import all or nothing
// (POST /persons/import). The import button exists only once the very file
// on screen has been checked clean.
import { useState } from 'react';
import type { CsvRowError } from '@nongbao/server/api-types';
import { ApiFailure } from '../api/client.js';
import { useConsole } from '../app/context.js';
import { ErrorBox, Section } from '../components/Status.js';
import { Table } from '../components/Table.js';

/** The register is at most 5 MB (the server refuses more; server/src/api/index.ts CSV_BODY_LIMIT_BYTES). */
export const REGISTER_MAX_BYTES = 5 * 1024 * 1024;

type Outcome = { kind: 'checked'; wouldImport: number } | { kind: 'imported'; imported: number } | { kind: 'rows'; rows: CsvRowError[]; errorCount: number } | undefined;

export function ImportPage() {
  const { api, t, canWrite } = useConsole();
  const [csv, setCsv] = useState<string | undefined>(undefined);
  const [fileName, setFileName] = useState('');
  const [outcome, setOutcome] = useState<Outcome>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  if (!canWrite) return <p>{t('import.operatorsOnly')}</p>;
  const send = async (work: () => Promise<Outcome>) => {
    setBusy(true);
    setError(undefined);
    try {
      setOutcome(await work());
    } catch (e) {
      const rows = e instanceof ApiFailure ? (e.details as { rows?: CsvRowError[]; errorCount?: number } | undefined) : undefined;
      if (rows?.rows) setOutcome({ kind: 'rows', rows: rows.rows, errorCount: rows.errorCount ?? rows.rows.length });
      else setOutcome(undefined);
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <h1>{t('nav.import')}</h1>
      <Section title={t('import.file')}>
        <p className="subtle">{t('import.hint')}</p>
        <label>
          {t('import.choose')}
          <input
            type="file"
            accept=".csv,text/csv"
            data-testid="import-file"
            onChange={(e) => {
              const file = e.target.files?.[0];
              setOutcome(undefined);
              setError(undefined);
              if (!file) return;
              if (file.size > REGISTER_MAX_BYTES) {
                setError(new Error(t('import.tooLarge')));
                return;
              }
              setFileName(file.name);
              void file.text().then(setCsv);
            }}
          />
        </label>
        <div className="buttons">
          <button type="button" data-testid="import-check" disabled={!csv || busy} onClick={() => void send(async () => ({ kind: 'checked', ...(await api.postCsv<{ wouldImport: number }>('/persons/import/check', csv!)) }))}>
            {t('import.check')}
          </button>
          {outcome?.kind === 'checked' ? (
            <button type="button" className="primary" data-testid="import-go" disabled={busy} onClick={() => void send(async () => ({ kind: 'imported', ...(await api.postCsv<{ imported: number }>('/persons/import', csv!)) }))}>
              {t('import.go', { count: outcome.wouldImport })}
            </button>
          ) : null}
        </div>
        {outcome?.kind === 'checked' ? (
          <p role="status" data-testid="import-checked">
            {t('import.checked', { file: fileName, count: outcome.wouldImport })}
          </p>
        ) : null}
        {outcome?.kind === 'imported' ? (
          <p role="status" className="done" data-testid="import-done">
            {t('import.done', { count: outcome.imported })}
          </p>
        ) : null}
        <ErrorBox error={error} />
        {outcome?.kind === 'rows' ? (
          <Table
            caption={t('import.rows', { count: outcome.errorCount })}
            testId="import-errors"
            rowKey={(r) => `${r.line}-${r.field ?? ''}-${r.code}`}
            rows={outcome.rows}
            columns={[
              { key: 'line', header: t('import.line'), render: (r) => r.line, numeric: true },
              { key: 'field', header: t('import.field'), render: (r) => r.field ?? '—' },
              { key: 'code', header: t('import.code'), render: (r) => <span className="mono">{r.code}</span> },
              { key: 'message', header: t('import.message'), render: (r) => r.message },
            ]}
          />
        ) : null}
      </Section>
    </>
  );
}
