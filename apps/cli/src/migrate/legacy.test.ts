import { describe, expect, it } from 'vitest';
import { crossCheckAggregates, LegacyFormatError, legacyId, readLegacy } from './legacy.js';

const original = {
  invocations: [
    { skill_name: 'crackerjack-run', invoked_at: '2026-02-01T10:00:00.123456', workflow_path: 'comprehensive', completed: true, duration_seconds: 42.5, follow_up_actions: ['git commit'], error_type: null },
    { skill_name: 'crackerjack-run', invoked_at: '2026-02-01T11:00:00', workflow_path: 'quick', completed: false, duration_seconds: 3, follow_up_actions: [], error_type: 'TimeoutError' },
    { skill_name: 'code-reviewer', invoked_at: '2026-02-02T09:30:00', workflow_path: null, completed: false, duration_seconds: null, follow_up_actions: null, error_type: null },
  ],
  skills: {
    'crackerjack-run': { total_invocations: 2, completed_invocations: 1, total_duration_seconds: 45.5 },
    'code-reviewer': { total_invocations: 1, completed_invocations: 0 },
  },
  last_updated: '2026-02-02T09:30:00',
};

describe('readLegacy', () => {
  it('reads the original variant: session "migrated", workflow_path as the phase, naive times in the zone', () => {
    const read = readLegacy(JSON.stringify(original), { timeZone: 'Europe/Paris' });
    expect(read).toMatchObject({ variant: 'original', read: 3, invalid: [], repeatedInFile: 0 });
    expect(read.records[0]).toMatchObject({
      skillName: 'crackerjack-run',
      sessionId: 'migrated',
      invokedAt: '2026-02-01T09:00:00.123Z',
      completedAt: '2026-02-01T09:00:42.623Z',
      status: 'completed',
      completed: true,
      durationSeconds: 42.5,
      workflowPhase: 'comprehensive',
      followUpActions: ['git commit'],
      userQuery: null,
      errorType: null,
    });
    expect(read.records[1]).toMatchObject({ status: 'failed', errorType: 'TimeoutError', workflowPhase: 'quick' });
    expect(read.records[2]).toMatchObject({ status: 'abandoned', completedAt: null, workflowPhase: null, followUpActions: [] });
    expect(crossCheckAggregates(read)).toEqual([]);
  });

  it('reads the extended variant: sessions, queries, alternatives, rank, and workflow_phase over workflow_path', () => {
    const read = readLegacy(
      JSON.stringify({
        invocations: [
          {
            skill_name: 'code-reviewer',
            invoked_at: '2026-02-03T08:00:00',
            session_id: 's-42',
            user_query: 'review my PR',
            alternatives_considered: ['linter'],
            selection_rank: 2,
            workflow_phase: 'verification',
            workflow_path: 'comprehensive',
            completed: true,
            duration_seconds: 12,
            follow_up_actions: [],
            error_type: null,
          },
        ],
      }),
      { timeZone: 'UTC' },
    );
    expect(read.variant).toBe('extended');
    expect(read.aggregates).toBeNull();
    expect(read.records[0]).toMatchObject({
      sessionId: 's-42',
      userQuery: 'review my PR',
      alternativesConsidered: ['linter'],
      selectionRank: 2,
      workflowPhase: 'verification',
    });
  });

  it('skips malformed records with their index and field, and keeps the rest', () => {
    const read = readLegacy(
      JSON.stringify({
        invocations: [
          original.invocations[0],
          'not a record',
          { ...original.invocations[0], skill_name: '' },
          { ...original.invocations[0], skill_name: undefined },
          { ...original.invocations[0], invoked_at: 'yesterday' },
          { ...original.invocations[0], invoked_at: '2026-02-30T10:00:00' },
          { ...original.invocations[0], completed: 'yes' },
          { ...original.invocations[0], duration_seconds: -1 },
          { ...original.invocations[0], follow_up_actions: 'git commit' },
          { ...original.invocations[0], selection_rank: 0, session_id: 'x' },
          { ...original.invocations[0], alternatives_considered: ['ok', ''], session_id: 'y' },
          { ...original.invocations[0], workflow_path: 7 },
        ],
      }),
      { timeZone: 'UTC' },
    );
    expect(read.records).toHaveLength(1);
    expect(read.invalid.map((i) => [i.index, i.field])).toEqual([
      [1, '(record)'],
      [2, 'skill_name'],
      [3, 'skill_name'],
      [4, 'invoked_at'],
      [5, 'invoked_at'],
      [6, 'completed'],
      [7, 'duration_seconds'],
      [8, 'follow_up_actions'],
      [9, 'selection_rank'],
      [10, 'alternatives_considered.1'],
      [11, 'workflow_path'],
    ]);
    expect(read.invalid[1]!.message).toBe('must not be empty');
    expect(read.invalid[2]!.message).toBe('is missing');
    expect(read.invalid[3]!.message).toContain('"yesterday" is not a date-time');
    expect(read.invalid[8]!.message).toContain('at least 1');
  });

  it('gives ids from content, not position, and counts repeats in the file once', () => {
    const a = original.invocations[0]!;
    expect(legacyId(a)).toBe(legacyId({ ...a, duration_seconds: 1 }));
    expect(legacyId(a)).not.toBe(legacyId({ ...a, invoked_at: '2026-02-01T10:00:00.123457' }));
    const read = readLegacy(JSON.stringify({ invocations: [a, original.invocations[1], a] }), { timeZone: 'UTC' });
    expect(read.records).toHaveLength(2);
    expect(read.repeatedInFile).toBe(1);
  });

  it('reports where the aggregates disagree with the records', () => {
    const read = readLegacy(
      JSON.stringify({
        invocations: original.invocations,
        skills: { 'crackerjack-run': { total_invocations: 5, completed_invocations: 1 }, ghost: { total_invocations: 2 } },
      }),
      { timeZone: 'UTC' },
    );
    expect(crossCheckAggregates(read)).toEqual([
      { skillName: 'crackerjack-run', message: 'total_invocations is 5, the records hold 2' },
      { skillName: 'ghost', message: 'the aggregates list 2 invocations, but no valid record has this skill' },
      { skillName: 'code-reviewer', message: '1 records, but the aggregates do not list this skill' },
    ]);
  });

  it('refuses files that are not legacy metrics at all', () => {
    expect(() => readLegacy('{')).toThrow(LegacyFormatError);
    expect(() => readLegacy('[]')).toThrow(/top level must be an object/);
    expect(() => readLegacy('{"skills": {}}')).toThrow(/no "invocations" field/);
  });
});
