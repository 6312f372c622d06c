// The process of postgres-cluster.test.ts that starts a throwaway cluster, prints where it is
// (one line of JSON), and then waits to be killed: it never stops the cluster itself.
import { startCluster } from '@skills/store-contract/postgres-cluster';

const cluster = await startCluster();
process.stdout.write(`${JSON.stringify({ port: Number(new URL(cluster.url).port), data: cluster.control.data })}\n`);
setInterval(() => undefined, 60_000);
