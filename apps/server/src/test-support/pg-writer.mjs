// One of the writer processes of pg-faults.test.ts: sends batches to a skills server over MCP,
// its own invocations and ids every writer sends (only one insert of each may count), and
// completes the previous batch's shared ids (only one completion of each may count). Prints its
// totals as JSON.
import { SkillsMcpClient } from '@skills/mcp-client';

const [url, worker, batches, size] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5])];
const base = Date.parse('2024-05-01T12:00:00.000Z');
const record = (id, n) => ({
  invocation_id: id,
  session_id: `session-${worker}`,
  skill_name: `skill-${n % 3}`,
  invoked_at: new Date(base + n * 1000).toISOString(),
  status: 'pending',
  completed: false,
  user_query: `shared query ${n % 7}`,
  workflow_phase: n % 2 === 0 ? 'build' : null,
});
const client = await SkillsMcpClient.connect({ url, timeoutMs: 30_000 });
const totals = { inserted: 0, duplicates: 0, completed: 0, alreadyFinished: 0, unknown: 0 };
for (let b = 0; b < batches; b++) {
  const invocations = [];
  for (let i = 0; i < size; i++) {
    invocations.push(record(`w${worker}-${b}-${i}`, b * size + i));
    invocations.push(record(`shared-${b}-${i}`, b * size + i));
  }
  const completions = b === 0 ? [] : Array.from({ length: size }, (_, i) => ({
    invocation_id: `shared-${b - 1}-${i}`,
    completed: (i + worker) % 2 === 0,
    completed_at: new Date(base + 10_000_000).toISOString(),
    duration_seconds: 0.25 * (worker + 1),
  }));
  const result = await client.trackInvocations({ invocations, completions });
  totals.inserted += result.inserted;
  totals.duplicates += result.duplicates;
  totals.completed += result.completed;
  totals.alreadyFinished += result.already_finished.length;
  totals.unknown += result.unknown.length;
}
await client.close();
console.log(JSON.stringify(totals));
