// Public device model: `@nongbao/drivers` re-exports it (issue #4 §1).
// The shared contract suite lives in ./contract.ts (it imports vitest, so it is
// deliberately not re-exported here).
export * from './types.js';
export * from './errors.js';
export { TypedEmitter, type EventMap } from './emitter.js';
export { withDeadline, sleepUnlessAborted, DEVICE_DEADLINE_ERRORS, type DeadlineErrors } from './wait.js';
export {
  createMemoryLinkPair,
  openSerialLink,
  type ByteLink,
  type LinkCloseReason,
  type MemoryLinkPairOptions,
  type SerialLinkOptions,
} from './link.js';
