import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import { InvocationRecordSchema } from './invocation.js';
import { CompletionSchema, validateBatch } from './batch-validation.js';
import {
  completionOf,
  createCompleter,
  finishedRecord,
  isPlainValidCompletion,
  isPlainValidRecord,
  pendingRecord,
  PLAIN_RECORD_CHECKS,
} from './invocation-records.js';
import { LIMITS } from './limits.js';

const CONTEXT = { id: 'id-1', sessionId: 'session-1', invokedAt: '2026-01-01T00:00:00.000Z' };

describe('pendingRecord', () => {
  it('fills what the input leaves out: nulls, empty lists, an empty query as null', () => {
    const record = pendingRecord({ skillName: 'linter', userQuery: '' }, CONTEXT);
    expect(record).toEqual({
      ...CONTEXT,
      skillName: 'linter',
      status: 'pending',
      completed: false,
      completedAt: null,
      durationSeconds: null,
      userQuery: null,
      workflowPhase: null,
      alternativesConsidered: [],
      selectionRank: null,
      followUpActions: [],
      errorType: null,
      source: null,
    });
    expect(InvocationRecordSchema.safeParse(record).success).toBe(true);
  });

  it('keeps the shown scores of the alternatives, and leaves an empty list out (issue 16)', () => {
    const input = { skillName: 'linter', alternativesConsidered: ['linter', 'formatter'], alternativeScores: [0.9, 0.4] };
    const record = pendingRecord(input, CONTEXT);
    expect(record.alternativeScores).toEqual([0.9, 0.4]);
    expect(InvocationRecordSchema.safeParse(record).success).toBe(true);
    expect('alternativeScores' in pendingRecord({ ...input, alternativeScores: [] }, CONTEXT)).toBe(false);
  });

  it('carries the project the context names, and none otherwise (issue 15)', () => {
    expect(pendingRecord({ skillName: 'linter' }, { ...CONTEXT, project: 'alpha' }).project).toBe('alpha');
    expect('project' in pendingRecord({ skillName: 'linter' }, CONTEXT)).toBe(false);
  });

  it('keeps the source label the input names', () => {
    expect(pendingRecord({ skillName: 'linter', source: 'ai-sdk' }, CONTEXT).source).toBe('ai-sdk');
  });

  it('redacts the query with the function given, and only a non-empty one', () => {
    const redactQuery = (q: string) => q.replace('s3cret', '[REDACTED]');
    expect(pendingRecord({ skillName: 'deployer', userQuery: 'token s3cret' }, { ...CONTEXT, redactQuery }).userQuery).toBe('token [REDACTED]');
    expect(pendingRecord({ skillName: 'deployer', userQuery: 'token s3cret' }, CONTEXT).userQuery).toBe('token s3cret');
  });
});

describe('completionOf and finishedRecord', () => {
  it('keeps the duration within 0 and the 30-day bound', () => {
    expect(completionOf('id-1', { completed: true }, CONTEXT.invokedAt, -3).durationSeconds).toBe(0);
    expect(completionOf('id-1', { completed: true }, CONTEXT.invokedAt, 1e12).durationSeconds).toBe(LIMITS.maxDurationSeconds);
  });

  it("takes the host's own duration over the elapsed time when given", () => {
    expect(completionOf('id-1', { completed: true, durationSeconds: 0.25 }, CONTEXT.invokedAt, 9).durationSeconds).toBe(0.25);
    expect(completionOf('id-1', { completed: true, durationSeconds: 0 }, CONTEXT.invokedAt, 9).durationSeconds).toBe(0);
  });

  it('finishes a record as failed with its error type and follow-ups', () => {
    const completion = completionOf('id-1', { completed: false, errorType: 'TimeoutError', followUpActions: ['retry'] }, '2026-01-01T00:00:02.000Z', 2);
    const finished = finishedRecord(pendingRecord({ skillName: 'linter' }, CONTEXT), completion);
    expect(finished).toMatchObject({ status: 'failed', completed: false, completedAt: '2026-01-01T00:00:02.000Z', durationSeconds: 2, errorType: 'TimeoutError', followUpActions: ['retry'] });
  });
});

describe('createCompleter', () => {
  it('finishes once with the parsed outcome; bad input throws and does not count as the call', () => {
    const outcomes: unknown[] = [];
    const done = createCompleter('id-1', (outcome) => outcomes.push(outcome));
    expect(done.invocationId).toBe('id-1');
    expect(() => done({ completed: 'yes' as unknown as boolean })).toThrow(ValidationError);
    done();
    done({ completed: false });
    expect(outcomes).toEqual([{ completed: true }]);
  });
});

describe('the plain checks stores skip the schemas with', () => {
  const tracked = pendingRecord(
    { skillName: 'linter', userQuery: 'lint this', workflowPhase: 'review', alternativesConsidered: ['a', 'b'], alternativeScores: [0.5, 0.25], selectionRank: 1, source: 'ai-sdk' },
    { ...CONTEXT, project: 'team.a' },
  );
  const done = completionOf('id-1', { completed: false, followUpActions: ['retry'], errorType: 'Timeout' }, '2026-01-01T00:00:01.500Z', 1.5);

  it('take what trackers build, which the schemas return unchanged', () => {
    for (const record of [tracked, pendingRecord({ skillName: 'x' }, CONTEXT), finishedRecord(tracked, done)]) {
      expect(isPlainValidRecord(record)).toBe(true);
      expect(InvocationRecordSchema.parse(record)).toEqual(record);
    }
    expect(isPlainValidCompletion(done)).toBe(true);
    expect(CompletionSchema.parse(done)).toEqual(done);
  });

  it('leave everything else to the schemas: the outcome and the error naming the field are theirs', () => {
    const misses: Record<string, unknown>[] = [
      { skillName: ' padded ' },
      { invokedAt: '2026-01-01T00:00:00Z' },
      { project: 'Team' },
      { alternativeScores: [1] },
      { extra: 1 },
    ];
    for (const change of misses) expect(isPlainValidRecord({ ...tracked, ...change }), JSON.stringify(change)).toBe(false);
    expect(isPlainValidCompletion({ ...done, completedAt: 'soon' })).toBe(false);
    // A padded name is trimmed by the schema, as without the checks.
    expect(validateBatch({ inserts: [{ ...tracked, skillName: ' padded ' }] }, PLAIN_RECORD_CHECKS).inserts[0]!.skillName).toBe('padded');
    expect(() => validateBatch({ inserts: [tracked, { ...tracked, project: 'Team' }] }, PLAIN_RECORD_CHECKS)).toThrow(
      expect.objectContaining({ violations: [expect.objectContaining({ path: 'inserts.1.project' })] }),
    );
  });
});
