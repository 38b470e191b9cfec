// Public entry of the server package.
export { startServer, type RunningServer, type ServerOptions, type ServerServices } from './app.js';
export { createServerServices, DEMO_OFFICE_PASSWORD, type ServerServicesOptions } from './services.js';
export { TerminalRegistry } from './gateway/index.js';
export { type KioskService, type CardAuthenticator, KIOSK_CASH_BOX_CAPACITY_FEN, PAID_AT_WINDOW_ALLOWANCE_MS, KioskRequests, PhotoKey, CertificationPhotos } from './kiosk/index.js';
export { buildDemoCounty, DEMO_PIN, type DemoCounty, type DemoResident, type DemoStaff } from './demo/county.js';
export { checkProvisionalReceipt, type ReceiptCheck } from './kiosk/receipts.js';
export { Fleet, type FleetTerminal, type OutboxHalt } from './gateway/index.js';
// Closed unions the office console words (console/src/i18n/i18n.test.ts checks each value has its words).
export { REQUEST_STATES, REQUEST_KINDS } from './kiosk/index.js';
export { DIFFERENCE_KINDS } from './collections/types.js';
export { ROLLOUT_TERMINAL_STATES } from './updates/states.js';
