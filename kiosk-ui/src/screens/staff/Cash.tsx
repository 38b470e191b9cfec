// The cash-box section (issue 13 section 2, the kiosk's side): what the box
// holds by the journal, start a collection (the kiosk stops taking cash and
// prints the slip), the slip, finish when the box is back, reprint. Every
// action is one of the terminal's staff collection routes.
import { useCallback, useEffect, useState } from 'react';
import type { CashBoxView, CollectionSlipAnswer, CollectionView, StaffCollectionState } from '@nongbao/protocol/maintenance';
import { staffApi } from '../../staff-api.js';
import { BigButton, yuan } from '../../ui.js';
import type { Translate } from '../../i18n.js';
import { shortTime, type SectionProps } from './types.js';

function BoxContents({ box, t, testId }: { box: CashBoxView; t: Translate; testId: string }) {
  return (
    <dl className="pairs" data-testid={testId}>
      {box.notes.length === 0 && (
        <div>
          <dt>{t('cash.empty')}</dt>
          <dd />
        </div>
      )}
      {box.notes.map((n) => (
        <div key={n.denominationFen} data-testid={`${testId}-note-${n.denominationFen / 100}`}>
          <dt>{t('cash.noteRow', { denomination: n.denominationFen / 100, count: n.count })}</dt>
          <dd>{yuan(t, n.denominationFen * n.count)}</dd>
        </div>
      ))}
      <div>
        <dt>{t('cash.payments', { count: box.payments.count })}</dt>
        <dd>{yuan(t, box.payments.amountFen)}</dd>
      </div>
      <div>
        <dt>{t('cash.credits', { count: box.credits.count })}</dt>
        <dd>{yuan(t, box.credits.amountFen)}</dd>
      </div>
      {box.unattributed.count > 0 && (
        <div>
          <dt>{t('staff.unattributed')}</dt>
          <dd>{yuan(t, box.unattributed.amountFen)}</dd>
        </div>
      )}
      <div className="total">
        <dt>{t('cash.total')}</dt>
        <dd data-testid={`${testId}-total`}>{yuan(t, box.amountFen)}</dd>
      </div>
    </dl>
  );
}

function CollectionFacts({ c, t }: { c: CollectionView; t: Translate }) {
  return (
    <dl className="pairs">
      <div>
        <dt>{t('cash.collectionId')}</dt>
        <dd className="id" data-testid="collection-id">{c.id}</dd>
      </div>
      <div>
        <dt>{t('cash.startedAt')}</dt>
        <dd>{shortTime(c.startedAt)}</dd>
      </div>
      <div>
        <dt>{t('cash.relay')}</dt>
        <dd data-testid="collection-relay">{t(`cash.relay.${c.relay}`)}</dd>
      </div>
    </dl>
  );
}

function Slip({ answer, t }: { answer: CollectionSlipAnswer; t: Translate }) {
  return (
    <figure className="slip" data-testid="slip" data-printed={answer.printed}>
      <img src={`data:image/png;base64,${answer.slip.pngBase64}`} alt={t('cash.slipPicture', { id: answer.collection.id })} />
      <figcaption className={answer.printed ? '' : 'error'}>{t(answer.printed ? 'cash.printed' : 'cash.notPrinted')}</figcaption>
    </figure>
  );
}

export function Cash({ d, t }: SectionProps) {
  const [state, setState] = useState<StaffCollectionState | null>(null);
  const [slip, setSlip] = useState<CollectionSlipAnswer | null>(null);
  const load = useCallback(async () => {
    const answer = await staffApi.collection();
    if (answer.ok) setState(answer.data);
  }, []);
  useEffect(() => void load(), [load]);
  const withSlip = async (call: typeof staffApi.startCollection) => {
    const answer = await call();
    if (answer.ok) setSlip(answer.data);
    await load();
  };
  if (!state) return <p data-testid="cash">{t('cash.loading')}</p>;
  const open = state.open;
  return (
    <div data-testid="cash" data-open={open ? 'yes' : 'no'}>
      {open ? (
        <>
          <p className="notice" data-testid="collection-open">{t('cash.open')}</p>
          <CollectionFacts c={open} t={t} />
          <h3>{t('cash.taken')}</h3>
          <BoxContents box={open} t={t} testId="collection" />
          <div className="actions">
            <BigButton kind="primary" icon="check" label={t('cash.finish')} testId="collection-finish" onPress={async () => {
                await staffApi.finishCollection();
                setSlip(null);
                await load();
              }}
            />
            <BigButton icon="list" label={t('cash.reprint')} testId="collection-reprint" onPress={() => withSlip(staffApi.reprintSlip)} />
          </div>
        </>
      ) : (
        <>
          <h3>{t('cash.inBox')}</h3>
          <BoxContents box={state.box} t={t} testId="box" />
          <p className="hint">{t('staff.openPayments')}: {d.openPayments}</p>
          <div className="actions">
            <BigButton kind="primary" icon="box" label={t('cash.start')} testId="collection-start" onPress={() => withSlip(staffApi.startCollection)} />
            {state.last && <BigButton icon="list" label={t('cash.reprint')} testId="collection-reprint" onPress={() => withSlip(staffApi.reprintSlip)} />}
          </div>
        </>
      )}
      {slip && <Slip answer={slip} t={t} />}
      {!open && state.last && (
        <>
          <h3>{t('cash.last')}</h3>
          <CollectionFacts c={state.last} t={t} />
          <p className="hint" data-testid="last-total">
            {t('cash.total')}: {yuan(t, state.last.amountFen)}
          </p>
        </>
      )}
    </div>
  );
}
