import { describe, expect, it } from 'vitest';
import { ValidationError, parseOrThrow } from './errors.js';
import { EXPORT_FORMAT_VERSION, ExportDocumentSchema } from './export.js';
import {
  CompleteInvocationInputSchema,
  InvocationRecordSchema,
  RecommendationQuerySchema,
  TrackInvocationInputSchema,
} from './invocation.js';
import { LIMITS } from './limits.js';
import { PROJECT_NAME_RULE } from './projects.js';

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

  it("take a completion's own duration within 0 and the 30-day bound, naming the rule", () => {
    expect(CompleteInvocationInputSchema.parse({ durationSeconds: 1.5 })).toEqual({ completed: true, durationSeconds: 1.5 });
    expect(violations(() => parseOrThrow(CompleteInvocationInputSchema, { durationSeconds: -1 }, 'c'))).toEqual([
      { path: 'durationSeconds', message: 'durationSeconds must not be negative' },
    ]);
    expect(violations(() => parseOrThrow(CompleteInvocationInputSchema, { durationSeconds: LIMITS.maxDurationSeconds + 1 }, 'c'))).toEqual([
      { path: 'durationSeconds', message: `durationSeconds must be at most ${LIMITS.maxDurationSeconds} (30 days)` },
    ]);
    expect(violations(() => parseOrThrow(CompleteInvocationInputSchema, { durationSeconds: Number.NaN }, 'c'))[0]?.path).toBe('durationSeconds');
  });

  it('take a source label by the rules of names', () => {
    expect(parseOrThrow(TrackInvocationInputSchema, { skillName: 'a', source: ' ai-sdk ' }, 'i')).toEqual({ skillName: 'a', source: 'ai-sdk' });
    expect(violations(() => parseOrThrow(TrackInvocationInputSchema, { skillName: 'a', source: '' }, 'i'))).toEqual([
      { path: 'source', message: 'source must not be empty' },
    ]);
    expect(violations(() => parseOrThrow(TrackInvocationInputSchema, { skillName: 'a', source: 'x'.repeat(LIMITS.nameLength + 1) }, 'i'))).toEqual([
      { path: 'source', message: `source must be at most ${LIMITS.nameLength} characters` },
    ]);
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
    expect(ExportDocumentSchema.parse({ ...doc, version: EXPORT_FORMAT_VERSION }).version).toBe(EXPORT_FORMAT_VERSION);
    expect(violations(() => parseOrThrow(ExportDocumentSchema, { ...doc, version: EXPORT_FORMAT_VERSION + 1 }, 'export'))[0]?.message).toContain(
      'newer tool',
    );
  });

  it('read catalog descriptions by the well-formed text rule', () => {
    const doc = { format: 'skills-export', version: 1, exportedAt: '2026-01-01T00:00:00.000Z', invocations: [] };
    const catalog = (description: string) => ({ ...doc, catalog: [{ skillName: 'a', description }] });
    expect(ExportDocumentSchema.parse(catalog(' Reviews code \uD83D\uDE00 ')).catalog).toEqual([{ skillName: 'a', description: 'Reviews code \uD83D\uDE00' }]);
    expect(violations(() => parseOrThrow(ExportDocumentSchema, catalog('bad \uD800'), 'export'))).toEqual([
      { path: 'catalog.0.description', message: 'description must be well-formed Unicode (it holds a lone surrogate, which cannot be stored)' },
    ]);
    expect(violations(() => parseOrThrow(ExportDocumentSchema, catalog('  '), 'export'))).toEqual([
      { path: 'catalog.0.description', message: 'description must not be empty' },
    ]);
    expect(violations(() => parseOrThrow(ExportDocumentSchema, catalog('x'.repeat(2_001)), 'export'))).toEqual([
      { path: 'catalog.0.description', message: 'description must be at most 2000 characters' },
    ]);
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

  it('take a source label, null, or none (records written before sources were kept)', () => {
    expect(parseOrThrow(InvocationRecordSchema, { ...record, source: 'langchain' }, 'r').source).toBe('langchain');
    expect(parseOrThrow(InvocationRecordSchema, { ...record, source: null }, 'r').source).toBeNull();
    expect(parseOrThrow(InvocationRecordSchema, record, 'r')).not.toHaveProperty('source');
    expect(violations(() => parseOrThrow(InvocationRecordSchema, { ...record, source: 42 }, 'r'))).toEqual([
      { path: 'source', message: 'source must be a string' },
    ]);
  });

  it('bound durations to 30 days', () => {
    expect(InvocationRecordSchema.safeParse({ ...record, durationSeconds: LIMITS.maxDurationSeconds }).success).toBe(true);
    expect(violations(() => parseOrThrow(InvocationRecordSchema, { ...record, durationSeconds: 1e13 }, 'r'))[0]).toEqual({
      path: 'durationSeconds',
      message: `durationSeconds must be at most ${LIMITS.maxDurationSeconds} (30 days)`,
    });
  });
});

describe("a record's project and shown scores", () => {
  const record = {
    id: 'r1',
    skillName: 's',
    sessionId: 'x',
    invokedAt: '2026-01-01T00:00:00.000Z',
    status: 'pending',
    completed: false,
    completedAt: null,
    durationSeconds: null,
    userQuery: null,
    workflowPhase: null,
    alternativesConsidered: ['linter', 'builder'],
    selectionRank: 1,
    followUpActions: [],
    errorType: null,
  };

  it('take a project by the rule of project names, or none', () => {
    expect(parseOrThrow(InvocationRecordSchema, { ...record, project: 'team-a' }, 'r').project).toBe('team-a');
    expect(parseOrThrow(InvocationRecordSchema, record, 'r')).not.toHaveProperty('project');
    expect(violations(() => parseOrThrow(InvocationRecordSchema, { ...record, project: 'Team A' }, 'r'))).toEqual([
      { path: 'project', message: `project must be ${PROJECT_NAME_RULE}` },
    ]);
  });

  it('take one finite score per alternative, none, or an empty list', () => {
    expect(parseOrThrow(InvocationRecordSchema, { ...record, alternativeScores: [0.9, -0.25] }, 'r').alternativeScores).toEqual([0.9, -0.25]);
    expect(parseOrThrow(InvocationRecordSchema, record, 'r')).not.toHaveProperty('alternativeScores');
    expect(parseOrThrow(InvocationRecordSchema, { ...record, alternativeScores: [] }, 'r').alternativeScores).toEqual([]);
    expect(violations(() => parseOrThrow(InvocationRecordSchema, { ...record, alternativeScores: [0.9] }, 'r'))).toEqual([
      { path: 'alternativeScores', message: 'alternativeScores must have one score per entry of alternativesConsidered (2), got 1' },
    ]);
    expect(violations(() => parseOrThrow(InvocationRecordSchema, { ...record, alternativesConsidered: [], alternativeScores: [1] }, 'r'))[0]?.path).toBe(
      'alternativeScores',
    );
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, '1']) {
      expect(violations(() => parseOrThrow(InvocationRecordSchema, { ...record, alternativeScores: [bad, 1] }, 'r'))[0]?.path).toBe('alternativeScores.0');
    }
    const many = Array.from({ length: LIMITS.listLength + 1 }, (_, i) => i);
    expect(violations(() => parseOrThrow(InvocationRecordSchema, { ...record, alternativeScores: many }, 'r'))[0]).toMatchObject({
      path: 'alternativeScores',
      message: `alternativeScores must have at most ${LIMITS.listLength} entries`,
    });
  });

  it('are taken by trackInvocation: scores pair with the alternatives', () => {
    const input = { skillName: 'builder', alternativesConsidered: ['a', 'b'], alternativeScores: [2, 1] };
    expect(parseOrThrow(TrackInvocationInputSchema, input, 'i').alternativeScores).toEqual([2, 1]);
    expect(violations(() => parseOrThrow(TrackInvocationInputSchema, { ...input, alternativeScores: [2] }, 'i'))).toEqual([
      { path: 'alternativeScores', message: 'alternativeScores must have one score per entry of alternativesConsidered (2), got 1' },
    ]);
  });

  it('travel in a version 3 export, with each catalog entry\'s project', () => {
    const doc = {
      format: 'skills-export',
      version: 3,
      exportedAt: '2026-01-02T00:00:00.000Z',
      invocations: [{ ...record, project: 'alpha', alternativeScores: [1, 0.5] }],
      catalog: [{ skillName: 'builder', description: 'Builds', project: 'alpha' }],
    };
    expect(EXPORT_FORMAT_VERSION).toBe(3);
    expect(parseOrThrow(ExportDocumentSchema, doc, 'doc')).toEqual(doc);
    expect(violations(() => parseOrThrow(ExportDocumentSchema, { ...doc, catalog: [{ ...doc.catalog[0], project: 'Alpha' }] }, 'doc'))[0]?.path).toBe(
      'catalog.0.project',
    );
  });
});
