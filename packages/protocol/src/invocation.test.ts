import { describe, expect, it } from 'vitest';
import { ValidationError, parseOrThrow } from './errors.js';
import { ExportDocumentSchema } from './export.js';
import {
  CompleteInvocationInputSchema,
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
