// What the terminal's local API sends: the session state plus link status.
// Mirrors terminal/src/session.ts (KioskState); the UI only renders it.

export interface ContributionRow {
  year: number;
  tierYuan: number;
  paidOn: string;
  totalFen: number;
}

export interface AccountSummary {
  citizenNumber: string;
  villageCode: string;
  villageName: string;
  balanceFen: number;
  balancesFen: Record<string, number>;
  contributions: ContributionRow[];
  contributionYears: number;
  requiredYears: number;
  pension: { status: string; startMonth: string | null; monthlyFen: number | null };
  certifiedThrough: string | null;
  payment: { year: number; tiers: TierOffer[] } | null;
  paymentRefusal: string | null;
  asOf: string;
}

export interface TierOffer {
  tierYuan: number;
  dueFen: number;
  creditedFen: number;
}

export interface PaymentProgress {
  paymentId: string;
  year: number;
  tierYuan: number;
  dueFen: number;
  stackedFen: number;
}

export interface PaymentOutcome extends PaymentProgress {
  outcome: 'paid' | 'short';
  reason: string | null;
  fault: string | null;
  receipt: { text: string; pngBase64: string } | null;
  printed: boolean;
}

export type KioskScreen =
  | { screen: 'idle' }
  | { screen: 'reading' }
  | { screen: 'pin'; holderName: string; triesLeft: number | null; wrongPin: boolean; pinPad: boolean; enteredDigits: number }
  | { screen: 'loading'; holderName: string }
  | {
      screen: 'account';
      holderName: string;
      summary: AccountSummary;
      offline: boolean;
      canPay: boolean;
      cashUnavailable: string | null;
      canCertify: boolean;
    }
  | { screen: 'certified'; holderName: string; certifiedOn: string }
  | { screen: 'tiers'; holderName: string; year: number; tiers: TierOffer[] }
  | { screen: 'paying'; holderName: string; progress: PaymentProgress }
  | { screen: 'receipt'; holderName: string; outcome: PaymentOutcome }
  | { screen: 'publicity'; holderName: string; list: PublicityList }
  | { screen: 'staff'; holderName: string; diagnostics: Diagnostics | null }
  | { screen: 'message'; messageKey: string; params: Record<string, string | number> };

export type KioskView = KioskScreen & { session: number; serverConnected: boolean; terminalId: string; demo: boolean };

export interface DemoCard {
  cardNumber: string;
  maskedName: string;
  kind: 'resident' | 'staff';
  villageName: string;
  note?: string;
}

export interface PublicityList {
  villageCode: string;
  villageName: string;
  year: number;
  contributors: Array<{ name: string; tierYuan: number; paidOn: string }>;
  recipients: Array<{ name: string; monthlyFen: number; certification: 'certified' | 'lapsed' }>;
}

export interface Diagnostics {
  terminalId: string;
  serverConnected: boolean;
  outboxPending: number;
  openPayments: number;
  unattributedCashFen: number;
  devices: Array<{ name: string; state: string; detail: string }>;
  at: string;
}
