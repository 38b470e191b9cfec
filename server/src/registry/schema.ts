// Registry tables, in the shared SQLite database of server/src/db.ts (the
// ledger's tables sit beside them, so a registry row and its transfers commit
// in one transaction). Every table is prefixed `reg_`; CREATE ... IF NOT EXISTS
// makes opening an existing database a no-op.
import { sqlEngine, type SqlDatabase, type SqlEngine } from '../sql/types.js';
import { columnNames } from '../sql/schema.js';

/**
 * reg_payments is keyed by (month, citizen): a month's payroll writes its rows
 * together at the end of the table, however many months each person already
 * has (issue 15 section 5: keyed by citizen first, each month's row went into
 * that person's page, so a payroll dirtied about two pages per recipient once
 * the history filled them, and every month cost more than the one before).
 * A person's rows are read through their pension's months (personPaymentsSql);
 * the suspended ones, which back pay looks up per person, through a partial
 * index that holds only them.
 */
function paymentsTable(name: string): string {
  return `CREATE TABLE IF NOT EXISTS ${name} (
     citizen_number TEXT NOT NULL REFERENCES reg_persons(citizen_number),
     month TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('paid', 'suspended-certification', 'suspended-family-binding')),
     basic_fen INTEGER NOT NULL,
     top_up_fen INTEGER NOT NULL,
     from_account_fen INTEGER NOT NULL,
     from_pool_fen INTEGER NOT NULL,
     total_fen INTEGER NOT NULL,
     draw_json TEXT NOT NULL,
     payment_id TEXT,
     paid_run_key TEXT,
     run_key TEXT NOT NULL,
     PRIMARY KEY (month, citizen_number)
   ) STRICT, WITHOUT ROWID`;
}

const PAYMENTS_INDEXES = [
  `CREATE INDEX IF NOT EXISTS reg_payments_paid_run ON reg_payments(paid_run_key, citizen_number)`,
  `CREATE INDEX IF NOT EXISTS reg_payments_suspended ON reg_payments(citizen_number, month) WHERE status <> 'paid'`,
];

/**
 * A person's reg_payments rows (as `y`) for the citizen bound first: one key
 * probe per month of their pension, from its start to the last month decided
 * (every row of theirs lies there: the payroll writes no other month). `where`
 * and `tail` (ORDER BY, LIMIT) complete the query; their parameters follow.
 * CROSS JOIN keeps the months as the outer loop (SQLite's planner otherwise
 * may scan the payments and look each up in the months).
 */
export function personPaymentsSql(engine: SqlEngine, columns: string, where = 'TRUE', tail = 'ORDER BY y.month'): string {
  // The month after `month` (YYYY-MM), and a join that keeps its left side outer, in each engine's words.
  const nextMonth = engine === 'postgres' ? `to_char(to_date(month || '-01', 'YYYY-MM-DD') + interval '1 month', 'YYYY-MM')` : `strftime('%Y-%m', month || '-01', '+1 month')`;
  const join = engine === 'postgres' ? 'JOIN' : 'CROSS JOIN';
  return `WITH RECURSIVE pm(citizen_number, month, last_month) AS (
       SELECT citizen_number, start_month, decided_through FROM reg_pensions WHERE citizen_number = ?
       UNION ALL SELECT citizen_number, ${nextMonth}, last_month FROM pm WHERE month < last_month)
     SELECT ${columns} FROM pm ${join} reg_payments y ON y.month = pm.month AND y.citizen_number = pm.citizen_number
     WHERE ${where} ${tail}`;
}

/**
 * Databases made before issue 15 keyed reg_payments by (citizen, month): the
 * table is rebuilt under the month-first key, rows and indexes unchanged.
 */
function rekeyPayments(db: SqlDatabase): void {
  // PostgreSQL databases were made with the month-first key from the start.
  if (sqlEngine(db) === 'postgres') return;
  const first = db.prepare(`SELECT name FROM pragma_table_info('reg_payments') WHERE pk = 1`).get() as { name: string } | undefined;
  if (first === undefined || first.name === 'month') return;
  db.prepare(paymentsTable('reg_payments_rekeyed')).run();
  db.prepare('INSERT INTO reg_payments_rekeyed SELECT * FROM reg_payments ORDER BY month, citizen_number').run();
  db.prepare('DROP TABLE reg_payments').run();
  db.prepare('ALTER TABLE reg_payments_rekeyed RENAME TO reg_payments').run();
  for (const sql of PAYMENTS_INDEXES) db.prepare(sql).run();
}

const STATEMENTS = [
  `CREATE TABLE IF NOT EXISTS reg_villages (
     code TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     county_code TEXT NOT NULL DEFAULT ''
   ) STRICT`,
  // POLICY.md "Contributions": "an optional amount per village per year".
  `CREATE TABLE IF NOT EXISTS reg_village_subsidies (
     village_code TEXT NOT NULL REFERENCES reg_villages(code),
     year INTEGER NOT NULL,
     collective_fen INTEGER NOT NULL CHECK (collective_fen >= 0),
     PRIMARY KEY (village_code, year)
   ) STRICT`,
  // POLICY.md "Publicity and coverage": those who may enrol, as counted by the
  // office per village and year (the registry stores only the enrolled); see coverage.ts.
  `CREATE TABLE IF NOT EXISTS reg_village_eligible_populations (
     village_code TEXT NOT NULL REFERENCES reg_villages(code),
     year INTEGER NOT NULL,
     eligible_persons INTEGER NOT NULL CHECK (eligible_persons >= 0),
     set_by TEXT,
     set_at TEXT NOT NULL,
     PRIMARY KEY (village_code, year)
   ) STRICT`,
  // A collection campaign per contribution year and the county's target, with
  // its optional split by village (POLICY.md "Publicity and coverage").
  `CREATE TABLE IF NOT EXISTS reg_campaigns (
     year INTEGER PRIMARY KEY,
     start_date TEXT NOT NULL,
     end_date TEXT NOT NULL CHECK (end_date >= start_date),
     target_contributions INTEGER NOT NULL CHECK (target_contributions > 0),
     set_by TEXT,
     set_at TEXT NOT NULL
   ) STRICT`,
  `CREATE TABLE IF NOT EXISTS reg_campaign_village_targets (
     year INTEGER NOT NULL REFERENCES reg_campaigns(year),
     village_code TEXT NOT NULL REFERENCES reg_villages(code),
     target_contributions INTEGER NOT NULL CHECK (target_contributions >= 0),
     PRIMARY KEY (year, village_code)
   ) STRICT`,
  `CREATE TABLE IF NOT EXISTS reg_households (
     id TEXT PRIMARY KEY,
     village_code TEXT NOT NULL REFERENCES reg_villages(code),
     created_at TEXT NOT NULL
   ) STRICT`,
  `CREATE TABLE IF NOT EXISTS reg_persons (
     citizen_number TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     birth_date TEXT NOT NULL,
     village_code TEXT NOT NULL REFERENCES reg_villages(code),
     household_id TEXT REFERENCES reg_households(id),
     severely_disabled INTEGER NOT NULL DEFAULT 0,
     bank_account TEXT,
     -- the day the registration was made (the server's date)
     registered_at TEXT NOT NULL,
     -- the day the person enrolled: registered_at, or earlier as an operator
     -- stated it (reg_enrolment_statements); a pension never starts before the
     -- month after it (POLICY.md "When a pension is paid"). Databases made
     -- before it get the column from migrateRegistry, filled from registered_at.
     enrolled_on TEXT NOT NULL,
     death_date TEXT,
     death_reported_on TEXT,
     urban_pension_since TEXT,
     urban_pension_reported_on TEXT
   ) STRICT, WITHOUT ROWID`,
  // An enrolment date earlier than the registration, as an operator stated it
  // for a person coming from the old scheme's register (issue 10 section 1):
  // who stated it, when, and why. One per person, written with the person.
  `CREATE TABLE IF NOT EXISTS reg_enrolment_statements (
     citizen_number TEXT PRIMARY KEY REFERENCES reg_persons(citizen_number),
     enrolled_on TEXT NOT NULL,
     source TEXT NOT NULL CHECK (source IN ('old-scheme-register')),
     reason TEXT NOT NULL,
     stated_by TEXT NOT NULL,
     stated_at TEXT NOT NULL
   ) STRICT, WITHOUT ROWID`,
  `CREATE INDEX IF NOT EXISTS reg_persons_village ON reg_persons(village_code)`,
  `CREATE INDEX IF NOT EXISTS reg_persons_household ON reg_persons(household_id)`,
  `CREATE INDEX IF NOT EXISTS reg_persons_birth ON reg_persons(birth_date)`,
  // The office's resident search (person-search.ts, issue 14): a name prefix,
  // and a village's residents, in name or birth-date order, a page at a time
  // by keyset. WITHOUT ROWID: each index ends with the citizen number, the
  // tie-breaker of every order, so a page is one index range.
  `CREATE INDEX IF NOT EXISTS reg_persons_name ON reg_persons(name)`,
  `CREATE INDEX IF NOT EXISTS reg_persons_village_name ON reg_persons(village_code, name)`,
  `CREATE INDEX IF NOT EXISTS reg_persons_village_birth ON reg_persons(village_code, birth_date)`,
  // The payroll looks up the persons it may not pay (no bank account) before each run; they are few.
  `CREATE INDEX IF NOT EXISTS reg_persons_without_bank_account ON reg_persons(citizen_number) WHERE bank_account IS NULL`,
  `CREATE TABLE IF NOT EXISTS reg_cards (
     card_number TEXT PRIMARY KEY,
     citizen_number TEXT NOT NULL REFERENCES reg_persons(citizen_number),
     issued_on TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('active', 'revoked'))
   ) STRICT`,
  `CREATE INDEX IF NOT EXISTS reg_cards_person ON reg_cards(citizen_number)`,
  // One contribution per person per year (POLICY.md "Contributions"): the
  // UNIQUE constraint is the last line of defence behind the policy check.
  `CREATE TABLE IF NOT EXISTS reg_contributions (
     id TEXT PRIMARY KEY,
     citizen_number TEXT NOT NULL REFERENCES reg_persons(citizen_number),
     year INTEGER NOT NULL,
     tier_yuan INTEGER NOT NULL,
     payer TEXT NOT NULL CHECK (payer IN ('individual', 'government')),
     channel TEXT NOT NULL CHECK (channel IN ('counter', 'kiosk')),
     terminal_id TEXT,
     paid_at TEXT NOT NULL,
     individual_fen INTEGER NOT NULL,
     collective_fen INTEGER NOT NULL,
     aid_fen INTEGER NOT NULL,
     government_fen INTEGER NOT NULL,
     UNIQUE (citizen_number, year)
   ) STRICT`,
  `CREATE INDEX IF NOT EXISTS reg_contributions_year ON reg_contributions(year, citizen_number)`,
  `CREATE TABLE IF NOT EXISTS reg_certifications (
     id TEXT PRIMARY KEY,
     citizen_number TEXT NOT NULL REFERENCES reg_persons(citizen_number),
     certified_on TEXT NOT NULL,
     channel TEXT NOT NULL CHECK (channel IN ('counter', 'kiosk', 'pension-start')),
     terminal_id TEXT,
     photo_ref TEXT,
     recorded_at TEXT NOT NULL
   ) STRICT`,
  `CREATE INDEX IF NOT EXISTS reg_certifications_person ON reg_certifications(citizen_number, certified_on)`,
  `CREATE TABLE IF NOT EXISTS reg_users (
     username TEXT PRIMARY KEY,
     role TEXT NOT NULL CHECK (role IN ('operator', 'auditor')),
     password_hash TEXT NOT NULL,
     created_at TEXT NOT NULL
   ) STRICT`,
  `CREATE TABLE IF NOT EXISTS reg_sessions (
     token_hash TEXT PRIMARY KEY,
     username TEXT NOT NULL REFERENCES reg_users(username),
     expires_at_ms INTEGER NOT NULL
   ) STRICT`,
  // A pension, fixed when it starts (POLICY.md "How much": top-up and account
  // pension are fixed at the start). Written by the payroll run.
  `CREATE TABLE IF NOT EXISTS reg_pensions (
     citizen_number TEXT PRIMARY KEY REFERENCES reg_persons(citizen_number),
     start_month TEXT NOT NULL,
     paid_years INTEGER NOT NULL,
     top_up_fen INTEGER NOT NULL,
     account_fen INTEGER NOT NULL,
     family_binding INTEGER NOT NULL,
     run_key TEXT NOT NULL,
     -- the last month the payroll has decided (paid or suspended)
     decided_through TEXT NOT NULL,
     -- months in reg_payments still suspended (back pay may release them)
     suspended_months INTEGER NOT NULL DEFAULT 0,
     stopped_month TEXT,
     stop_reason TEXT CHECK (stop_reason IN ('death', 'urban-pension'))
   ) STRICT, WITHOUT ROWID`,
  // One row per pensioner per month once the payroll has decided the month.
  // 'paid' rows name the run the money moved in (`paid_run_key`, a later
  // month's run for certification back pay) and the draw by source.
  paymentsTable('reg_payments'),
  ...PAYMENTS_INDEXES,
  `CREATE TABLE IF NOT EXISTS reg_runs (
     run_key TEXT PRIMARY KEY,
     kind TEXT NOT NULL,
     started_at TEXT NOT NULL,
     finished_at TEXT,
     summary_json TEXT
   ) STRICT`,
  // Death settlements and urban-pension findings, one per person and kind.
  `CREATE TABLE IF NOT EXISTS reg_settlements (
     citizen_number TEXT NOT NULL REFERENCES reg_persons(citizen_number),
     kind TEXT NOT NULL CHECK (kind IN ('death', 'urban-pension')),
     run_key TEXT NOT NULL,
     inheritable_fen INTEGER NOT NULL,
     to_pool_fen INTEGER NOT NULL,
     recovered_fen INTEGER NOT NULL,
     to_recover_fen INTEGER NOT NULL,
     settled_at TEXT NOT NULL,
     PRIMARY KEY (citizen_number, kind)
   ) STRICT`,
  // Append-only: who changed what and when (audit.ts).
  `CREATE TABLE IF NOT EXISTS reg_audit_log (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     at TEXT NOT NULL,
     actor TEXT NOT NULL,
     action TEXT NOT NULL,
     subject TEXT,
     details_json TEXT NOT NULL
   ) STRICT`,
];

/**
 * Columns added to a table after databases with it were made: added (with
 * the SQL that fills them for the rows already there) when missing, so an
 * older database opens and reads as a new one (expand only: an older version
 * ignores the new column).
 */
const ADDED_COLUMNS: readonly { table: string; column: string; add: string; fill?: string }[] = [
  // The chip's card identifier (drivers/card/auth.ts), checked against what the
  // card proves with its cryptogram (issue 10 section 4); null when unknown.
  { table: 'reg_cards', column: 'card_identifier', add: 'ALTER TABLE reg_cards ADD COLUMN card_identifier TEXT' },
  // The village agent residents can call from the kiosk's help screen (issue 12).
  { table: 'reg_villages', column: 'agent_name', add: 'ALTER TABLE reg_villages ADD COLUMN agent_name TEXT' },
  { table: 'reg_villages', column: 'agent_phone', add: 'ALTER TABLE reg_villages ADD COLUMN agent_phone TEXT' },
  {
    // Before issue 10 section 1, registered_at was "the date the registration
    // takes effect" and served as the enrolment date: it stays that for those rows.
    table: 'reg_persons',
    column: 'enrolled_on',
    add: `ALTER TABLE reg_persons ADD COLUMN enrolled_on TEXT NOT NULL DEFAULT ''`,
    fill: `UPDATE reg_persons SET enrolled_on = registered_at WHERE enrolled_on = ''`,
  },
];

export function migrateRegistry(db: SqlDatabase): void {
  db.transaction(() => {
    for (const sql of STATEMENTS) db.prepare(sql).run();
    for (const added of ADDED_COLUMNS) {
      if (columnNames(db, added.table).includes(added.column)) continue;
      db.prepare(added.add).run();
      if (added.fill) db.prepare(added.fill).run();
    }
    rekeyPayments(db);
  })();
}
