// Public entry of `@nongbao/protocol`: the terminal <-> gateway wire format
// (events both ways, versions, schemas, closed result unions, deadlines) and
// the kiosk UI <-> terminal local API. It imports nothing of the other
// packages (ARCHITECTURE.md "Layout"); docs/protocol.md describes it.
export * from './constants.js';
export * from './fields.js';
export * from './replies.js';
export * from './errors.js';
export * from './handshake.js';
export * from './account.js';
export * from './card.js';
export * from './money.js';
export * from './collection.js';
export * from './fleet.js';
export * from './updates.js';
export * from './maintenance-updates.js';
export { RELEASE_REFUSALS, type ReleaseRefusal } from './release/errors.js';
export { releaseVersionSchema, compareVersions } from './release/version.js';
export * from './receipt.js';
export * from './events.js';
export * from './names.js';
export * from './local-api-names.js';
export { certifyBodySchema, complaintBodySchema, languageBodySchema, actionBodySchema, payBodySchema, pinBodySchema, LOCAL_API_BODY_BYTES_LIMIT } from './local-api.js';
export type {
  TierOffer,
  NavigationKey,
  HelpContact,
  PromptManifest,
  KioskScreen,
  KioskState,
  KioskView,
  Diagnostics,
  PaymentProgress,
  PaymentOutcome,
  ProvisionalPayment,
  LocalApiError,
} from './local-api.js';
