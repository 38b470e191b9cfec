// Public entry of the central ledger: `@nongbao/server/ledger` (issue #5 section 1).
export type {
  AccountId,
  AccountSpec,
  Balance,
  Transfer,
  TransferInput,
  TransferMetaValue,
  TransferQuery,
  TransferResult,
  TransferResultCode,
  VerifyProblem,
  VerifyProblemKind,
  VerifyReport,
} from './types.js';
export type { Source, FundKey } from './chart.js';
export {
  SOURCES,
  FUND,
  FUND_ACCOUNT_SPECS,
  ACCOUNT_ID_MAX_LENGTH,
  isSource,
  personAccountId,
  personAccountSpecs,
  cashBoxAccountId,
  cashBoxAccountSpec,
  personCreditAccountId,
  personCreditAccountSpec,
} from './chart.js';
export { LedgerError, LedgerErrorCode, isLedgerError, isLedgerInputError } from './errors.js';
export type { LedgerStore, StoredTransfer, StoredBlock, StoredAccount, ChainHead, BalanceDelta, AccountState, AppendTransfer, NewBlock, IndexedTotals, TransferQueryParams } from './store.js';
export { Ledger, MAX_BATCH_TRANSFERS, MAX_BALANCES_ACCOUNTS, TRANSFER_QUERY_DEFAULT_LIMIT, TRANSFER_QUERY_MAX_LIMIT, VERIFY_MAX_PROBLEMS } from './ledger.js';
export type { LedgerOptions } from './ledger.js';
export { SqliteLedgerStore, LEDGER_CHECKPOINT_TRANSFERS } from './sqlite/store.js';
export type { SqliteLedgerStoreOptions } from './sqlite/store.js';
export { LEDGER_SCHEMA_VERSION, LEDGER_CACHE_KIB } from './sqlite/schema.js';
export { PgLedgerStore, openPgLedger } from './pg/store.js';
export type { PgLedgerStoreOptions } from './pg/store.js';
export { PG_LEDGER_SCHEMA_VERSION } from './pg/ddl.js';
export { migrateLedgerToPg } from './pg/migrate.js';
export type { LedgerMigration } from './pg/migrate.js';
export { LEDGER_ACCOUNT_CACHE_LIMIT } from './sqlite/account-cache.js';
export { GENESIS_HASH, canonicalTransferEncoding, blockDigest, blockHash } from './hash.js';
export { MAX_BLOCK_TRANSFERS, sealBlock } from './block.js';
export { ledgerCommand } from './command.js';
