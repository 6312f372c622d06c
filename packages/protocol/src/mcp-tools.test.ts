import { describe, expect, it } from 'vitest';
import { parseOrThrow } from './errors.js';
import type { InvocationRecord } from './invocation.js';
import { fromMcpRecord, McpInvocationRecordSchema, toMcpRecord, TrackInvocationArgsSchema } from './mcp-tools.js';

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
