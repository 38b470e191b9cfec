// The SQLite store against the LedgerStore contract (store-contract.ts), on
// real files: with the default checkpoints (everything in the in-memory tail)
// and checkpointing after every block (everything written through).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type SqliteDatabase } from '../../db.js';
import { describeLedgerStoreContract, type LedgerStoreHarness } from '../store-contract.js';
import { SqliteLedgerStore, type SqliteLedgerStoreOptions } from './store.js';

function sqliteHarness(options: SqliteLedgerStoreOptions): () => LedgerStoreHarness {
  return () => {
    const dir = mkdtempSync(join(tmpdir(), 'nongbao-ledger-contract-'));
    const path = join(dir, 'ledger.sqlite');
    let db: SqliteDatabase = openDatabase(path);
    const harness: LedgerStoreHarness = {
      store: new SqliteLedgerStore(db, options),
      reopen({ crash }) {
        // A crash: the connection goes away without the store's close (no checkpoint).
        if (!crash) harness.store.close();
        db.close();
        db = openDatabase(path);
        harness.store = new SqliteLedgerStore(db, options);
        return harness.store;
      },
      dispose() {
        harness.store.close();
        if (db.open) db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
    return harness;
  };
}

describeLedgerStoreContract('sqlite, default checkpoints', sqliteHarness({}));
describeLedgerStoreContract('sqlite, a checkpoint after every block', sqliteHarness({ checkpointTransfers: 1 }));
