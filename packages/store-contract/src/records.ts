import { DEFAULT_PROJECT, type Completion, type InvocationRecord } from '@skills/protocol';

const BASE = Date.parse('2024-05-01T12:00:00.000Z');

/** An ISO instant `minutes` after a fixed base time. */
export function at(minutes: number): string {
  return new Date(BASE + minutes * 60_000).toISOString();
}

/** A valid pending record; `n` makes its id and time distinct. */
export function pendingRecord(n: number, overrides: Partial<InvocationRecord> = {}): InvocationRecord {
  return {
    id: `inv-${String(n).padStart(6, '0')}`,
    skillName: 'code-reviewer',
    sessionId: 'session-1',
    invokedAt: at(n),
    status: 'pending',
    completed: false,
    completedAt: null,
    durationSeconds: null,
    userQuery: `review change ${n}`,
    workflowPhase: 'review',
    alternativesConsidered: [],
    selectionRank: null,
    followUpActions: [],
    errorType: null,
    source: null,
    ...overrides,
  };
}

/** A valid record already finished with `status`. */
export function finishedRecord(
  n: number,
  status: 'completed' | 'failed' | 'abandoned',
  durationSeconds: number | null,
  overrides: Partial<InvocationRecord> = {},
): InvocationRecord {
  return pendingRecord(n, {
    status,
    completed: status === 'completed',
    completedAt: status === 'abandoned' ? null : at(n + 0.5),
    durationSeconds: status === 'abandoned' ? null : durationSeconds,
    ...overrides,
  });
}

/** A completion of invocation `id`. */
export function completion(id: string, completed: boolean, durationSeconds: number | null = 1.5): Completion {
  return { id, completed, completedAt: at(10_000), durationSeconds };
}

/**
 * `record` as a store reads it back: with its project (`default` when it was written with none),
 * and without `alternativeScores` when it had none to keep.
 */
export function asStored(record: InvocationRecord, project: string = record.project ?? DEFAULT_PROJECT): InvocationRecord {
  const { alternativeScores, ...rest } = record;
  return { ...rest, ...(alternativeScores && alternativeScores.length > 0 ? { alternativeScores } : {}), project };
}
