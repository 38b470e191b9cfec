// Loading and failure, said the same way on every page; an API failure shows
// its code (what to look up) and message.
import type { ReactNode } from 'react';
import { ApiFailure } from '../api/client.js';
import { useConsole } from '../app/context.js';

export function ErrorBox({ error }: { error: unknown }) {
  const { t } = useConsole();
  if (error === undefined || error === null) return null;
  const failure = error instanceof ApiFailure ? error : undefined;
  const rows = (failure?.details as { rows?: unknown } | undefined)?.rows;
  return (
    <div role="alert" className="error" data-testid="error" data-code={failure?.code ?? 'error'}>
      <strong>{failure ? t('error.refused', { code: failure.code }) : t('error.failed')}</strong> {failure?.message ?? String(error)}
      {Array.isArray(rows) && rows.length === 0 ? null : null}
    </div>
  );
}

export function Loading({ when, children }: { when: boolean; children?: ReactNode }) {
  const { t } = useConsole();
  return when ? <p aria-busy="true">{t('loading')}</p> : <>{children}</>;
}

export function Section({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <section className="card" data-testid={testId} aria-label={title}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}
