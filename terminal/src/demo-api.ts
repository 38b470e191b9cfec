// The demo's device panel on the local API (/api/demo/*): it stands in for
// the person's hands at the card slot, the note slot, the PIN pad and the
// printer. Mounted only by `nongbao demo` (cli/demo.ts), never by a kiosk.
import type { Express, Request, Response } from 'express';
import { z } from 'zod';
import type { KioskSession } from './session.js';

/** Demo-only device panel: lets a person insert one of the demo cards. */
export interface DemoPanel {
  cards(): Array<{ cardNumber: string; maskedName: string; kind: 'resident' | 'staff'; villageName: string; note?: string }>;
  insert(cardNumber: string): Promise<{ ok: true } | { ok: false; reason: 'unknown-card' | 'slot-busy' }>;
  remove(): Promise<void>;
  /** How the demo card reaches the driver: 'pcscd' or 'in-process'. */
  cardPath: string;
  pin: string;
  /** The simulated HID PIN pad's keys, when the demo runs with one. */
  pinPad?: { press(key: DemoPinPadKey): void };
  /** The simulated cash devices: notes into the acceptor, faults, the printer's paper. */
  cash?: {
    insertNote(yuan: number): Promise<string>;
    fault(kind: DemoFault): Promise<void>;
    setPaper(paper: 'ok' | 'out'): Promise<void>;
  };
}

export const DEMO_FAULTS = ['jam', 'clearJam', 'stackerRemoved', 'stackerInserted'] as const;
export const DEMO_PIN_PAD_KEYS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'enter', 'cancel', 'clear', 'backspace'] as const;
export type DemoPinPadKey = (typeof DEMO_PIN_PAD_KEYS)[number];
export type DemoFault = (typeof DEMO_FAULTS)[number];

const insertBodySchema = z.strictObject({ cardNumber: z.string().min(1).max(16) });
const noteBodySchema = z.strictObject({ yuan: z.number().int().positive().max(1000) });
const faultBodySchema = z.strictObject({ fault: z.enum(DEMO_FAULTS) });
const paperBodySchema = z.strictObject({ paper: z.enum(['ok', 'out']) });
const pinPadKeyBodySchema = z.strictObject({ key: z.enum(DEMO_PIN_PAD_KEYS) });

function parse<S extends z.ZodType>(schema: S, req: Request, res: Response, shape: string): z.output<S> | undefined {
  const parsed = schema.safeParse(req.body);
  if (parsed.success) return parsed.data;
  res.status(400).json({ error: { code: 'bad-request', message: `body must be ${shape}` } });
  return undefined;
}

function cashRoutes(app: Express, cash: NonNullable<DemoPanel['cash']>): void {
  app.post('/api/demo/note', async (req, res) => {
    const b = parse(noteBodySchema, req, res, '{"yuan": 1 | 5 | 10 | 20 | 50 | 100}');
    if (b) res.json({ outcome: await cash.insertNote(b.yuan) });
  });
  app.post('/api/demo/fault', async (req, res) => {
    const b = parse(faultBodySchema, req, res, `{"fault": ${DEMO_FAULTS.map((f) => `"${f}"`).join(' | ')}}`);
    if (!b) return;
    await cash.fault(b.fault);
    res.json({ ok: true });
  });
  app.post('/api/demo/printer', async (req, res) => {
    const b = parse(paperBodySchema, req, res, '{"paper": "ok" | "out"}');
    if (!b) return;
    await cash.setPaper(b.paper);
    res.json({ ok: true });
  });
}

/** Mounts /api/demo/* for `panel` on the local API's app. */
export function demoRoutes(panel: DemoPanel, session: KioskSession): (app: Express) => void {
  return (app) => {
    const pinPad = panel.pinPad;
    if (pinPad) {
      app.post('/api/demo/pinpad', (req, res) => {
        const b = parse(pinPadKeyBodySchema, req, res, '{"key": "0".."9" | "enter" | "cancel" | "clear" | "backspace"}');
        if (!b) return;
        pinPad.press(b.key);
        res.json({ ok: true });
      });
    }
    if (panel.cash) cashRoutes(app, panel.cash);
    app.get('/api/demo/cards', (_req, res) => {
      res.json({ cards: panel.cards(), cardPath: panel.cardPath, pin: panel.pin, cash: panel.cash !== undefined, pinPad: panel.pinPad !== undefined });
    });
    app.post('/api/demo/card', async (req, res) => {
      const b = parse(insertBodySchema, req, res, '{"cardNumber": "..."}');
      if (!b) return;
      const result = await panel.insert(b.cardNumber);
      if (!result.ok) {
        res.status(result.reason === 'unknown-card' ? 404 : 409).json({ error: { code: result.reason, message: result.reason } });
        return;
      }
      res.json({ ok: true });
    });
    app.delete('/api/demo/card', async (_req, res) => {
      await panel.remove();
      res.json({ ok: true });
    });
    // The person walks away: the idle countdown starts now (issue 12 section 1).
    app.post('/api/demo/walk-away', (_req, res) => {
      const result = session.walkAway();
      if (result.accepted) res.json({ ok: true });
      else res.status(409).json({ error: { code: 'not-now', message: 'no one is being served' } });
    });
  };
}
