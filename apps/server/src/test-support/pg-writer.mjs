// One of the writer processes of pg-faults.test.ts: sends the contended batches (see
// contendedBatch) to a skills server over MCP, and prints its totals as JSON.
import { SkillsMcpClient } from '@skills/mcp-client';
import { toMcpCompletion, toMcpRecord } from '@skills/protocol';
import { addResult, contendedBatch } from '@skills/store-contract/contended-writes';

const [url, worker, batches, size] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5])];
const client = await SkillsMcpClient.connect({ url, timeoutMs: 30_000 });
const totals = { inserted: 0, duplicates: 0, completed: 0, alreadyFinished: 0, unknown: 0 };
for (let b = 0; b < batches; b++) {
  const { inserts, completions } = contendedBatch(worker, b, size);
  const result = await client.trackInvocations({ invocations: inserts.map(toMcpRecord), completions: completions.map(toMcpCompletion) });
  addResult(totals, { ...result, alreadyFinished: result.already_finished });
}
await client.close();
console.log(JSON.stringify(totals));
