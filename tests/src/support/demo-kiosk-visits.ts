// What residents and staff do at the demo's kiosk, through its local API (the
// same routes the kiosk UI calls), so the county office has something real to
// look at: a help request, a proof of life with a photo and an "I did not
// receive it" complaint, a cash payment, and staff emptying the cash box.
// Each visit ends back on the idle screen.
import type { DemoResident, DemoStaff } from '@nongbao/server';
import { waitForKioskState, type KioskStateJson } from './demo-process.js';

export class DemoKioskVisits {
  constructor(private readonly kioskUrl: string) {}

  private async send(path: string, body?: unknown, method = 'POST'): Promise<void> {
    const res = await fetch(`${this.kioskUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  }

  private screen(name: string, predicate: (s: KioskStateJson) => boolean = () => true): Promise<KioskStateJson> {
    return waitForKioskState(this.kioskUrl, (s) => s.screen === name && predicate(s));
  }

  private async signIn(card: { cardNumber: string; pin: string }, then: string): Promise<void> {
    await this.send('/api/demo/card', { cardNumber: card.cardNumber });
    await this.screen('pin');
    await this.send('/api/pin', { pin: card.pin });
    await this.screen(then);
  }

  private async cardOut(): Promise<void> {
    await this.send('/api/demo/card', undefined, 'DELETE');
    await this.screen('idle');
  }

  /** Someone without a card asks the county office to call back. */
  async helpRequest(): Promise<void> {
    await this.send('/api/action', { action: 'help' });
    await this.screen('help');
    await this.send('/api/action', { action: 'help-request' });
    await this.screen('help', (s) => s.requested === true);
    await this.send('/api/action', { action: 'back' });
    await this.screen('idle');
  }

  /** A pensioner confirms a paid month with a photo, then says another month did not arrive. Returns that month. */
  async certifyAndComplain(pensioner: DemoResident, jpegBase64: string): Promise<string> {
    await this.signIn(pensioner.card, 'menu');
    await this.send('/api/action', { action: 'confirm' });
    const confirm = await this.screen('confirm');
    const paid = (confirm.months as { month: string; status: string }[]).filter((m) => m.status === 'paid');
    if (paid.length === 0) throw new Error(`no paid month to confirm for ${pensioner.citizenNumber}`);
    await this.send('/api/certify', { month: paid[0]!.month, photoJpegBase64: jpegBase64 });
    await this.screen('certified');
    await this.send('/api/action', { action: 'done' });
    await this.screen('menu');
    await this.send('/api/action', { action: 'confirm' });
    await this.screen('confirm');
    const month = paid.at(-1)!.month;
    await this.send('/api/complaint', { month });
    await this.screen('complaint-filed');
    await this.cardOut();
    return month;
  }

  /** A resident pays this year's lowest tier with one 100-yuan note. */
  async payCash(payer: DemoResident): Promise<void> {
    await this.signIn(payer.card, 'menu');
    await this.send('/api/action', { action: 'pay' });
    await this.screen('tiers');
    await this.send('/api/pay', { tierYuan: 100 });
    await this.screen('paying');
    await this.send('/api/demo/note', { yuan: 100 });
    await this.screen('receipt');
    await this.cardOut();
  }

  /** Staff empty the cash box: the kiosk journals and relays the collection. */
  async emptyCashBox(staff: DemoStaff): Promise<void> {
    await this.signIn(staff.card, 'staff');
    await this.send('/api/staff/collection/start', {});
    await this.send('/api/staff/collection/finish', {});
    await this.cardOut();
  }
}
