// One of several writer processes of concurrency.test.ts: writes the contended batches (see
// contendedBatch) straight into the store, and prints its totals as JSON.
import { addResult, contendedBatch } from '@skills/store-contract/contended-writes';
import { openPostgresStore } from '../../dist/index.js';

const [url, worker, batches, size] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5])];
const store = await openPostgresStore({ url, maxConnections: 2 });
const totals = { inserted: 0, duplicates: 0, completed: 0, alreadyFinished: 0, unknown: 0 };
for (let b = 0; b < batches; b++) addResult(totals, await store.applyBatch(contendedBatch(worker, b, size)));
await store.close();
console.log(JSON.stringify(totals));
