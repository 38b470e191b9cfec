// The two steps of every counter write (issue 14 "Residents": "the policy
// engine's answer shown before confirming"): the preview's answer, then the
// confirm button that sends the same body for real.
import { useState, type ReactNode } from 'react';
import { useConsole } from '../app/context.js';
import { ErrorBox } from './Status.js';

export function PreviewThenConfirm<P, R>(props: {
  testId: string;
  preview: () => Promise<P>;
  confirm: () => Promise<R>;
  showPreview: (answer: P) => ReactNode;
  showResult: (answer: R) => ReactNode;
  onDone?: () => void;
  children: ReactNode;
}) {
  const { t } = useConsole();
  const [answer, setAnswer] = useState<P | undefined>(undefined);
  const [result, setResult] = useState<R | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const step = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="action"
      data-testid={props.testId}
      onSubmit={(e) => {
        e.preventDefault();
        setResult(undefined);
        void step(async () => setAnswer(await props.preview()));
      }}
      onChange={() => {
        setAnswer(undefined);
        setResult(undefined);
      }}
    >
      {props.children}
      <div className="buttons">
        <button type="submit" disabled={busy} data-testid={`${props.testId}-preview`}>
          {t('action.preview')}
        </button>
        {answer !== undefined && result === undefined ? (
          <button
            type="button"
            className="primary"
            disabled={busy}
            data-testid={`${props.testId}-confirm`}
            onClick={() =>
              void step(async () => {
                setResult(await props.confirm());
                setAnswer(undefined);
                props.onDone?.();
              })
            }
          >
            {t('action.confirm')}
          </button>
        ) : null}
      </div>
      {answer !== undefined ? (
        <div className="policy-answer" role="status" data-testid={`${props.testId}-answer`}>
          <strong>{t('action.policySays')}</strong> {props.showPreview(answer)}
        </div>
      ) : null}
      {result !== undefined ? (
        <div className="done" role="status" data-testid={`${props.testId}-result`}>
          {props.showResult(result)}
        </div>
      ) : null}
      <ErrorBox error={error} />
    </form>
  );
}
