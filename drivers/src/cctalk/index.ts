// Public entry `@nongbao/drivers/cctalk` (issue #4 §2).
import type { Logger } from 'pino';
import { createMemoryLinkPair } from '../device/link.js';
import type { EscrowHandler } from '../device/types.js';
import { CctalkBillAcceptor } from './driver.js';
import { BillValidatorSimulator } from './simulator.js';
import type { ChecksumMode } from './types.js';

export * from './constants.js';
export * from './types.js';
export {
  checksum8,
  crc16Ccitt,
  encodeFrame,
  decodeFrame,
  decodeBufferedBillEvents,
  encodeBufferedBillEvents,
  decodeBillId,
  encodeBillId,
  encodeInhibitMask,
  decodeInhibitMask,
  CctalkCodecError,
  type BillId,
  type DecodeResult,
} from './codec.js';
export { CctalkParser, CCTALK_PARSER_BUFFER_LIMIT_BYTES, type CctalkParserOptions } from './parser.js';
export { CctalkTransport, CCTALK_REPLY_TIMEOUT_MS, CCTALK_QUEUE_LIMIT } from './transport.js';
export {
  CctalkBillAcceptor,
  eventCounterDistance,
  CCTALK_POLL_INTERVAL_MS,
  CCTALK_OPEN_TIMEOUT_MS,
  CCTALK_COMMAND_TIMEOUT_MS,
  CCTALK_POLL_FAILURE_LIMIT,
  ESCROW_DECISION_TIMEOUT_MS,
  ESCROW_EXTEND_INTERVAL_MS,
  type CctalkBillAcceptorOptions,
  type BillValidatorIdentity,
} from './driver.js';
export {
  BillValidatorSimulator,
  SIMULATOR_ESCROW_TIMEOUT_MS,
  type BillValidatorControl,
  type BillValidatorSimulatorOptions,
  type InsertOutcome,
  type SimulatorState,
} from './simulator.js';
export { RemoteBillValidator } from './remote.js';
export { runBillValidatorCommand } from './simulator-main.js';

export interface InProcessBillAcceptorOptions {
  mode?: ChecksumMode;
  /** Simulate the single-wire echo on the host side. */
  echo?: boolean;
  lastEventCounter?: number;
  pollIntervalMs?: number;
  escrowHandler?: EscrowHandler;
  log?: Logger;
  simulatorLog?: Logger;
}

/**
 * A driver and a simulator joined by an in-memory link: the demo's cash
 * device, and the unit tests' fixture. Call `driver.open()` next.
 */
export function createInProcessBillAcceptor(options: InProcessBillAcceptorOptions = {}): {
  driver: CctalkBillAcceptor;
  simulator: BillValidatorSimulator;
} {
  const { host, device } = createMemoryLinkPair({ echoHost: options.echo ?? false });
  const mode = options.mode ?? 'simple8';
  const simulator = new BillValidatorSimulator({ link: device, mode, ...(options.simulatorLog ? { log: options.simulatorLog } : {}) });
  const driver = new CctalkBillAcceptor({
    link: host,
    mode,
    echo: options.echo ?? false,
    ...(options.lastEventCounter === undefined ? {} : { lastEventCounter: options.lastEventCounter }),
    ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
    ...(options.escrowHandler ? { escrowHandler: options.escrowHandler } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  return { driver, simulator };
}

// The binding, so callers need only this entry to open a port or pair in memory.
export { openSerialLink, createMemoryLinkPair, type ByteLink, type SerialLinkOptions } from '../device/link.js';
