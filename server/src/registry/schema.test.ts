// The registry's schema migrations (schema.ts): a database whose reg_payments
// was keyed by (citizen, month), as before issue 15, opens with the month-first
// key, the same rows and its indexes; a person's rows are read through their
// pension's months.
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../db.js';
import { migrateRegistry, personPaymentsSql } from './schema.js';

const OLD_PAYMENTS = `CREATE TABLE reg_payments (
  citizen_number TEXT NOT NULL REFERENCES reg_persons(citizen_number),
  month TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('paid', 'suspended-certification', 'suspended-family-binding')),
  basic_fen INTEGER NOT NULL, top_up_fen INTEGER NOT NULL, from_account_fen INTEGER NOT NULL, from_pool_fen INTEGER NOT NULL,
  total_fen INTEGER NOT NULL, draw_json TEXT NOT NULL, payment_id TEXT, paid_run_key TEXT, run_key TEXT NOT NULL,
  PRIMARY KEY (citizen_number, month)
) STRICT, WITHOUT ROWID`;

function keyColumns(db: ReturnType<typeof openDatabase>): string[] {
  return (db.prepare(`SELECT name FROM pragma_table_info('reg_payments') WHERE pk > 0 ORDER BY pk`).all() as { name: string }[]).map((r) => r.name);
}

describe('the registry schema', () => {
  it('rekeys a reg_payments made before issue 15 by month first, keeping its rows and indexes', () => {
    const db = openDatabase(':memory:');
    migrateRegistry(db);
    db.prepare(`INSERT INTO reg_villages (code, name) VALUES ('V1', 'v')`).run();
    const insertPerson = db.prepare(`INSERT INTO reg_persons (citizen_number, name, birth_date, village_code, registered_at, enrolled_on) VALUES (?, 'n', '1950-01-01', 'V1', '2010-01-01', '2010-01-01')`);
    const insertPension = db.prepare(
      `INSERT INTO reg_pensions (citizen_number, start_month, paid_years, top_up_fen, account_fen, family_binding, run_key, decided_through) VALUES (?, '2023-11', 0, 0, 0, 0, 'r', '2024-02')`,
    );
    for (const cn of ['A', 'B']) {
      insertPerson.run(cn);
      insertPension.run(cn);
    }
    // The database as an older version left it.
    db.prepare('DROP TABLE reg_payments').run();
    db.prepare(OLD_PAYMENTS).run();
    db.prepare('CREATE INDEX reg_payments_paid_run ON reg_payments(paid_run_key, citizen_number)').run();
    const insertPayment = db.prepare(`INSERT INTO reg_payments VALUES (?, ?, ?, 5500, 0, 0, 5500, 5500, '{}', ?, ?, ?)`);
    for (const month of ['2023-11', '2023-12', '2024-01', '2024-02']) {
      for (const cn of ['A', 'B']) {
        const suspended = cn === 'B' && month === '2024-01';
        insertPayment.run(cn, month, suspended ? 'suspended-certification' : 'paid', suspended ? null : `p-${cn}-${month}`, suspended ? null : `payroll:${month}`, `payroll:${month}`);
      }
    }
    const before = db.prepare('SELECT * FROM reg_payments ORDER BY citizen_number, month').all();
    expect(keyColumns(db)).toEqual(['citizen_number', 'month']);

    migrateRegistry(db);
    expect(keyColumns(db)).toEqual(['month', 'citizen_number']);
    expect(db.prepare('SELECT * FROM reg_payments ORDER BY citizen_number, month').all()).toEqual(before);
    const indexes = (db.prepare(`SELECT name FROM pragma_index_list('reg_payments') WHERE origin = 'c' ORDER BY name`).all() as { name: string }[]).map((r) => r.name);
    expect(indexes).toEqual(['reg_payments_paid_run', 'reg_payments_suspended']);
    // Opening it again changes nothing.
    migrateRegistry(db);
    expect(db.prepare('SELECT * FROM reg_payments ORDER BY citizen_number, month').all()).toEqual(before);

    const paid = db.prepare(personPaymentsSql('sqlite', 'y.month', `y.status = 'paid'`)).pluck().all('B');
    expect(paid).toEqual(['2023-11', '2023-12', '2024-02']);
    const lastTwo = db.prepare(personPaymentsSql('sqlite', 'y.month, y.status', 'TRUE', 'ORDER BY y.month DESC LIMIT ?')).all('B', 2);
    expect(lastTwo).toEqual([
      { month: '2024-02', status: 'paid' },
      { month: '2024-01', status: 'suspended-certification' },
    ]);
    db.close();
  });
});
