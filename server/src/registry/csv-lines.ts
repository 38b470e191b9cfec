// File line numbers for the rows of a CSV read as a stream (issue 10 section
// 5: "Row numbers in import errors are the file's line numbers, also after a
// quoted newline"). csv-parse's own `info.lines` counts a CRLF inside a
// quoted cell twice, so the lines are counted here, from the bytes: a line
// ends at CRLF, LF or a lone CR, as in the editors and spreadsheets an office
// opens the file with.

const CR = 0x0d;
const LF = 0x0a;

/** Line breaks in a text (CRLF, LF or lone CR, each counting once). */
export function lineBreaksIn(text: string): number {
  let breaks = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === CR || (c === LF && (i === 0 || text.charCodeAt(i - 1) !== CR))) breaks += 1;
  }
  return breaks;
}

/**
 * Counts line breaks over a byte stream fed piece by piece, answering for
 * offsets that only grow (the parser reports records in file order). It
 * keeps only the pieces not yet counted past.
 */
export class LineCounter {
  #pieces: Uint8Array[] = [];
  /** Absolute offset of #pieces[0][0]. */
  #pieceStart = 0;
  /** Absolute offset counted up to, and the line breaks that start before it. */
  #cursor = 0;
  #breaks = 0;
  #previous = -1;

  add(piece: Uint8Array): void {
    if (piece.length > 0) this.#pieces.push(piece);
  }

  /**
   * The 1-based line of the file on which the byte before `endOffset` lies,
   * not counting a line break that ends exactly there: for a record that the
   * parser reports with `endOffset` just past its delimiter, the line the
   * record's last cell is on.
   */
  lineEndingAt(endOffset: number): number {
    this.#advanceTo(endOffset);
    const endsWithBreak = this.#previous === LF || this.#previous === CR;
    return 1 + this.#breaks - (endsWithBreak ? 1 : 0);
  }

  /** The 1-based line of the byte at `offset` (where the parser stopped on an error). */
  lineAt(offset: number): number {
    this.#advanceTo(offset);
    return 1 + this.#breaks;
  }

  #advanceTo(offset: number): void {
    if (offset < this.#cursor) throw new RangeError(`line of offset ${offset} asked after offset ${this.#cursor}`);
    while (this.#cursor < offset && this.#pieces.length > 0) {
      const piece = this.#pieces[0]!;
      const end = Math.min(offset - this.#pieceStart, piece.length);
      for (let i = this.#cursor - this.#pieceStart; i < end; i++) {
        const c = piece[i]!;
        if (c === CR || (c === LF && this.#previous !== CR)) this.#breaks += 1;
        this.#previous = c;
      }
      this.#cursor = this.#pieceStart + end;
      if (end === piece.length) {
        this.#pieces.shift();
        this.#pieceStart += piece.length;
      }
    }
  }
}
