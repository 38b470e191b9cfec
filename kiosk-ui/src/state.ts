// What the terminal's local API sends: the session state plus link status.
// The types are the protocol package's local API (type-only imports, erased
// from the bundle): the UI renders them and touches nothing else.
export type { AccountSummary, PublicityList, Diagnostics, PaymentOutcome, PaymentProgress, KioskView } from '@nongbao/protocol';

export interface DemoCard {
  cardNumber: string;
  maskedName: string;
  kind: 'resident' | 'staff';
  villageName: string;
  note?: string;
}
