// The demo panel's card list (GET /api/demo/cards, demo only).
export interface DemoCard {
  cardNumber: string;
  maskedName: string;
  kind: 'resident' | 'staff';
  villageName: string;
  note?: string;
}
