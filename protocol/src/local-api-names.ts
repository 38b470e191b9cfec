// The names of the kiosk's local API (routes, languages, actions, screens,
// refusals) without schemas: the kiosk UI imports this module, so it must not
// pull zod into the UI's bundle. local-api.ts re-exports it.
// ---------------------------------------------------------------- routes
/** Routes of the production local API (the demo adds /api/demo/*, mounted only by `nongbao demo`). */
export const LOCAL_API_ROUTES = {
  state: { method: 'GET', path: '/api/state' },
  prompts: { method: 'GET', path: '/api/prompts' },
  pin: { method: 'POST', path: '/api/pin' },
  action: { method: 'POST', path: '/api/action' },
  pay: { method: 'POST', path: '/api/pay' },
  language: { method: 'POST', path: '/api/language' },
  certify: { method: 'POST', path: '/api/certify' },
  complaint: { method: 'POST', path: '/api/complaint' },
} as const;

/** The kiosk's languages (issue 12 section 3); the first is the default a session returns to. */
export const KIOSK_LANGUAGES = ['zh-Hans', 'zh-Hant', 'bo', 'en'] as const;
export type KioskLanguage = (typeof KIOSK_LANGUAGES)[number];
export const DEFAULT_KIOSK_LANGUAGE: KioskLanguage = 'zh-Hans';

/** The maintenance shell's sections (issue 12 section 2). */
export const STAFF_SECTIONS = ['devices', 'cash', 'updates', 'alarms'] as const;
export type StaffSection = (typeof STAFF_SECTIONS)[number];

/**
 * What a touch (or a key) asks of the session:
 * - `account`, `pay`, `confirm`, `publicity`, `help`: the main menu's choices (and help from any screen);
 * - `back`: to the main menu (to the idle screen from help without a card);
 * - `done`: leave a receipt, a confirmation or a filed complaint, back to the menu with fresh data;
 * - `finish`: the person is done: "take your card";
 * - `cancel-payment`: returns the note in escrow, keeps what was stacked as credit;
 * - `help-request`: asks the county office to call back;
 * - `still-here`: the person answered the idle countdown (any touch or key);
 * - `staff-devices`, `staff-cash`, `staff-updates`, `staff-alarms`: the maintenance shell's navigation.
 */
export const SESSION_ACTIONS = [
  'account',
  'pay',
  'confirm',
  'publicity',
  'help',
  'back',
  'done',
  'finish',
  'cancel-payment',
  'help-request',
  'still-here',
  'staff-devices',
  'staff-cash',
  'staff-updates',
  'staff-alarms',
] as const;
export type SessionAction = (typeof SESSION_ACTIONS)[number];

/** Why the terminal did not take a touch (HTTP 409); the UI tells the person in their language. */
export const LOCAL_REFUSALS = [
  'no-card',
  'not-asked',
  'format',
  'busy',
  'use-pin-pad',
  'not-now',
  'unknown-tier',
  'no-cash-devices',
  'unknown-month',
  'photo-not-jpeg',
] as const;
export type LocalRefusal = (typeof LOCAL_REFUSALS)[number];
export type LocalErrorCode = LocalRefusal | 'bad-request' | 'not-found' | 'too-large' | 'internal' | 'forbidden-origin' | 'misdirected';


/** Every screen, in the order a journey meets them (tests and the UI's screen table use it). */
export const KIOSK_SCREENS = [
  'idle',
  'reading',
  'pin',
  'loading',
  'menu',
  'account',
  'tiers',
  'paying',
  'receipt',
  'confirm',
  'certified',
  'complaint-filed',
  'publicity',
  'help',
  'take-card',
  'staff',
  'message',
] as const;
export type KioskScreenName = (typeof KIOSK_SCREENS)[number];


/** The devices a kiosk reports to staff (Diagnostics `devices[].name`); the UI translates each. */
export const DEVICE_NAMES = ['billAcceptor', 'printer', 'pinPad', 'cardReader', 'camera'] as const;
export type DeviceName = (typeof DEVICE_NAMES)[number];
