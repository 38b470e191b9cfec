// What the terminal's local API sends: the session state plus link status.
// The types are the terminal's own (type-only imports, erased from the bundle):
// the UI renders them and touches nothing else.
import type { KioskState } from '@nongbao/terminal';

export type { AccountSummary, PublicityList } from '@nongbao/server/protocol';
export type { Diagnostics, PaymentOutcome, PaymentProgress } from '@nongbao/terminal';

export type KioskView = KioskState & { serverConnected: boolean; terminalId: string; demo: boolean };

export interface DemoCard {
  cardNumber: string;
  maskedName: string;
  kind: 'resident' | 'staff';
  villageName: string;
  note?: string;
}
