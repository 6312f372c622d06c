import { describe, expect, it } from 'vitest';
import { parseOrThrow, ValidationError } from './errors.js';
import { InvocationRecordSchema, RecommendationQuerySchema, TrackInvocationInputSchema } from './invocation.js';
import { CompleteInvocationArgsSchema, TrackInvocationArgsSchema } from './mcp-tools.js';
import { isPlainId, isPlainName, isPlainNameList, isPlainQuery } from './plain-values.js';

// A lone surrogate cannot be encoded as UTF-8: SQLite stores U+FFFD instead, so the stored text
// differs from what was given, never matches it again, and two distinct values can collide.
const LONE_HIGH = 'review\uD800';
const LONE_LOW = '\uDC00review';
const PAIR = 'review \uD83D\uDE00'; // an emoji: a proper pair, fine

const record = {
  id: 'inv-1',
  skillName: 'code-reviewer',
  sessionId: 's-1',
  invokedAt: '2026-03-01T10:00:00.000Z',
  status: 'pending',
  completed: false,
  completedAt: null,
  durationSeconds: null,
  userQuery: 'review my PR',
  workflowPhase: 'review',
  alternativesConsidered: [],
  selectionRank: 1,
  followUpActions: [],
  errorType: null,
} as const;

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).message;
  }
  throw new Error('expected a ValidationError');
}

describe('lone surrogates are refused at the boundary, naming the field and the rule', () => {
  it.each([
    ['id', { ...record, id: LONE_HIGH }],
    ['skillName', { ...record, skillName: LONE_LOW }],
    ['sessionId', { ...record, sessionId: LONE_HIGH }],
    ['userQuery', { ...record, userQuery: `a ${LONE_HIGH} b` }],
    ['workflowPhase', { ...record, workflowPhase: LONE_HIGH }],
    ['alternativesConsidered entry', { ...record, alternativesConsidered: ['ok', LONE_LOW] }],
    ['errorType', { ...record, errorType: LONE_HIGH }],
    ['source', { ...record, source: LONE_LOW }],
  ])('in a stored record: %s', (field, value) => {
    expect(messageOf(() => parseOrThrow(InvocationRecordSchema, value, 'record'))).toContain(
      `${field} must be well-formed Unicode (it holds a lone surrogate, which cannot be stored)`,
    );
  });

  it('in the tracker API and the MCP tools, under the name each caller uses', () => {
    expect(messageOf(() => parseOrThrow(TrackInvocationInputSchema, { skillName: LONE_HIGH }, 'input'))).toContain('skillName must be well-formed');
    expect(messageOf(() => parseOrThrow(RecommendationQuerySchema, { userQuery: LONE_LOW }, 'query'))).toContain('userQuery must be well-formed');
    expect(
      messageOf(() => parseOrThrow(TrackInvocationArgsSchema, { session_id: 's', skill_name: 'x', user_query: LONE_HIGH }, 'args')),
    ).toContain('user_query must be well-formed');
    expect(messageOf(() => parseOrThrow(CompleteInvocationArgsSchema, { invocation_id: LONE_HIGH, completed: true }, 'args'))).toContain(
      'invocation_id must be well-formed',
    );
  });

  it('keeps surrogate pairs (emoji and other astral characters)', () => {
    expect(parseOrThrow(InvocationRecordSchema, { ...record, skillName: PAIR, userQuery: PAIR, id: PAIR }, 'record')).toMatchObject({
      skillName: PAIR,
      userQuery: PAIR,
      id: PAIR,
    });
  });

  it('the fast checks never vouch for a lone surrogate, and still vouch for pairs', () => {
    for (const bad of [LONE_HIGH, LONE_LOW, 'a\uDBFFb']) {
      expect(isPlainName(bad)).toBe(false);
      expect(isPlainQuery(bad)).toBe(false);
      expect(isPlainId(bad)).toBe(false);
      expect(isPlainNameList(['ok', bad])).toBe(false);
    }
    expect(isPlainName(PAIR)).toBe(true);
    expect(isPlainQuery(PAIR)).toBe(true);
    expect(isPlainId(PAIR)).toBe(true);
  });
});
