// Importing a village register (CSV, one person a row) as a stream (issue 5
// section 5: per-row errors and nothing half-imported; issue 10 section 5:
// the import must not be turned against the office). A 5 MB file of 1.7
// million one-cell rows used to be parsed whole before its row count was
// looked at: 56 s without an answer to any kiosk and 1.15 GB. Now:
// - the body is read and parsed a piece at a time (csv-parse's streaming
//   parser), and the import stops at the first limit it crosses: the rows
//   here (CSV_MAX_ROWS), the bytes where the body is read (the API);
// - rows are checked IMPORT_ROWS_PER_TURN at a time, with a turn of the event
//   loop between, so kiosks and other requests are answered meanwhile;
// - all or nothing, in three phases: (1) every row is checked and every error
//   collected with the file's line number where the row starts; if any row
//   is wrong nothing is written. (2) The persons' ledger accounts are opened
//   IMPORT_ACCOUNTS_PERSONS_PER_TURN persons per transaction, a turn between:
//   opening an account is idempotent and leaves nothing any reader sees as a
//   registration (an account with no person and no transfer), which is what
//   lets this part be split (opening 100 000 accounts in one transaction held
//   the event loop for seconds). (3) The persons and households go in one
//   transaction (better-sqlite3 is synchronous and other requests share the
//   connection, so the part that must be atomic cannot be spread over turns);
//   it only inserts registry rows, re-checking in SQL that nobody was
//   registered meanwhile. A crash between (2) and (3) leaves empty accounts
//   that the re-import opens again as they are.
import { isUniqueViolation } from '../sql/types.js';
import { Parser, type CsvError } from 'csv-parse';
import { personAccountSpecs } from '../ledger/index.js';
import type { RegistryContext } from './context.js';
import { LineCounter, lineBreaksIn } from './csv-lines.js';
import { RegistryError } from './errors.js';
import { personInputSchema, type ParsedPersonInput } from './inputs.js';
import { parseInput } from './parse.js';
import type { PersonService } from './persons.js';
import type { Enrolment } from './enrolment.js';

/** A village register holds at most this many rows (one village is a few thousand people). */
export const CSV_MAX_ROWS = 20_000;
/** Row errors reported for one import; the rest are counted, not listed. */
export const CSV_MAX_REPORTED_ERRORS = 200;
/** Longest row, in characters: a register row is well under 1 KiB; a longer one is not a register. */
export const CSV_MAX_ROW_CHARACTERS = 16 * 1024;
/** Rows checked between two turns of the event loop (each row is a few tens of µs). */
export const IMPORT_ROWS_PER_TURN = 200;
/**
 * Bytes handed to the parser at a time, with a turn of the event loop after
 * each: csv-parse takes about 12 µs a record, so a piece of one-character
 * rows (1 024 records) holds the loop about 12 ms; and the row limit is
 * checked between pieces, so little is parsed past it.
 */
export const IMPORT_PARSE_PIECE_BYTES = 512;
/** Persons whose five ledger accounts are opened in one transaction (phase 2; about 10-40 ms). */
export const IMPORT_ACCOUNTS_PERSONS_PER_TURN = 100;

/** Header of a village register CSV (UTF-8, comma-separated, one person a row). */
export const VILLAGE_REGISTER_COLUMNS = [
  'citizenNumber',
  'name',
  'birthDate',
  'villageCode',
  'householdId',
  'hukouInCounty',
  'fullTimeStudent',
  'urbanEmployeePension',
  'severelyDisabled',
  'bankAccount',
] as const;

export interface CsvRowError {
  /** 1-based line of the file where the row starts (the header is line 1). */
  line: number;
  field?: string;
  code: string;
  message: string;
}

/** The register as text, bytes, or a stream of either (an HTTP request body). */
export type RegisterSource = string | Uint8Array | AsyncIterable<string | Uint8Array>;

interface Row {
  cells: string[];
  line: number;
}

function parseBooleanCell(value: string | undefined): boolean | string {
  const v = (value ?? '').trim().toLowerCase();
  if (['1', 'true', 'yes', 'y', '是'].includes(v)) return true;
  if (['0', 'false', 'no', 'n', '否', ''].includes(v)) return false;
  return value ?? '';
}

function personInputOf(cells: readonly string[]): Record<string, unknown> {
  const cell = (i: number): string => cells[i] ?? '';
  return {
    citizenNumber: cell(0),
    name: cell(1),
    birthDate: cell(2),
    villageCode: cell(3),
    ...(cell(4) ? { householdId: cell(4) } : {}),
    hukouInCounty: parseBooleanCell(cell(5)),
    fullTimeStudent: parseBooleanCell(cell(6)),
    urbanEmployeePension: parseBooleanCell(cell(7)),
    severelyDisabled: parseBooleanCell(cell(8)),
    ...(cell(9) ? { bankAccount: cell(9) } : {}),
  };
}

function nextTurn(): Promise<void> {
  // setImmediate runs after the poll phase: pending I/O (kiosks, requests) is served first.
  return new Promise((resolve) => setImmediate(resolve));
}

async function* piecesOf(source: RegisterSource): AsyncGenerator<Uint8Array> {
  const chunks: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array> = typeof source === 'string' || source instanceof Uint8Array ? [source] : source;
  for await (const chunk of chunks) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    for (let at = 0; at < bytes.length; at += IMPORT_PARSE_PIECE_BYTES) yield bytes.subarray(at, at + IMPORT_PARSE_PIECE_BYTES);
  }
}

/** One import: the state of phase 1 and the phases after it. */
export class VillageRegisterImport {
  readonly #rows: Row[] = [];
  readonly #lines = new LineCounter();
  readonly #parser: Parser;
  #headerSeen = false;
  #rowCount = 0;
  #errorCount = 0;
  readonly #errors: CsvRowError[] = [];
  readonly #parsed: { line: number; person: ParsedPersonInput }[] = [];
  readonly #seen = new Map<string, number>();
  readonly #villages = new Set<string>();

  constructor(
    private readonly ctx: RegistryContext,
    private readonly persons: PersonService,
    /** When everyone in the file enrolled: today, or the date the operator stated for the file. */
    private readonly enrolment: Enrolment,
  ) {
    this.#parser = new Parser({
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
      // Any line break ends a row (outside quotes), as it ends a line for csv-lines.ts.
      record_delimiter: ['\r\n', '\n', '\r'],
      max_record_size: CSV_MAX_ROW_CHARACTERS,
      on_record: (cells: string[], info) => {
        this.#rows.push({ cells, line: this.#lines.lineEndingAt(info.bytes) - cells.reduce((n, c) => n + lineBreaksIn(c), 0) });
        return null; // kept here, not queued in the stream: nothing waits on a reader
      },
    });
    // Errors reach run() through the write callbacks; this keeps the stream's 'error' event from going unhandled.
    this.#parser.on('error', () => undefined);
  }

  async run(source: RegisterSource): Promise<{ imported: number }> {
    await this.#checkAll(source);
    await this.#openAccounts();
    this.#insertAll();
    this.ctx.logger.info({ imported: this.#parsed.length }, 'village register imported');
    return { imported: this.#parsed.length };
  }

  /**
   * Phase 1 alone (issue 14 "Register import": "see per-row errors before
   * anything is imported"): every row checked as the import checks it, the
   * same refusal for a wrong row, and nothing written.
   */
  async check(source: RegisterSource): Promise<{ wouldImport: number }> {
    await this.#checkAll(source);
    return { wouldImport: this.#parsed.length };
  }

  /** Phase 1: reads and checks every row; throws the file's errors if any row is wrong. */
  async #checkAll(source: RegisterSource): Promise<void> {
    try {
      for await (const piece of piecesOf(source)) {
        this.#lines.add(piece);
        await this.#feed(piece);
        await this.#checkRows();
      }
      await this.#feed(undefined);
      await this.#checkRows();
    } finally {
      this.#parser.destroy();
    }
    this.#refuseIfWrong();
  }

  /** Parses one piece (or, with undefined, the end); the rows it completes land in #rows. */
  #feed(piece: Uint8Array | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (error?: Error | null): void => {
        if (!error) {
          resolve();
          return;
        }
        const e = error as CsvError;
        const line = typeof e.bytes === 'number' ? this.#lines.lineAt(e.bytes) : 0;
        reject(new RegistryError('invalid-csv', `the CSV cannot be read: ${e.message}`, 'csv', { rows: [{ line, code: 'invalid-csv', message: e.message }] }));
      };
      if (piece === undefined) this.#parser.end(done);
      else this.#parser.write(piece, done);
    });
  }

  /**
   * Checks the rows parsed so far, IMPORT_ROWS_PER_TURN between turns (and a
   * turn after each piece even without a row); stops at the header or the row limit.
   */
  async #checkRows(): Promise<void> {
    do {
      const batch = this.#rows.splice(0, IMPORT_ROWS_PER_TURN);
      for (const row of batch) this.#take(row);
      await nextTurn();
    } while (this.#rows.length > 0);
  }

  #take(row: Row): void {
    if (!this.#headerSeen) {
      if (row.cells.join(',') !== VILLAGE_REGISTER_COLUMNS.join(',')) {
        throw new RegistryError('invalid-csv', `the first line must be the header ${VILLAGE_REGISTER_COLUMNS.join(',')}`, 'csv', {
          rows: [{ line: row.line, code: 'invalid-csv', message: 'wrong header' }],
        });
      }
      this.#headerSeen = true;
      return;
    }
    this.#rowCount += 1;
    if (this.#rowCount > CSV_MAX_ROWS) {
      throw new RegistryError('csv-too-many-rows', `at most ${CSV_MAX_ROWS} rows per import; row ${this.#rowCount} starts on line ${row.line}`, 'csv', {
        maxRows: CSV_MAX_ROWS,
        line: row.line,
      });
    }
    try {
      this.#parsed.push({ line: row.line, person: this.#checkRow(row) });
    } catch (error) {
      if (!(error instanceof RegistryError)) throw error;
      this.#errorCount += 1;
      if (this.#errors.length < CSV_MAX_REPORTED_ERRORS) {
        this.#errors.push({ line: row.line, ...(error.field ? { field: error.field } : {}), code: error.code, message: error.message });
      }
    }
  }

  /** The rules of a registration (the same as POST /persons), and no person twice in the file or the registry. */
  #checkRow(row: Row): ParsedPersonInput {
    if (row.cells.length !== VILLAGE_REGISTER_COLUMNS.length) {
      throw new RegistryError('invalid-csv', `expected ${VILLAGE_REGISTER_COLUMNS.length} columns, got ${row.cells.length}`);
    }
    const p = parseInput(personInputSchema, personInputOf(row.cells));
    this.persons.checkRegistration(p, this.enrolment.enrolledOn);
    const earlier = this.#seen.get(p.citizenNumber);
    if (earlier !== undefined) throw new RegistryError('person-exists', `${p.citizenNumber} is also on line ${earlier}`, 'citizenNumber');
    this.#seen.set(p.citizenNumber, row.line);
    if (this.persons.find(p.citizenNumber)) throw new RegistryError('person-exists', `${p.citizenNumber} is registered already`, 'citizenNumber');
    if (!this.#villages.has(p.villageCode)) {
      this.persons.village(p.villageCode);
      this.#villages.add(p.villageCode);
    }
    return p;
  }

  #refuseIfWrong(): void {
    if (!this.#headerSeen || this.#rowCount === 0) throw new RegistryError('invalid-csv', 'the CSV has no rows', 'csv', { rows: [] });
    if (this.#errorCount > 0) {
      throw new RegistryError('invalid-csv', `${this.#errorCount} of ${this.#rowCount} rows are wrong; nothing was imported`, 'csv', {
        rows: this.#errors,
        errorCount: this.#errorCount,
      });
    }
  }

  /**
   * Phase 2: the five source accounts of each person, a few persons per
   * transaction. In citizen order, as phase 3: the ids go to adjacent places
   * of the indexes rather than one random page each.
   */
  async #openAccounts(): Promise<void> {
    this.#parsed.sort((a, b) => (a.person.citizenNumber < b.person.citizenNumber ? -1 : 1));
    for (let at = 0; at < this.#parsed.length; at += IMPORT_ACCOUNTS_PERSONS_PER_TURN) {
      const batch = this.#parsed.slice(at, at + IMPORT_ACCOUNTS_PERSONS_PER_TURN);
      this.ctx.ledger.ensureAccounts(batch.flatMap(({ person }) => personAccountSpecs(person.citizenNumber)));
      await nextTurn();
    }
  }

  /**
   * Phase 3: every person and household in one transaction, or none: the one
   * block of the import that cannot be split (about 130 ms for 20 000 rows on
   * the 2-core test machine under load). A person registered by someone else
   * since phase 1 fails the insert on the primary key; the transaction rolls
   * back and the import is refused naming them.
   */
  #insertAll(): void {
    const persons = this.#parsed.map((p) => p.person);
    try {
      this.ctx.db.transaction(() => this.persons.insertPersonRows(persons, this.enrolment))();
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const registered = new Set(this.persons.registeredAmong(persons.map((p) => p.citizenNumber)));
      const rows = this.#parsed
        .filter((p) => registered.has(p.person.citizenNumber))
        .sort((a, b) => a.line - b.line)
        .slice(0, CSV_MAX_REPORTED_ERRORS)
        .map(({ line, person }) => ({ line, field: 'citizenNumber', code: 'person-exists', message: `${person.citizenNumber} was registered during the import` }));
      throw new RegistryError('invalid-csv', `${registered.size} of ${persons.length} persons were registered during the import; nothing was imported`, 'csv', {
        rows,
        errorCount: registered.size,
      });
    }
  }
}
