// SQLite-flavoured SQL to PostgreSQL (issue 15 section 2). The server's
// statements are written once, in the SQL both engines share, plus a few
// SQLite spellings this module rewrites, so that a statement reads the same in
// the code for both engines:
// - placeholders: `?` (positional) and `@name` (named) -> `$1`, `$2`, ...;
// - `IS ?` -> `IS NOT DISTINCT FROM $n` (SQLite's IS compares NULLs);
// - `@p IS NULL` -> `$k::text IS NULL`, $k a parameter of its own bound to the
//   same argument (PostgreSQL cannot type a parameter first seen in a null test);
// - `INSERT OR IGNORE INTO` -> `INSERT INTO ... ON CONFLICT DO NOTHING`;
// - scalar `MAX(a, b)` / `MIN(a, b)` -> `GREATEST` / `LEAST`;
// - `GROUP_CONCAT(x, sep)` -> `string_agg((x)::text, sep)`;
// - `json_each(x)` -> `jsonb_array_elements_text((x)::jsonb) AS json_each(value)`;
// - `json_extract(x, '$.path')` -> `(jsonb_path_query_first((x)::jsonb, '$.path') #>> '{}')`,
//   the value as text (immutable, so it can be indexed);
// - `date(x)` / `date(x, '+8 hours')` -> the UTC date (YYYY-MM-DD) of x, moved
//   by the modifier, read as an interval;
// - `LIMIT -1` -> no limit;
// - an alias that is not all lower case (`AS paymentId`) is quoted, since
//   PostgreSQL folds unquoted names to lower case;
// - DDL: `STRICT` and `WITHOUT ROWID` are dropped, `INTEGER PRIMARY KEY
//   AUTOINCREMENT` becomes an identity column, INTEGER becomes BIGINT, BLOB
//   BYTEA, REAL DOUBLE PRECISION.
// Anything SQLite-only it does not know (`INSERT OR REPLACE`, `pragma_*`,
// `sqlite_master`, `rowid`) is refused with an error naming it: write those
// portably (ON CONFLICT ... DO UPDATE; sql/schema.ts helpers).
// Quoted strings ('...') and quoted identifiers ("...") are left untouched.

export interface TranslatedSql {
  text: string;
  /** For each $n, which argument binds it: a position (0-based) or a name. */
  params: Array<number | string>;
}

const REFUSED: readonly [RegExp, string][] = [
  [/\bINSERT\s+OR\s+REPLACE\b/i, 'INSERT OR REPLACE (write INSERT ... ON CONFLICT (key) DO UPDATE)'],
  [/\bpragma_\w+|\bPRAGMA\b/i, 'PRAGMA (use the sql/schema.ts helpers)'],
  [/\bsqlite_master\b|\bsqlite_schema\b/i, 'sqlite_master (use the sql/schema.ts helpers)'],
  [/(?<!\bWITHOUT\s+)\browid\b/i, 'rowid (name a key column)'],
];

/**
 * Replaces every quoted part ('...' and "...") with a marker, and drops
 * comments, so that rewriting never touches a literal; `restore` puts them back.
 */
function mask(sql: string): { code: string; restore: (text: string) => string } {
  const quoted: string[] = [];
  let code = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) throw new Error(`unterminated ${c} in SQL: ${sql.slice(i, i + 40)}`);
        if (sql[j] === c) {
          if (sql[j + 1] === c) j += 2;
          else break;
        } else j += 1;
      }
      quoted.push(sql.slice(i, j + 1));
      code += `\u0000${quoted.length - 1}\u0000`;
      i = j + 1;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end;
    } else {
      code += c;
      i += 1;
    }
  }
  return { code, restore: (text) => text.replace(/\u0000(\d+)\u0000/g, (_m, n: string) => quoted[Number(n)]!) };
}

/** Index of the parenthesis closing the one opened at `open`, in code text. */
function closing(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth += 1;
    else if (text[i] === ')' && --depth === 0) return i;
  }
  return -1;
}

/** The top-level comma positions inside (open, close). */
function topLevelCommas(text: string, open: number, close: number): number[] {
  const commas: number[] = [];
  let depth = 0;
  for (let i = open + 1; i < close; i++) {
    if (text[i] === '(') depth += 1;
    else if (text[i] === ')') depth -= 1;
    else if (text[i] === ',' && depth === 0) commas.push(i);
  }
  return commas;
}

function rewriteCalls(text: string, name: RegExp, rewrite: (args: string[]) => string | null): string {
  let out = '';
  let from = 0;
  const re = new RegExp(name.source, 'gi');
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const open = m.index + m[0].length - 1;
    const close = closing(text, open);
    if (close < 0) continue;
    const commas = topLevelCommas(text, open, close);
    const bounds = [open, ...commas, close];
    const args = bounds.slice(0, -1).map((b, k) => text.slice(b + 1, bounds[k + 1]).trim());
    const replaced = rewrite(args);
    if (replaced === null) continue;
    out += text.slice(from, m.index) + replaced;
    from = close + 1;
    re.lastIndex = close + 1;
  }
  return out + text.slice(from);
}

function rewriteCode(code: string): string {
  let text = code;
  // Scalar (two-argument) MAX and MIN; the one-argument forms are aggregates in both engines.
  text = rewriteCalls(text, /\bMAX\s*\(/, (args) => (args.length === 2 ? `GREATEST(${args.join(', ')})` : null));
  text = rewriteCalls(text, /\bMIN\s*\(/, (args) => (args.length === 2 ? `LEAST(${args.join(', ')})` : null));
  text = rewriteCalls(text, /\bGROUP_CONCAT\s*\(/, (args) => `string_agg((${args[0]})::text, ${args[1] ?? "','"})`);
  text = rewriteCalls(text, /\bjson_each\s*\(/, (args) => `jsonb_array_elements_text((${args[0]})::jsonb) AS json_each(value)`);
  text = rewriteCalls(text, /\bdate\s*\(/, (args) => {
    if (args.length < 1 || args.length > 2) return null;
    const utc = `((${args[0]})::timestamptz AT TIME ZONE 'UTC')`;
    return `to_char(${args.length === 2 ? `${utc} + (${args[1]})::interval` : utc}, 'YYYY-MM-DD')`;
  });
  text = rewriteCalls(text, /\bjson_extract\s*\(/, (args) => (args.length === 2 ? `(jsonb_path_query_first((${args[0]})::jsonb, (${args[1]})::jsonpath) #>> '{}')` : null));
  text = text.replace(/\bIS\s+\?/gi, 'IS NOT DISTINCT FROM ?');
  text = text.replace(/\bLIMIT\s+-1\b/gi, '');
  text = text.replace(/\bAS\s+([A-Za-z_][A-Za-z0-9_]*)\b/g, (all, alias: string) => (alias !== alias.toLowerCase() ? `AS "${alias}"` : all));
  // DDL
  text = text.replace(/\)\s*STRICT\s*,\s*WITHOUT\s+ROWID/gi, ')').replace(/\)\s*WITHOUT\s+ROWID\s*,\s*STRICT/gi, ')');
  text = text.replace(/\)\s*STRICT\b/gi, ')').replace(/\)\s*WITHOUT\s+ROWID\b/gi, ')');
  text = text.replace(/\bINTEGER\s+PRIMARY\s+KEY\s+AUTOINCREMENT\b/gi, 'BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY');
  text = text.replace(/\bINTEGER\b/g, 'BIGINT').replace(/\bBLOB\b/g, 'BYTEA').replace(/\bREAL\b/g, 'DOUBLE PRECISION');
  return text;
}

const NULL_TEST = /^\s+IS\s+(NOT\s+)?NULL\b/i;

export function translateSql(sql: string): TranslatedSql {
  const { code, restore } = mask(sql);
  for (const [pattern, what] of REFUSED) {
    if (pattern.test(code)) throw new Error(`SQL not portable to PostgreSQL: ${what}: ${sql.trim().slice(0, 120)}`);
  }
  let orIgnore = false;
  let text = code.replace(/\bINSERT\s+OR\s+IGNORE\s+INTO\b/gi, () => {
    orIgnore = true;
    return 'INSERT INTO';
  });
  text = rewriteCode(text);
  const params: Array<number | string> = [];
  const named = new Map<string, number>();
  let positional = 0;
  text = text.replace(/\?|@([A-Za-z_][A-Za-z0-9_]*)/g, (token: string, name: string | undefined, offset: number, whole: string) => {
    // `@p IS NULL OR col = @p`: PostgreSQL types a parameter where it is first
    // compared, and refuses one whose first use (IS NULL) gave it none. The
    // null test gets its own parameter, bound to the same argument, as text.
    const nullTest = NULL_TEST.test(whole.slice(offset + token.length));
    if (name === undefined || nullTest) {
      params.push(name ?? positional++);
      return nullTest ? `$${params.length}::text` : `$${params.length}`;
    }
    let index = named.get(name);
    if (index === undefined) {
      params.push(name);
      index = params.length;
      named.set(name, index);
    }
    return `$${index}`;
  });
  if (orIgnore) {
    const returning = /\bRETURNING\b/i.exec(text);
    text = returning ? `${text.slice(0, returning.index)}ON CONFLICT DO NOTHING ${text.slice(returning.index)}` : `${text.trimEnd().replace(/;$/, '')} ON CONFLICT DO NOTHING`;
  }
  return { text: restore(text), params };
}
