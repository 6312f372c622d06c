import { describeStoreContract } from '@skills/store-contract';
import { openPostgresStore } from './index.js';
import { describePostgres, useDatabases } from '@skills/store-contract/postgres';

const databases = useDatabases();

// The same suite every store engine passes (see @skills/store-contract); a database per store.
describePostgres('PostgreSQL', () => {
  describeStoreContract('PostgreSQL', async () => {
    const url = await databases.create();
    return { store: await openPostgresStore({ url }), openAnother: () => openPostgresStore({ url }) };
  });
});
