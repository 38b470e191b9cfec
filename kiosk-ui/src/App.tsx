// The kiosk touchscreen. Big type, high contrast, one thing per screen, every
// action a large button: most users are elderly and many read little.
import { useEffect, useMemo, useState } from 'react';
import { io } from 'socket.io-client';
import { LANGUAGES, LANGUAGE_NAMES, formatFen, translate, type Language } from './i18n.js';
import type { KioskView } from './state.js';
import { DemoPanel } from './DemoPanel.js';

const PIN_LENGTH = 6;

export function App() {
  const [view, setView] = useState<KioskView | null>(null);
  const [language, setLanguage] = useState<Language>('zh-Hans');
  const t = useMemo(() => (key: string, params?: Record<string, string | number>) => translate(language, key, params), [language]);

  useEffect(() => {
    const socket = io({ transports: ['websocket'] });
    socket.on('state', (next: KioskView) => setView(next));
    return () => {
      socket.close();
    };
  }, []);

  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);

  if (!view) return <div className="screen center"><p className="big">…</p></div>;

  return (
    <div className={view.demo ? 'kiosk with-demo' : 'kiosk'}>
      <header className="topbar">
        <h1>{t('app.title')}</h1>
        <span className={`link ${view.serverConnected ? 'online' : 'offline'}`} data-testid="link-status">
          {t(view.serverConnected ? 'status.online' : 'status.offline')}
        </span>
      </header>
      <main className="screen" data-screen={view.screen}>
        <Screen view={view} t={t} />
      </main>
      <footer className="languages">
        {LANGUAGES.map((lang) => (
          <button key={lang} lang={lang} className={lang === language ? 'lang active' : 'lang'} onClick={() => setLanguage(lang)}>
            {LANGUAGE_NAMES[lang]}
          </button>
        ))}
      </footer>
      {view.demo && <DemoPanel />}
    </div>
  );
}

type T = (key: string, params?: Record<string, string | number>) => string;

function Screen({ view, t }: { view: KioskView; t: T }) {
  switch (view.screen) {
    case 'idle':
      return (
        <div className="center">
          <div className="card-icon" aria-hidden="true">💳</div>
          <p className="big">{t('idle.insert')}</p>
          <p className="hint">{t('idle.hint')}</p>
        </div>
      );
    case 'reading':
      return <div className="center"><p className="big">{t('reading')}</p></div>;
    case 'loading':
      return <div className="center"><p className="big">{t('loading')}</p></div>;
    case 'pin':
      return <PinScreen key={`${view.session}-${view.triesLeft ?? 'x'}`} view={view} t={t} />;
    case 'account':
      return <AccountScreen view={view} t={t} />;
    case 'tiers':
      return <TiersScreen view={view} t={t} />;
    case 'paying':
      return <PayingScreen view={view} t={t} />;
    case 'receipt':
      return <ReceiptScreen view={view} t={t} />;
    case 'publicity':
      return <PublicityScreen view={view} t={t} />;
    case 'certified':
      return (
        <div className="center">
          <div className="card-icon" aria-hidden="true">✅</div>
          <p className="big" data-testid="certified">{t('certified.title')}</p>
          <p className="amount-line">{t('certified.body', { date: view.certifiedOn })}</p>
          <button className="action" onClick={() => void post('/api/action', { action: 'done' })}>{t('receipt.done')}</button>
          <p className="hint">{t('removeCard')}</p>
        </div>
      );
    case 'staff':
      return (
        <div className="staff">
          <p className="big">{t('staff.title')}</p>
          <p>{t('staff.hello', { name: view.holderName })}</p>
          {view.diagnostics && (
            <table className="diagnostics" data-testid="diagnostics">
              <tbody>
                <tr><td>{t('staff.terminal')}</td><td>{view.diagnostics.terminalId}</td></tr>
                <tr><td>{t('staff.server')}</td><td>{t(view.diagnostics.serverConnected ? 'status.online' : 'status.offline')}</td></tr>
                <tr><td>{t('staff.outbox')}</td><td data-testid="outbox-pending">{view.diagnostics.outboxPending}</td></tr>
                <tr><td>{t('staff.openPayments')}</td><td>{view.diagnostics.openPayments}</td></tr>
                <tr><td>{t('staff.unattributed')}</td><td>{yuanText(t, view.diagnostics.unattributedCashFen)}</td></tr>
                {view.diagnostics.devices.map((d) => (
                  <tr key={d.name}><td>{d.name}</td><td>{d.state} {d.detail}</td></tr>
                ))}
              </tbody>
            </table>
          )}
          <p className="hint">{t('removeCard')}</p>
        </div>
      );
    case 'message':
      return (
        <div className="center">
          <div className="warn-icon" aria-hidden="true">⚠️</div>
          <p className="big" data-testid="message">{t(view.messageKey, view.params)}</p>
          <p className="hint">{t('removeCard')}</p>
        </div>
      );
  }
}

function PinScreen({ view, t }: { view: Extract<KioskView, { screen: 'pin' }>; t: T }) {
  if (view.pinPad) return <PinPadScreen view={view} t={t} />;
  return <TouchPinScreen view={view} t={t} />;
}

/** The kiosk has a PIN pad: the screen shows only how many digits are typed. */
function PinPadScreen({ view, t }: { view: Extract<KioskView, { screen: 'pin' }>; t: T }) {
  return (
    <div className="pin">
      <p className="greeting">{t('pin.greeting', { name: view.holderName })}</p>
      <p className="big">{t('pin.onPad')}</p>
      {view.wrongPin && view.triesLeft !== null && (
        <p className="error" data-testid="pin-wrong">{t('pin.wrong', { tries: view.triesLeft })}</p>
      )}
      <div className="dots" aria-label="PIN" data-testid="pin-dots" data-entered={view.enteredDigits}>
        {Array.from({ length: PIN_LENGTH }, (_, i) => (
          <span key={i} className={i < view.enteredDigits ? 'dot filled' : 'dot'} />
        ))}
      </div>
      <p className="hint">{t('pin.onPadHint')}</p>
    </div>
  );
}

function TouchPinScreen({ view, t }: { view: Extract<KioskView, { screen: 'pin' }>; t: T }) {
  const [digits, setDigits] = useState('');
  const [sending, setSending] = useState(false);
  const press = (d: string) => setDigits((v) => (v.length < PIN_LENGTH ? v + d : v));
  const submit = async () => {
    if (digits.length !== PIN_LENGTH || sending) return;
    setSending(true);
    try {
      await fetch('/api/pin', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pin: digits }) });
    } finally {
      setDigits('');
      setSending(false);
    }
  };
  return (
    <div className="pin">
      <p className="greeting">{t('pin.greeting', { name: view.holderName })}</p>
      <p className="big">{t('pin.prompt')}</p>
      {view.wrongPin && view.triesLeft !== null && (
        <p className="error" data-testid="pin-wrong">{t('pin.wrong', { tries: view.triesLeft })}</p>
      )}
      <div className="dots" aria-label="PIN">
        {Array.from({ length: PIN_LENGTH }, (_, i) => (
          <span key={i} className={i < digits.length ? 'dot filled' : 'dot'} />
        ))}
      </div>
      <div className="keypad">
        {['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) => (
          <button key={d} className="key" onClick={() => press(d)}>{d}</button>
        ))}
        <button className="key clear" onClick={() => setDigits('')}>{t('pin.clear')}</button>
        <button className="key" onClick={() => press('0')}>0</button>
        <button className="key ok" disabled={digits.length !== PIN_LENGTH || sending} onClick={() => void submit()} data-testid="pin-ok">
          {t('pin.ok')}
        </button>
      </div>
    </div>
  );
}

async function post(path: string, body: unknown): Promise<void> {
  await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

const yuanText = (t: T, fen: number) => t('money.yuan', { amount: formatFen(fen) });

function AccountScreen({ view, t }: { view: Extract<KioskView, { screen: 'account' }>; t: T }) {
  const { summary, holderName, offline } = view;
  const pension = summary.pension;
  const thisYear = Number(summary.asOf.slice(0, 4));
  const pensionText =
    pension.status === 'paid' && pension.monthlyFen !== null
      ? t('account.pension.paid', { amount: t('money.yuan', { amount: formatFen(pension.monthlyFen) }) })
      : t(`account.pension.${pension.status}`);
  return (
    <div className="account">
      {offline && <p className="offline-banner">{t('account.offline', { date: summary.asOf.slice(0, 10) })}</p>}
      <p className="greeting">
        <span data-testid="holder-name">{holderName}</span> · {summary.villageName}
      </p>
      <section className="balance">
        <p className="label">{t('account.balance')}</p>
        <p className="amount" data-testid="balance">{t('money.yuan', { amount: formatFen(summary.balanceFen) })}</p>
      </section>
      <p className="years" data-testid="years">
        {t('account.years', { paid: summary.contributionYears, required: summary.requiredYears })}
      </p>
      <p className="pension">{pensionText}</p>
      {summary.certifiedThrough && <p className="cert">{t('account.certifiedThrough', { month: summary.certifiedThrough })}</p>}
      {view.canPay && summary.payment && (
        <button className="action pay" data-testid="pay" onClick={() => void post('/api/action', { action: 'pay' })}>
          {t('account.pay', { year: summary.payment.year })}
        </button>
      )}
      {view.cashUnavailable && <p className="error" data-testid="cash-unavailable">{t(view.cashUnavailable)}</p>}
      {view.canCertify && (
        <button className="action pay" data-testid="certify" onClick={() => void post('/api/action', { action: 'certify' })}>
          {t('account.certify')}
        </button>
      )}
      <button className="action" data-testid="publicity" onClick={() => void post('/api/action', { action: 'publicity' })}>
        {t('account.publicity')}
      </button>
      {!summary.payment && summary.paymentRefusal && ['already-paid', 'year-not-eligible', 'paid-by-government'].includes(summary.paymentRefusal) && (
        <p className="paid-note">{t(`payment.refused.${summary.paymentRefusal}`, { year: thisYear })}</p>
      )}
      <section className="history">
        <h2>{t('account.contributions')}</h2>
        {summary.contributions.length === 0 ? (
          <p>{t('account.none')}</p>
        ) : (
          <table>
            <tbody>
              {[...summary.contributions].reverse().map((c) => (
                <tr key={c.year}>
                  <td className="year">{c.year}</td>
                  <td>{t('account.tier', { tier: c.tierYuan })}</td>
                  <td className="num">{t('money.yuan', { amount: formatFen(c.totalFen) })}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <p className="hint">{t('removeCard')}</p>
    </div>
  );
}

function TiersScreen({ view, t }: { view: Extract<KioskView, { screen: 'tiers' }>; t: T }) {
  return (
    <div className="tiers">
      <p className="big">{t('tiers.title', { year: view.year })}</p>
      <div className="tier-list">
        {view.tiers.map((tier) => (
          <button key={tier.tierYuan} className="tier" data-testid={`tier-${tier.tierYuan}`} onClick={() => void post('/api/pay', { tierYuan: tier.tierYuan })}>
            <span className="tier-name">{t('account.tier', { tier: tier.tierYuan })}</span>
            <span className="tier-due">{t('tiers.pay', { amount: yuanText(t, tier.dueFen) })}</span>
            <span className="tier-credit">{t('tiers.credited', { amount: yuanText(t, tier.creditedFen) })}</span>
          </button>
        ))}
      </div>
      <button className="action back" onClick={() => void post('/api/action', { action: 'back' })}>{t('tiers.back')}</button>
    </div>
  );
}

function PayingScreen({ view, t }: { view: Extract<KioskView, { screen: 'paying' }>; t: T }) {
  const { dueFen, stackedFen } = view.progress;
  return (
    <div className="center paying">
      <div className="card-icon" aria-hidden="true">💴</div>
      <p className="big">{t('paying.insert')}</p>
      <p className="amount-line">{t('paying.due', { amount: yuanText(t, dueFen) })}</p>
      <p className="amount-line" data-testid="inserted">{t('paying.inserted', { amount: yuanText(t, stackedFen) })}</p>
      <p className="amount-line remaining">{t('paying.remaining', { amount: yuanText(t, dueFen - stackedFen) })}</p>
      <button className="action cancel" data-testid="cancel-payment" onClick={() => void post('/api/action', { action: 'cancel-payment' })}>
        {t('paying.cancel')}
      </button>
    </div>
  );
}

function ReceiptScreen({ view, t }: { view: Extract<KioskView, { screen: 'receipt' }>; t: T }) {
  const { outcome } = view;
  return (
    <div className="receipt-screen">
      <p className="big" data-testid="receipt-outcome">
        {outcome.outcome === 'paid' ? t('receipt.paid') : t('receipt.short', { amount: yuanText(t, outcome.stackedFen) })}
      </p>
      {outcome.fault && <p className="error">{t('receipt.fault')}</p>}
      {outcome.receipt && <p>{outcome.printed ? t('receipt.take') : t('receipt.notPrinted')}</p>}
      {outcome.receipt && (
        <>
          <img className="receipt-image" alt="" src={`data:image/png;base64,${outcome.receipt.pngBase64}`} data-testid="receipt-image" />
          <pre className="receipt-paper visually-hidden" data-testid="receipt-text">{outcome.receipt.text}</pre>
        </>
      )}
      <button className="action" onClick={() => void post('/api/action', { action: 'done' })}>{t('receipt.done')}</button>
      <p className="hint">{t('removeCard')}</p>
    </div>
  );
}

function PublicityScreen({ view, t }: { view: Extract<KioskView, { screen: 'publicity' }>; t: T }) {
  const { list } = view;
  return (
    <div className="publicity">
      <p className="big">{t('publicity.title', { village: list.villageName, year: list.year })}</p>
      <button className="action back" onClick={() => void post('/api/action', { action: 'back' })}>{t('tiers.back')}</button>
      <section className="history">
        <h2>{t('publicity.contributors')}</h2>
        {list.contributors.length === 0 ? (
          <p>{t('publicity.none')}</p>
        ) : (
          <table data-testid="publicity-contributors">
            <tbody>
              {list.contributors.map((c, i) => (
                <tr key={i}>
                  <td className="year">{c.name}</td>
                  <td>{t('account.tier', { tier: c.tierYuan })}</td>
                  <td className="num">{c.paidOn}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="history">
        <h2>{t('publicity.recipients')}</h2>
        {list.recipients.length === 0 ? (
          <p>{t('publicity.none')}</p>
        ) : (
          <table>
            <tbody>
              {list.recipients.map((r, i) => (
                <tr key={i}>
                  <td className="year">{r.name}</td>
                  <td className="num">{yuanText(t, r.monthlyFen)}</td>
                  <td>{t(`publicity.${r.certification}`)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
