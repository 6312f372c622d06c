import { describe, expect, it } from 'vitest';
import { parseOrThrow } from './errors.js';
import type { InvocationRecord } from './invocation.js';
import {
  CompleteInvocationArgsSchema,
  fromMcpRecord,
  HealthCheckArgsSchema,
  McpInvocationRecordSchema,
  RecommendSkillsArgsSchema,
  SkillStatsArgsSchema,
  toMcpRecord,
  TrackInvocationArgsSchema,
  TrackInvocationsArgsSchema,
} from './mcp-tools.js';
import { PROJECT_NAME_RULE } from './projects.js';

const record: InvocationRecord = {
  id: 'inv-1',
  skillName: 'code-reviewer',
  sessionId: 's-1',
  invokedAt: '2026-03-01T10:00:00.000Z',
  status: 'completed',
  completed: true,
  completedAt: '2026-03-01T10:00:02.000Z',
  durationSeconds: 2,
  userQuery: 'review my PR',
  workflowPhase: 'review',
  alternativesConsidered: ['linter'],
  selectionRank: 1,
  followUpActions: [],
  errorType: null,
  source: 'langchain',
};

describe('the source label over MCP', () => {
  it('is an optional track_invocation argument: absent and null both mean none', () => {
    const args = { session_id: 's', skill_name: 'x' };
    expect(parseOrThrow(TrackInvocationArgsSchema, { ...args, source: 'mcp' }, 'args').source).toBe('mcp');
    expect(parseOrThrow(TrackInvocationArgsSchema, { ...args, source: null }, 'args').source).toBeUndefined();
    expect(parseOrThrow(TrackInvocationArgsSchema, args, 'args').source).toBeUndefined();
    expect(() => parseOrThrow(TrackInvocationArgsSchema, { ...args, source: ' ' }, 'args')).toThrow('source must not be empty');
  });

  it('travels with a track_invocations record both ways', () => {
    const sent = parseOrThrow(McpInvocationRecordSchema, JSON.parse(JSON.stringify(toMcpRecord(record))), 'record');
    expect(sent.source).toBe('langchain');
    expect(fromMcpRecord(sent)).toEqual(record);
  });

  it('reads as null from a record sent by an older client, and a record without one sends null', () => {
    const { source: _, ...older } = toMcpRecord(record);
    expect(fromMcpRecord(parseOrThrow(McpInvocationRecordSchema, older, 'record')).source).toBeNull();
    const { source: __, ...unlabelled } = record;
    expect(toMcpRecord(unlabelled).source).toBeNull();
  });
});

describe('the project argument', () => {
  // Every tool's arguments with what else they need; get_recommendations takes recommend_skills'.
  const tools = [
    ['track_invocation', TrackInvocationArgsSchema, { session_id: 's', skill_name: 'x' }],
    ['complete_invocation', CompleteInvocationArgsSchema, { invocation_id: 'inv-1', completed: true }],
    ['track_invocations', TrackInvocationsArgsSchema, { invocations: [] }],
    ['recommend_skills', RecommendSkillsArgsSchema, { user_query: 'review my change' }],
    ['skill_stats', SkillStatsArgsSchema, {}],
    ['health_check', HealthCheckArgsSchema, {}],
  ] as const;

  it('is optional on every tool: absent and null both mean not given', () => {
    for (const [name, schema, args] of tools) {
      expect((parseOrThrow(schema, { ...args, project: 'team-a' }, name) as { project?: string }).project, name).toBe('team-a');
      expect((parseOrThrow(schema, { ...args, project: null }, name) as { project?: string }).project, name).toBeUndefined();
      expect((parseOrThrow(schema, args, name) as { project?: string }).project, name).toBeUndefined();
    }
  });

  it('is refused by the rule of project names, naming the argument', () => {
    for (const [name, schema, args] of tools) {
      expect(() => parseOrThrow(schema, { ...args, project: 'Team A' }, name), name).toThrow(`project: project must be ${PROJECT_NAME_RULE}`);
    }
  });

  it('never comes from a record: the call decides its project', () => {
    const sent = parseOrThrow(McpInvocationRecordSchema, JSON.parse(JSON.stringify(toMcpRecord({ ...record, project: 'alpha' }))), 'record');
    expect(fromMcpRecord(sent)).not.toHaveProperty('project');
    expect(() => parseOrThrow(McpInvocationRecordSchema, { ...toMcpRecord(record), project: 'alpha' }, 'record')).toThrow(/project/);
  });
});

describe('alternative_scores over MCP', () => {
  it('pair with alternatives_considered on track_invocation, naming both', () => {
    const args = { session_id: 's', skill_name: 'x', alternatives_considered: ['a', 'b'] };
    expect(parseOrThrow(TrackInvocationArgsSchema, { ...args, alternative_scores: [0.8, 0.1] }, 'args').alternative_scores).toEqual([0.8, 0.1]);
    expect(parseOrThrow(TrackInvocationArgsSchema, { ...args, alternative_scores: null }, 'args').alternative_scores).toBeUndefined();
    expect(() => parseOrThrow(TrackInvocationArgsSchema, { ...args, alternative_scores: [0.8] }, 'args')).toThrow(
      'alternative_scores must have one score per entry of alternatives_considered (2), got 1',
    );
    expect(() => parseOrThrow(TrackInvocationArgsSchema, { ...args, alternative_scores: [0.8, 'x'] }, 'args')).toThrow('alternative_scores.1');
  });

  it('travel with a track_invocations record both ways, and stay absent when none were kept', () => {
    const scored: InvocationRecord = { ...record, alternativesConsidered: ['linter', 'builder'], alternativeScores: [0.7, 0.2] };
    const sent = parseOrThrow(McpInvocationRecordSchema, JSON.parse(JSON.stringify(toMcpRecord(scored))), 'record');
    expect(sent.alternative_scores).toEqual([0.7, 0.2]);
    expect(fromMcpRecord(sent)).toEqual(scored);
    for (const unscored of [record, { ...record, alternativeScores: [] }]) {
      const wire = JSON.parse(JSON.stringify(toMcpRecord(unscored))) as Record<string, unknown>;
      expect(wire).not.toHaveProperty('alternative_scores');
      expect(fromMcpRecord(parseOrThrow(McpInvocationRecordSchema, wire, 'record'))).not.toHaveProperty('alternativeScores');
    }
    expect(() => parseOrThrow(McpInvocationRecordSchema, { ...toMcpRecord(scored), alternative_scores: [1] }, 'record')).toThrow(
      'alternative_scores must have one score per entry of alternatives_considered (2), got 1',
    );
  });
});
