// ESC/POS types: receipt structure in, parser commands out. Issue #4 §3.

export type Align = 'left' | 'center' | 'right';

export interface TextStyle {
  align?: Align;
  bold?: boolean;
  /** Character magnification 1..8 (GS !). */
  width?: number;
  height?: number;
}

/** A receipt as structured lines; the builder turns it into ESC/POS bytes. */
export type ReceiptLine =
  | { kind: 'title'; text: string }
  | { kind: 'text'; text: string; style?: TextStyle }
  | { kind: 'row'; key: string; value: string; bold?: boolean }
  | { kind: 'separator'; char?: string }
  | { kind: 'qr'; payload: string; moduleSize?: number; errorLevel?: 'L' | 'M' | 'Q' | 'H' }
  | { kind: 'feed'; lines: number };

/** One black-and-white bitmap, row-major, one byte per dot (1 = black). */
export interface Bitmap {
  width: number;
  height: number;
  dots: Uint8Array;
}

/** A parsed ESC/POS command (the parser's output; `discard` for bytes it could not place). */
export type EscPosCommand =
  | { op: 'text'; bytes: Buffer }
  | { op: 'lf' }
  | { op: 'init' }
  | { op: 'align'; align: Align }
  | { op: 'bold'; on: boolean }
  | { op: 'size'; width: number; height: number }
  | { op: 'printMode'; mode: number }
  | { op: 'feedLines'; lines: number }
  | { op: 'feedDots'; dots: number }
  | { op: 'lineSpacing'; dots: number | null }
  | { op: 'cut'; partial: boolean }
  | { op: 'raster'; mode: number; widthBytes: number; heightDots: number; data: Buffer }
  | { op: 'qr'; fn: number; params: Buffer }
  | { op: 'kanji'; on: boolean }
  | { op: 'status'; n: number }
  | { op: 'ignored'; raw: Buffer }
  | { op: 'discard'; raw: Buffer; reason: 'unknownCommand' | 'badParameter' | 'overflow' | 'controlByte' };
