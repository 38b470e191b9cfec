// Demo mode only: stands in for the person's hands at the card slot. The
// terminal mounts /api/demo only when started with --demo, and only then
// does the UI show this panel.
import { useEffect, useState } from 'react';
import type { DemoCard } from './state.js';

interface DemoInfo {
  cards: DemoCard[];
  cardPath: string;
  pin: string;
  cash: boolean;
  pinPad: boolean;
}

const PIN_PAD_KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', 'cancel', '0', 'enter'];

const NOTES_YUAN = [1, 5, 10, 20, 50, 100];

async function send(path: string, body: unknown): Promise<string | null> {
  const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (response.ok) return null;
  return ((await response.json()) as { error: { message: string } }).error.message;
}

export function DemoPanel() {
  const [info, setInfo] = useState<DemoInfo | null>(null);
  const [open, setOpen] = useState(true);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    fetch('/api/demo/cards')
      .then((r) => r.json() as Promise<DemoInfo>)
      .then(setInfo)
      .catch((e: unknown) => setError(String(e)));
  }, []);

  const insert = async (cardNumber: string) => {
    setError(null);
    const response = await fetch('/api/demo/card', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ cardNumber }),
    });
    if (!response.ok) setError(((await response.json()) as { error: { message: string } }).error.message);
  };
  const remove = async () => {
    setError(null);
    await fetch('/api/demo/card', { method: 'DELETE' });
  };

  return (
    <aside className={open ? 'demo-panel open' : 'demo-panel'} data-testid="demo-panel">
      <button className="demo-toggle" onClick={() => setOpen(!open)}>
        {open ? '▶' : '◀'} 演示设备 Demo devices
      </button>
      {open && info && (
        <div className="demo-body">
          <p>
            Card path: <b data-testid="card-path">{info.cardPath}</b> · PIN <b>{info.pin}</b>
          </p>
          <button className="demo-remove" onClick={() => void remove()} data-testid="remove-card">
            取出卡 Remove card
          </button>
          {error && <p className="error">{error}</p>}
          {info.pinPad && (
            <div className="demo-cash">
              <p>密码键盘 PIN pad</p>
              <div className="demo-pinpad">
                {PIN_PAD_KEYS.map((key) => (
                  <button key={key} data-testid={`pinpad-${key}`} onClick={() => void send('/api/demo/pinpad', { key }).then(setError)}>
                    {key === 'enter' ? '确认' : key === 'cancel' ? '取消' : key}
                  </button>
                ))}
              </div>
            </div>
          )}
          {info.cash && (
            <div className="demo-cash">
              <p>纸币 Notes</p>
              <div className="demo-row">
                {NOTES_YUAN.map((yuan) => (
                  <button key={yuan} data-testid={`note-${yuan}`} onClick={() => void send('/api/demo/note', { yuan }).then(setError)}>
                    ¥{yuan}
                  </button>
                ))}
              </div>
              <p>故障 Faults</p>
              <div className="demo-row">
                <button data-testid="fault-jam" onClick={() => void send('/api/demo/fault', { fault: 'jam' }).then(setError)}>卡币 jam</button>
                <button onClick={() => void send('/api/demo/fault', { fault: 'clearJam' }).then(setError)}>清除 clear</button>
                <button onClick={() => void send('/api/demo/fault', { fault: 'stackerRemoved' }).then(setError)}>取钱箱 stacker out</button>
                <button onClick={() => void send('/api/demo/fault', { fault: 'stackerInserted' }).then(setError)}>装钱箱 stacker in</button>
              </div>
              <p>打印机 Printer</p>
              <div className="demo-row">
                <button data-testid="paper-out" onClick={() => void send('/api/demo/printer', { paper: 'out' }).then(setError)}>缺纸 paper out</button>
                <button data-testid="paper-ok" onClick={() => void send('/api/demo/printer', { paper: 'ok' }).then(setError)}>装纸 paper in</button>
              </div>
            </div>
          )}
          <ul>
            {info.cards.map((card) => (
              <li key={card.cardNumber}>
                <button onClick={() => void insert(card.cardNumber)} data-testid={`insert-${card.cardNumber}`}>
                  插卡 {card.maskedName}
                </button>
                <span className="demo-meta">
                  {card.kind === 'staff' ? '维护 staff' : card.villageName} {card.note ? `· ${card.note}` : ''}
                </span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </aside>
  );
}
