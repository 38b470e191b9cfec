// Public entry `@nongbao/drivers/card`: the social-security card path.
export * from './types.js';
export * from './constants.js';
export * from './errors.js';
export * from './codec.js';
export { parseRecords, encodeRecord, MAX_RECORDS_PER_EF, type ParsedRecords, type RecordItem, type ParsedRecord, type DiscardedBytes } from './parser.js';
export { decodeCardData, decodeHolderData } from './identity.js';
export * from './checks.js';
export * from './auth.js';
export { exchangeT0, type RawExchange } from './t0.js';
export { CardSession, REMOVAL_SETTLE_MS, type CardSessionOptions } from './session.js';
export { SocialSecurityCardApp, type SocialSecurityCardAppOptions } from './application.js';
export * from './profile.js';
export { VirtualCard } from './simulator.js';
export { VirtualCardWallet, WALLET_CARDS_LIMIT } from './wallet.js';
export { InProcessCardReader, IN_PROCESS_READER_NAME, type InProcessCardReaderOptions } from './in-process.js';
export {
  PcscCardReader,
  defaultPcscBinding,
  mapPcscError,
  pcscReturnCode,
  type PcscCardReaderOptions,
  type PcscBinding,
  type PcscBindingContext,
  type PcscBindingReader,
  type PcscReaderStatus,
} from './driver.js';
export * from './vpcd.js';
export { VpcdSlotWorker, type VpcdSlotWorkerOptions } from './vpcd-worker.js';
export { virtualCardCommand, parseVirtualCardArgs, VIRTUAL_CARD_USAGE, type VirtualCardArgs } from './cli.js';
export * from './transcript.js';
