// One of several writer processes of concurrency.test.ts: writes its own invocations, inserts the
// ids every writer inserts (only one insert may count), and completes the previous batch's shared
// ids (only one completion may count). Prints its totals as JSON.
import { openPostgresStore } from '../../dist/index.js';

const [url, worker, batches, size] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5])];
const base = Date.parse('2024-05-01T12:00:00.000Z');
const record = (id, n) => ({
  id,
  skillName: `skill-${n % 3}`,
  sessionId: `session-${worker}`,
  invokedAt: new Date(base + n * 1000).toISOString(),
  status: 'pending',
  completed: false,
  completedAt: null,
  durationSeconds: null,
  userQuery: `shared query ${n % 7}`,
  workflowPhase: n % 2 === 0 ? 'build' : null,
  alternativesConsidered: [],
  selectionRank: null,
  followUpActions: [],
  errorType: null,
});
const store = await openPostgresStore({ url, maxConnections: 2 });
const totals = { inserted: 0, duplicates: 0, completed: 0, alreadyFinished: 0, unknown: 0 };
for (let b = 0; b < batches; b++) {
  const inserts = [];
  for (let i = 0; i < size; i++) {
    inserts.push(record(`w${worker}-${b}-${i}`, b * size + i));
    inserts.push(record(`shared-${b}-${i}`, b * size + i));
  }
  const completions = b === 0 ? [] : Array.from({ length: size }, (_, i) => ({
    id: `shared-${b - 1}-${i}`,
    completed: (i + worker) % 2 === 0,
    completedAt: new Date(base + 10_000_000).toISOString(),
    durationSeconds: 0.25 * (worker + 1),
  }));
  const result = await store.applyBatch({ inserts, completions });
  totals.inserted += result.inserted;
  totals.duplicates += result.duplicates;
  totals.completed += result.completed;
  totals.alreadyFinished += result.alreadyFinished.length;
  totals.unknown += result.unknown.length;
}
await store.close();
console.log(JSON.stringify(totals));
