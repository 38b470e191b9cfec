// Public entry `@nongbao/drivers/escpos` (issue #4 §3).
import type { Logger } from 'pino';
import { createMemoryLinkPair } from '../device/link.js';
import { EscPosPrinter } from './driver.js';
import { PrinterSimulator } from './simulator.js';

export * from './constants.js';
export * from './types.js';
export * from './codec.js';
export { EscPosParser, parseEscPos, ESCPOS_PARSER_BUFFER_LIMIT_BYTES } from './parser.js';
export { ReceiptBuilder, buildReceipt, columnsOf, wrapText, type ReceiptBuilderOptions } from './builder.js';
export { renderReceipt, renderCommands, decodePrinterText, RENDER_MAX_HEIGHT_DOTS, type RenderOptions, type RenderedReceipt } from './render.js';
export { BuiltinGlyphSource, FULL_WIDTH_DOTS, type Glyph, type GlyphSource } from './font.js';
export {
  UnifontGlyphSource,
  defaultGlyphSource,
  GlyphSourceError,
  GlyphSourceErrorCode,
  isGlyphSourceError,
  isGlyphFileUnavailable,
  UNIFONT_DEFAULT_PATH,
  UNIFONT_COMBINING_FILE_NAME,
  UNIFONT_MAX_FILE_BYTES,
  UNIFONT_MAX_MALFORMED_LINES,
  UNIFONT_GLYPH_CACHE_LIMIT,
  UNIFONT_LOADED_FILES_LIMIT,
  type GlyphSourceKind,
  type ResolvedGlyphSource,
  type UnifontLoadOptions,
} from './unifont.js';
export {
  EscPosPrinter,
  STATUS_REPLY_TIMEOUT_MS,
  STATUS_QUERY_TIMEOUT_MS,
  PRINT_TIMEOUT_MS,
  PRINT_MAX_BYTES,
  type EscPosPrinterOptions,
} from './driver.js';
export {
  PrinterSimulator,
  PRINTER_SIMULATOR_RECEIPT_LIMIT,
  type PrintedReceipt,
  type PrinterControl,
  type PrinterSimulatorOptions,
} from './simulator.js';
export { RemotePrinter } from './remote.js';

/** A printer driver and simulator joined in memory (the demo). Call `printer.open()` next. */
export function createInProcessPrinter(options: { widthDots?: number; log?: Logger } = {}): {
  printer: EscPosPrinter;
  simulator: PrinterSimulator;
} {
  const { host, device } = createMemoryLinkPair();
  const simulator = new PrinterSimulator({ link: device, ...(options.widthDots ? { widthDots: options.widthDots } : {}) });
  const printer = new EscPosPrinter({ link: host, ...(options.widthDots ? { widthDots: options.widthDots } : {}), ...(options.log ? { log: options.log } : {}) });
  return { printer, simulator };
}

// The binding, so callers need only this entry to open a port or pair in memory.
export { openSerialLink, createMemoryLinkPair, type ByteLink, type SerialLinkOptions } from '../device/link.js';
