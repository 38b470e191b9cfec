// The receipt, printed and shown: paid, or short with the credit kept.
import { api } from '../api.js';
import { BigButton, Heading, yuan } from '../ui.js';
import type { ScreenProps } from './types.js';

export function Receipt({ view, t }: ScreenProps<'receipt'>) {
  const { outcome } = view;
  return (
    <div className="receipt-screen">
      <Heading>
        <span data-testid="receipt-outcome">{outcome.outcome === 'paid' ? t('receipt.paid') : t('receipt.short', { amount: yuan(t, outcome.stackedFen) })}</span>
      </Heading>
      {outcome.fault && <p className="error">{t('receipt.fault')}</p>}
      {outcome.offline && outcome.receipt && <p className="offline-banner">{t('receipt.provisional')}</p>}
      {outcome.receipt && <p>{outcome.printed ? t('receipt.take') : t('receipt.notPrinted')}</p>}
      {outcome.receipt && (
        <>
          <img className="receipt-image" alt={t('receipt.take')} src={`data:image/png;base64,${outcome.receipt.pngBase64}`} data-testid="receipt-image" />
          <pre className="receipt-paper visually-hidden" data-testid="receipt-text">
            {outcome.receipt.text}
          </pre>
        </>
      )}
      <BigButton choice kind="primary" icon="check" label={t('nav.done')} testId="done" onPress={() => api.action('done')} />
    </div>
  );
}
