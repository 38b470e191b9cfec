// The PostgreSQL store against the LedgerStore contract (store-contract.ts),
// each test on a fresh database in the run's throwaway cluster
// (tests/src/pg-global-setup.ts).
import { PgDatabase } from '../../sql/pg-database.js';
import { freshPgDatabase } from '../../sql/test-pg.js';
import { describeLedgerStoreContract, type LedgerStoreHarness } from '../store-contract.js';
import { PgLedgerStore } from './store.js';

function pgHarness(): LedgerStoreHarness {
  let db = freshPgDatabase('ledger_contract');
  const url = db.url;
  const harness: LedgerStoreHarness = {
    store: new PgLedgerStore(db),
    reopen({ crash }) {
      // A crash: the connection goes away without the store's close.
      if (!crash) harness.store.close();
      db.close();
      db = new PgDatabase(url);
      harness.store = new PgLedgerStore(db);
      return harness.store;
    },
    dispose() {
      harness.store.close();
      db.close();
    },
  };
  return harness;
}

describeLedgerStoreContract('postgres', pgHarness);
