export { startTerminal, type CardFeed, type RunningTerminal, type TerminalOptions } from './terminal.js';
export { KioskSession, CardReadError, type CardHolder, type InsertedCard, type KioskState, type PinCheck } from './session.js';
export { loadOrCreateIdentity, enrol, readEnrolment, EnrolmentError, type TerminalIdentity } from './identity.js';
export { Journal } from './journal.js';
export { Uplink } from './uplink.js';
export type { DemoPanel } from './local-api.js';
