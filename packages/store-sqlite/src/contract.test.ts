import { describeStoreContract } from '@skills/store-contract';
import { openSqliteStore } from './index.js';
import { useTempDir } from './test-support/temp-dir.js';

const tmp = useTempDir();

// The same suite every store engine passes (see @skills/store-contract).
describeStoreContract('SQLite', async () => {
  const path = tmp.path('contract.db');
  return { store: await openSqliteStore({ path }), openAnother: () => openSqliteStore({ path }) };
});
