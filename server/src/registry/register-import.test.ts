// The village register import read as a stream (issue 10 section 5): it stops
// at the first limit without reading the rest, reports rows by the file's
// line where they start (also after quoted line breaks), applies the name
// rule to every row, and stays all-or-nothing when someone registers a
// person of the file while it runs.
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { personAccountId } from '../ledger/index.js';
import { isRegistryError, type RegistryError } from './errors.js';
import { CSV_MAX_ROWS, IMPORT_PARSE_PIECE_BYTES, VILLAGE_REGISTER_COLUMNS, type RegisterSource } from './register-import.js';
import { citizenNumberFor, openTestStack, personInput, type TestStack, TEST_OPERATOR } from './test-support.js';

const SEED = 20_261_205;
const HEADER = VILLAGE_REGISTER_COLUMNS.join(',');
let stack: TestStack;

beforeEach(() => {
  stack = openTestStack({ today: '2011-09-01' });
  stack.registry.persons.createVillage({ code: 'V001', name: '上坝村' });
});
afterEach(() => stack.close());

function count(table: string): number {
  return (stack.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
}

async function refusal(source: RegisterSource): Promise<RegistryError> {
  try {
    await stack.registry.persons.importVillageRegister(source);
  } catch (error) {
    if (isRegistryError(error)) return error;
    throw error;
  }
  throw new Error('expected a RegistryError, the import succeeded');
}

/** A valid row; `name` goes in as written (quote it yourself). */
function row(cn: string, birthDate: string, name = '李四'): string {
  return `${cn},${name},${birthDate},V001,,1,0,0,0,6222000000000001`;
}

/** The persons born on 1950-01-01 with serials from 1: distinct valid citizen numbers. */
function person(i: number): string {
  return citizenNumberFor('1950-01-01', 1 + (i % 999), String(510300 + Math.floor(i / 999)));
}

describe('the limits', () => {
  it('stops at the row after CSV_MAX_ROWS without reading the rest of the file, naming its line', async () => {
    // The finding: 1.7 million one-cell rows, about 5 MB.
    const chunk = Buffer.from('ab\n'.repeat(20_000));
    let pulledBytes = 0;
    async function* body(): AsyncGenerator<Uint8Array> {
      yield Buffer.from(`${HEADER}\n`);
      for (let sent = 0; sent < 1_700_000; sent += 20_000) {
        pulledBytes += chunk.length;
        yield chunk;
      }
    }
    const e = await refusal(body());
    expect(e.code).toBe('csv-too-many-rows');
    expect(e.details).toEqual({ maxRows: CSV_MAX_ROWS, line: CSV_MAX_ROWS + 2 });
    // It asked for the second chunk of 20 000 rows only because the first ended exactly at the limit.
    expect(pulledBytes).toBeLessThanOrEqual(2 * chunk.length);
    expect(count('reg_persons')).toBe(0);
  });

  it('refuses a row longer than any register row, with its line', async () => {
    const e = await refusal([HEADER, row(person(1), '1950-01-01', 'x'.repeat(20_000))].join('\n'));
    expect(e.code).toBe('invalid-csv');
    expect((e.details as { rows: { line: number }[] }).rows[0]!.line).toBe(2);
  });

  it('runs one import at a time', async () => {
    const first = stack.registry.persons.importVillageRegister([HEADER, row(person(1), '1950-01-01')].join('\n'));
    const second = await refusal([HEADER, row(person(2), '1950-01-01')].join('\n'));
    expect(second.code).toBe('import-in-progress');
    expect(await first).toEqual({ imported: 1 });
    expect(await stack.registry.persons.importVillageRegister([HEADER, row(person(2), '1950-01-01')].join('\n'))).toEqual({ imported: 1 });
  });
});

describe('row numbers', () => {
  it('are the line where the row starts, after quoted line breaks, blank lines and CRLF', async () => {
    const bad = (i: number) => `${person(i).slice(0, 17)}Z`; // a citizen number of the wrong shape
    const csv = [
      HEADER, // 1
      row(bad(1), '1950-01-01', '"王\r\n五"'), // 2-3: a quoted CRLF inside the name
      '', // 4
      row(bad(2), '1950-01-01'), // 5
      row(bad(3), '1950-01-01', '"a\nb\nc"'), // 6-8
      row(bad(4), '1950-01-01', '"x\ry"'), // 9-10: a lone CR
      '   ', // 11
      row(bad(5), '1950-01-01'), // 12
    ].join('\r\n');
    const e = await refusal(csv);
    expect((e.details as { rows: { line: number }[] }).rows.map((r) => r.line)).toEqual([2, 5, 6, 9, 12]);
  });

  it('are right for any mix of line endings, blank lines and multi-line cells, however the file is cut', async () => {
    const lineEnd = fc.constantFrom('\n', '\r\n');
    const cellBreak = fc.constantFrom('\n', '\r\n', '\r');
    const name = fc.oneof(
      fc.constant('张三'),
      fc.array(cellBreak, { minLength: 1, maxLength: 3 }).map((breaks) => `"王${breaks.join('五')}六"`),
    );
    const rowSpec = fc.record({ name, blankLinesBefore: fc.integer({ min: 0, max: 2 }), end: lineEnd });
    await fc.assert(
      fc.asyncProperty(fc.array(rowSpec, { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 64 }), async (rows, cut) => {
        let text = `${HEADER}\n`;
        let line = 2;
        const expected: number[] = [];
        rows.forEach((r, i) => {
          for (let b = 0; b < r.blankLinesBefore; b++) {
            text += r.end;
            line += 1;
          }
          expected.push(line);
          // Every row has a citizen number of the wrong shape, so every row is reported.
          const written = row(`${person(i).slice(0, 17)}Z`, '1950-01-01', r.name);
          text += written + r.end;
          line += 1 + (written.match(/\r\n|\r|\n/g)?.length ?? 0);
        });
        const bytes = Buffer.from(text);
        const pieces = Array.from({ length: Math.ceil(bytes.length / cut) }, (_, k) => bytes.subarray(k * cut, (k + 1) * cut));
        const e = await refusal((async function* () {
          yield* pieces;
        })());
        expect((e.details as { rows: { line: number }[] }).rows.map((r) => r.line)).toEqual(expected);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('name the line of a parse error', async () => {
    const e = await refusal([HEADER, row(person(1), '1950-01-01', '"a\r\nb"'), `${person(2)},王"五,1950-01-01`].join('\r\n'));
    expect(e.code).toBe('invalid-csv');
    expect((e.details as { rows: { line: number }[] }).rows[0]!.line).toBe(4);
  });
});

describe('names in a register', () => {
  it('are checked by the name rule and stored NFC-normalised', async () => {
    const refused = await refusal([HEADER, row(person(1), '1950-01-01', '张三\u202E'), row(person(2), '1950-01-01', '\u200B')].join('\n'));
    expect((refused.details as { rows: unknown[] }).rows).toEqual([
      { line: 2, field: 'name', code: 'invalid-name', message: expect.stringContaining('U+202E') },
      { line: 3, field: 'name', code: 'invalid-name', message: expect.stringContaining('U+200B') },
    ]);
    expect(await stack.registry.persons.importVillageRegister([HEADER, row(person(1), '1950-01-01', 'Zoe\u0308')].join('\n'))).toEqual({ imported: 1 });
    expect(stack.registry.persons.get(person(1)).name).toBe('Zo\u00EB');
  });
});

describe('all or nothing', () => {
  it('imports nothing when a person of the file is registered while the import runs', async () => {
    const people = Array.from({ length: 3 * IMPORT_PARSE_PIECE_BYTES / 64 }, (_, i) => person(i));
    const late = people.at(-1)!;
    const running = stack.registry.persons.importVillageRegister([HEADER, ...people.map((cn) => row(cn, '1950-01-01'))].join('\n'));
    // Every row has been checked once the first accounts are opened (phase 2); register one of them now.
    for (let turn = 0; turn < 10_000 && !stack.ledger.getAccount(personAccountId(people[0]!, 'individual')); turn++) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(stack.ledger.getAccount(personAccountId(people[0]!, 'individual'))).toBeDefined();
    stack.registry.persons.registerPerson(personInput(late, '1950-01-01'), TEST_OPERATOR);
    const e = await running.then(
      () => undefined,
      (error: RegistryError) => error,
    );
    expect(e?.code).toBe('invalid-csv');
    expect(e?.details).toEqual({ rows: [{ line: people.length + 1, field: 'citizenNumber', code: 'person-exists', message: expect.stringContaining('during the import') }], errorCount: 1 });
    expect(count('reg_persons')).toBe(1);
  });
});
