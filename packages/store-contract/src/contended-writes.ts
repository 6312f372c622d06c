import type { BatchResult, InvocationRecord, WriteBatch } from '@skills/protocol';

const BASE = Date.parse('2024-05-01T12:00:00.000Z');

/**
 * Batch `batch` of writer `worker` among several writing at once to one database: `size`
 * invocations of its own, the same `size` shared ids every writer inserts (only one insert of
 * each may count), and completions of the previous batch's shared ids (only one of each may count).
 */
export function contendedBatch(worker: number, batch: number, size: number): Required<WriteBatch> {
  const record = (id: string, n: number): InvocationRecord => ({
    id,
    skillName: `skill-${n % 3}`,
    sessionId: `session-${worker}`,
    invokedAt: new Date(BASE + n * 1000).toISOString(),
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
    source: null,
  });
  const inserts: InvocationRecord[] = [];
  for (let i = 0; i < size; i++) {
    inserts.push(record(`w${worker}-${batch}-${i}`, batch * size + i));
    inserts.push(record(`shared-${batch}-${i}`, batch * size + i));
  }
  const completions =
    batch === 0
      ? []
      : Array.from({ length: size }, (_, i) => ({
          id: `shared-${batch - 1}-${i}`,
          completed: (i + worker) % 2 === 0,
          completedAt: new Date(BASE + 10_000_000).toISOString(),
          durationSeconds: 0.25 * (worker + 1),
        }));
  return { inserts, completions };
}

/** What one writer's batches added up to. */
export interface WriterTotals {
  inserted: number;
  duplicates: number;
  completed: number;
  alreadyFinished: number;
  unknown: number;
}

/** Adds one batch's result to `totals`. */
export function addResult(totals: WriterTotals, result: Pick<BatchResult, 'inserted' | 'duplicates' | 'completed' | 'alreadyFinished' | 'unknown'>): void {
  totals.inserted += result.inserted;
  totals.duplicates += result.duplicates;
  totals.completed += result.completed;
  totals.alreadyFinished += result.alreadyFinished.length;
  totals.unknown += result.unknown.length;
}
