// The office's resident search (issue 14 "Residents": "search by citizen
// number or name (masked in lists)"; "tables page and sort on the server for
// a county of 500 000 residents").
//
// Paging is by keyset, not offset: a page is "the next `limit` rows after
// this (sort value, citizen number)", which SQLite answers with one range of
// an index whatever the page's depth. OFFSET would read and drop every row
// before the page (page 2 000 of a village browse reads 40 000 rows), and a
// row registered meanwhile would shift every later page by one. The cursor
// is opaque to the client; the console keeps the cursors of the pages it has
// seen to go back.
//
// A search is a prefix: digits (and a final X) search citizen numbers, any
// other text names (staff type the surname first; a name "contains" search
// would read every row). Indexes: schema.ts (reg_persons_name,
// reg_persons_village_name, reg_persons_village_birth; the primary key for
// citizen numbers). Names are masked in the list (POLICY.md "Publicity and
// coverage": the middle masked), and so is the citizen number shown; the
// resident's own page shows them whole.
import { z } from 'zod';
import { maskCitizenNumber, maskName } from '@nongbao/protocol';
import type { RegistryContext } from './context.js';
import { RegistryError } from './errors.js';
import { villageCodeField } from './inputs.js';

export const RESIDENT_SORTS = ['citizenNumber', 'name', 'birthDate'] as const;
export type ResidentSort = (typeof RESIDENT_SORTS)[number];
/** Rows per page at most (a screen of a table). */
export const RESIDENT_PAGE_LIMIT = 100;
export const RESIDENT_PAGE_DEFAULT = 20;
/** Matches counted at most: past this the answer says "at least" (counting 500 000 rows for a blank search costs a scan). */
export const RESIDENT_COUNT_LIMIT = 10_000;
/** Longest search text and cursor accepted. */
export const RESIDENT_QUERY_MAX_CHARS = 40;
const CURSOR_MAX_CHARS = 200;

const CITIZEN_PREFIX = /^\d{1,17}[\dX]?$/;
/** Above every character: the end of a prefix range (BINARY collation compares UTF-8 bytes). */
const TOP_CHARACTER = '\u{10FFFF}';

const SORT_COLUMN: Record<ResidentSort, string> = {
  citizenNumber: 'p.citizen_number',
  name: 'p.name',
  birthDate: 'p.birth_date',
};

/** The query of GET /persons: text fields only, checked strictly (issue 10 section 5). */
export const residentSearchQuerySchema = z.strictObject({
  q: z
    .string()
    .min(1)
    .max(RESIDENT_QUERY_MAX_CHARS)
    .regex(/^\S(.*\S)?$/u, 'no spaces around the search text')
    .optional()
    .describe('A citizen-number prefix (digits, a final X) or a name prefix'),
  villageCode: villageCodeField.optional(),
  sort: z.enum(RESIDENT_SORTS).optional(),
  order: z.enum(['asc', 'desc']).optional(),
  after: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, 'the `next` cursor of the previous page').optional(),
  limit: z
    .string()
    .regex(/^[1-9]\d{0,2}$/, 'a positive whole number')
    .transform(Number)
    .pipe(z.int().max(RESIDENT_PAGE_LIMIT))
    .optional(),
});
export type ResidentSearchQuery = z.output<typeof residentSearchQuerySchema>;

export interface ResidentListItem {
  citizenNumber: string;
  maskedCitizenNumber: string;
  maskedName: string;
  birthDate: string;
  villageCode: string;
  villageName: string;
  enrolledOn: string;
  deceased: boolean;
  pension: 'none' | 'running' | 'stopped';
}

export interface ResidentPage {
  residents: ResidentListItem[];
  /** The cursor of the next page (`after`), or null on the last. */
  next: string | null;
  /** Matches in all, counted up to RESIDENT_COUNT_LIMIT. */
  total: number;
  /** True when there are more than `total` (the count stopped at its limit). */
  totalIsLowerBound: boolean;
  sort: ResidentSort;
  order: 'asc' | 'desc';
}

interface Row {
  citizen_number: string;
  name: string;
  birth_date: string;
  village_code: string;
  village_name: string;
  enrolled_on: string;
  death_date: string | null;
  pension_start: string | null;
  stopped_month: string | null;
  sort_value: string;
}

function encodeCursor(sortValue: string, citizenNumber: string): string {
  return Buffer.from(JSON.stringify([sortValue, citizenNumber]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { sortValue: string; citizenNumber: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || typeof parsed[0] !== 'string' || typeof parsed[1] !== 'string' || cursor.length > CURSOR_MAX_CHARS) {
    throw new RegistryError('invalid-input', 'after: not a cursor this search gave (use the `next` of the previous page)', 'after');
  }
  return { sortValue: parsed[0], citizenNumber: parsed[1] };
}

/** The WHERE conditions of a search without its page position, and their parameters. */
function filterOf(q: ResidentSearchQuery): { conditions: string[]; params: Record<string, string> } {
  const conditions: string[] = [];
  const params: Record<string, string> = {};
  if (q.q !== undefined) {
    const column = CITIZEN_PREFIX.test(q.q) ? 'p.citizen_number' : 'p.name';
    conditions.push(`${column} >= @qFrom AND ${column} < @qTo`);
    params.qFrom = q.q;
    params.qTo = q.q + TOP_CHARACTER;
  }
  if (q.villageCode !== undefined) {
    conditions.push('p.village_code = @villageCode');
    params.villageCode = q.villageCode;
  }
  return { conditions, params };
}

export class PersonSearch {
  constructor(private readonly ctx: RegistryContext) {}

  search(q: ResidentSearchQuery): ResidentPage {
    const sort = q.sort ?? 'citizenNumber';
    const order = q.order ?? 'asc';
    const limit = q.limit ?? RESIDENT_PAGE_DEFAULT;
    const column = SORT_COLUMN[sort];
    const { conditions, params } = filterOf(q);
    const where = conditions.length ? conditions.join(' AND ') : 'TRUE';
    const page = [...conditions];
    const pageParams: Record<string, string | number> = { ...params, limit: limit + 1 };
    const comparison = order === 'asc' ? '>' : '<';
    if (q.after !== undefined) {
      const cursor = decodeCursor(q.after);
      page.push(sort === 'citizenNumber' ? `p.citizen_number ${comparison} @afterCitizen` : `(${column}, p.citizen_number) ${comparison} (@afterValue, @afterCitizen)`);
      pageParams.afterValue = cursor.sortValue;
      pageParams.afterCitizen = cursor.citizenNumber;
    }
    const orderBy = sort === 'citizenNumber' ? `p.citizen_number ${order}` : `${column} ${order}, p.citizen_number ${order}`;
    const rows = this.ctx.db
      .prepare(
        `SELECT p.citizen_number, p.name, p.birth_date, p.village_code, v.name AS village_name, p.enrolled_on, p.death_date,
                s.start_month AS pension_start, s.stopped_month, ${column} AS sort_value
         FROM reg_persons p JOIN reg_villages v ON v.code = p.village_code
         LEFT JOIN reg_pensions s ON s.citizen_number = p.citizen_number
         WHERE ${page.length ? page.join(' AND ') : 'TRUE'}
         ORDER BY ${orderBy} LIMIT @limit`,
      )
      .all(pageParams) as Row[];
    const more = rows.length > limit;
    const shown = more ? rows.slice(0, limit) : rows;
    const last = shown[shown.length - 1];
    const counted = (
      this.ctx.db.prepare(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM reg_persons p WHERE ${where} LIMIT @countLimit) AS matched`).get({ ...params, countLimit: RESIDENT_COUNT_LIMIT + 1 }) as {
        n: number;
      }
    ).n;
    return {
      residents: shown.map(toItem),
      next: more && last ? encodeCursor(last.sort_value, last.citizen_number) : null,
      total: Math.min(counted, RESIDENT_COUNT_LIMIT),
      totalIsLowerBound: counted > RESIDENT_COUNT_LIMIT,
      sort,
      order,
    };
  }
}

function toItem(r: Row): ResidentListItem {
  return {
    citizenNumber: r.citizen_number,
    maskedCitizenNumber: maskCitizenNumber(r.citizen_number),
    maskedName: maskName(r.name),
    birthDate: r.birth_date,
    villageCode: r.village_code,
    villageName: r.village_name,
    enrolledOn: r.enrolled_on,
    deceased: r.death_date !== null,
    pension: r.pension_start === null ? 'none' : r.stopped_month !== null ? 'stopped' : 'running',
  };
}
