// ESC/POS command bytes and limits (Epson ESC/POS command reference; Chinese
// GB18030 printers' FS & / FS . Kanji-mode commands). Issue #4 §3.

export const ESC = 0x1b;
export const GS = 0x1d;
export const FS = 0x1c;
export const DLE = 0x10;
export const EOT = 0x04;
export const LF = 0x0a;
export const CR = 0x0d;
export const HT = 0x09;

/** Receipt printers here are 58 mm at 203 dpi: 384 dots; Font A is 12x24 dots, so 32 columns. */
export const DEFAULT_WIDTH_DOTS = 384;
export const FONT_A_WIDTH_DOTS = 12;
export const FONT_HEIGHT_DOTS = 24;
/** ESC 2 default line spacing (Epson TM series: 30 dots at 203 dpi ~ 1/6 inch + a little). */
export const DEFAULT_LINE_SPACING_DOTS = 30;

/** GS v 0: at most 72 bytes (576 dots) per row on 80 mm printers; bound the height too. */
export const RASTER_MAX_WIDTH_BYTES = 72;
export const RASTER_MAX_HEIGHT_DOTS = 2_400;
/** GS ( k: QR data we put on a receipt (a verification URL and ids) stays short. */
export const QR_MAX_PAYLOAD_BYTES = 512;
/** The largest single command we accept in the parser (a full-width raster of max height). */
export const ESCPOS_MAX_COMMAND_BYTES = 8 + RASTER_MAX_WIDTH_BYTES * RASTER_MAX_HEIGHT_DOTS;
/** Receipt lines per receipt the builder accepts. */
export const RECEIPT_MAX_LINES = 200;

/** DLE EOT n (real-time status): n = 1 printer, 2 offline cause, 3 error cause, 4 paper sensor. */
export const StatusQuery = { printer: 1, offline: 2, error: 3, paper: 4 } as const;
export type StatusQuery = (typeof StatusQuery)[keyof typeof StatusQuery];

/** Every DLE EOT reply has bit 1 and bit 4 set and bits 0 and 7 clear. */
export const STATUS_FIXED_MASK = 0b1001_0011;
export const STATUS_FIXED_VALUE = 0b0001_0010;

export const StatusBits = {
  /** n=1: bit 3, offline. */
  offline: 0x08,
  /** n=2: bit 2 cover open, bit 5 paper end stop, bit 6 error. */
  coverOpen: 0x04,
  paperEndStop: 0x20,
  errorOccurred: 0x40,
  /** n=3: bit 3 autocutter error, bit 5 unrecoverable, bit 6 auto-recoverable. */
  cutterError: 0x08,
  unrecoverable: 0x20,
  autoRecoverable: 0x40,
  /** n=4: bits 2-3 paper near end, bits 5-6 paper end. */
  paperNearEnd: 0x0c,
  paperOut: 0x60,
} as const;

/** GS ( k QR (cn = 49) function codes. */
export const QrFn = { model: 65, moduleSize: 67, errorCorrection: 69, store: 80, print: 81 } as const;
export const QR_ERROR_LEVELS = { L: 48, M: 49, Q: 50, H: 51 } as const;
