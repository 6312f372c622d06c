import { describe, expect, it } from 'vitest';
import { ValidationError, parseOrThrow } from './errors.js';
import { ExportDocumentSchema } from './export.js';
import {
  CompleteInvocationInputSchema,
  InvocationRecordSchema,
  RecommendationQuerySchema,
  TrackInvocationInputSchema,
} from './invocation.js';
import { LIMITS } from './limits.js';

function violations(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).violations;
  }
  throw new Error('expected a ValidationError');
}

describe('input schemas', () => {
  it('accept a full trackInvocation input and trim names', () => {
    expect(
      parseOrThrow(
        TrackInvocationInputSchema,
        { skillName: ' reviewer ', userQuery: 'q', workflowPhase: 'planning', alternativesConsidered: ['a'], selectionRank: 1 },
        'input',
      ),
    ).toEqual({ skillName: 'reviewer', userQuery: 'q', workflowPhase: 'planning', alternativesConsidered: ['a'], selectionRank: 1 });
  });

  it('name the field and the rule of every violation', () => {
    const found = violations(() =>
      parseOrThrow(
        TrackInvocationInputSchema,
        { skillName: '', selectionRank: 1.5, alternativesConsidered: ['ok', ''], userQuery: 'x'.repeat(LIMITS.queryLength + 1) },
        'trackInvocation input',
      ),
    );
    expect(found).toEqual(
      expect.arrayContaining([
        { path: 'skillName', message: 'skillName must not be empty' },
        { path: 'selectionRank', message: 'selectionRank must be a whole number' },
        { path: 'alternativesConsidered.1', message: 'alternativesConsidered entry must not be empty' },
        { path: 'userQuery', message: `userQuery must be at most ${LIMITS.queryLength} characters` },
      ]),
    );
  });

  it('reject unknown fields, so a typo is not silently dropped', () => {
    expect(violations(() => parseOrThrow(TrackInvocationInputSchema, { skillName: 'a', phase: 'x' }, 'i'))[0]?.message).toMatch(
      /phase/,
    );
  });

  it('default a completion to completed: true', () => {
    expect(CompleteInvocationInputSchema.parse({})).toEqual({ completed: true });
  });

  it('bound recommendation queries', () => {
    expect(violations(() => parseOrThrow(RecommendationQuerySchema, { userQuery: '  ' }, 'q'))[0]).toEqual({
      path: 'userQuery',
      message: 'userQuery must not be empty',
    });
    expect(violations(() => parseOrThrow(RecommendationQuerySchema, { userQuery: 'a', limit: 101 }, 'q'))[0]?.path).toBe(
      'limit',
    );
  });

  it('read export documents of known versions only', () => {
    const doc = { format: 'skills-export', version: 1, exportedAt: '2026-01-01T00:00:00.000Z', invocations: [] };
    expect(ExportDocumentSchema.parse(doc)).toEqual({ ...doc, catalog: [] });
    expect(violations(() => parseOrThrow(ExportDocumentSchema, { ...doc, version: 2 }, 'export'))[0]?.message).toContain(
      'newer tool',
    );
  });
});

describe('stored records', () => {
  const record = {
    id: 'r1',
    skillName: 's',
    sessionId: 'x',
    invokedAt: '2026-01-01T00:00:00.000Z',
    status: 'completed',
    completed: true,
    completedAt: '2026-01-01T00:00:01.000Z',
    durationSeconds: 1,
    userQuery: null,
    workflowPhase: null,
    alternativesConsidered: [],
    selectionRank: null,
    followUpActions: [],
    errorType: null,
  };

  it('accept only instants that round-trip through a four-digit UTC year', () => {
    expect(InvocationRecordSchema.safeParse(record).success).toBe(true);
    expect(InvocationRecordSchema.safeParse({ ...record, invokedAt: '0000-01-01T00:00:00+00:00' }).success).toBe(true);
    const early = violations(() => parseOrThrow(InvocationRecordSchema, { ...record, invokedAt: '0000-01-01T00:30:00+01:00' }, 'r'));
    expect(early).toEqual([{ path: 'invokedAt', message: 'invokedAt must fall between the years 0000 and 9999 in UTC' }]);
    expect(InvocationRecordSchema.safeParse({ ...record, completedAt: '9999-12-31T23:30:00-01:00' }).success).toBe(false);
  });

  it('bound durations to 30 days', () => {
    expect(InvocationRecordSchema.safeParse({ ...record, durationSeconds: LIMITS.maxDurationSeconds }).success).toBe(true);
    expect(violations(() => parseOrThrow(InvocationRecordSchema, { ...record, durationSeconds: 1e13 }, 'r'))[0]).toEqual({
      path: 'durationSeconds',
      message: `durationSeconds must be at most ${LIMITS.maxDurationSeconds} (30 days)`,
    });
  });
});
