import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '@skills/store-sqlite';
import { createSkillsTracker } from './create-tracker.js';
import { choiceInvocation, errorTypeOf, tracked, trackedChoice } from './host.js';
import { memoryLogger, tempDir } from './test-support/temp.js';

class RateLimitError extends Error {}

describe('host helpers', () => {
  it('tracked() completes with success or with the error class name, and rethrows', async () => {
    const dbPath = join(tempDir(), 'skills.db');
    const tracker = await createSkillsTracker({ backend: 'direct', dbPath, env: {}, logger: memoryLogger() });
    await expect(tracked(tracker, { skillName: 'summariser' }, async () => 42)).resolves.toBe(42);
    const failure = new RateLimitError('user secret: hunter2');
    await expect(tracked(tracker, { skillName: 'summariser' }, () => Promise.reject(failure))).rejects.toBe(failure);
    await expect(
      trackedChoice(tracker, { chosen: 'linter', considered: ['formatter', 'linter', 'typechecker'] }, () => 'ok'),
    ).resolves.toBe('ok');
    await tracker.close();

    const store = await openSqliteStore({ path: dbPath });
    const rows = await store.listInvocations();
    await store.close();
    const failed = rows.find((r) => r.status === 'failed');
    expect(failed).toMatchObject({ skillName: 'summariser', errorType: 'RateLimitError', completed: false });
    expect(JSON.stringify(rows)).not.toContain('hunter2');
    expect(rows.filter((r) => r.status === 'completed')).toHaveLength(2);
    expect(rows.find((r) => r.skillName === 'linter')).toMatchObject({
      selectionRank: 2,
      alternativesConsidered: ['formatter', 'typechecker'],
    });
  });

  it('errorTypeOf bounds cardinality: class names only, never messages', () => {
    expect(errorTypeOf(new TypeError('x'))).toBe('TypeError');
    expect(errorTypeOf(new RateLimitError('x'))).toBe('RateLimitError');
    expect(errorTypeOf(Object.assign(new Error('m'), { name: 'AbortError' }))).toBe('AbortError');
    expect(errorTypeOf(Object.assign(new Error('m'), { name: 'has spaces and secrets' }))).toBe('Error');
    expect(errorTypeOf('a string')).toBe('string');
    expect(errorTypeOf(undefined)).toBe('undefined');
  });

  it('choiceInvocation keeps the shown scores of the alternatives, in their order', () => {
    expect(choiceInvocation({ chosen: 'b', considered: ['a', 'b', 'c'], scores: [0.9, 0.7, 0.4] })).toEqual({
      skillName: 'b',
      alternativesConsidered: ['a', 'c'],
      alternativeScores: [0.9, 0.4],
      selectionRank: 2,
    });
  });

  it('choiceInvocation ranks the chosen skill among the considered', () => {
    expect(choiceInvocation({ chosen: 'b', considered: ['a', 'b'], workflowPhase: 'planning' })).toEqual({
      skillName: 'b',
      alternativesConsidered: ['a'],
      selectionRank: 2,
      workflowPhase: 'planning',
    });
    expect(choiceInvocation({ chosen: 'z', considered: ['a'] })).toEqual({ skillName: 'z', alternativesConsidered: ['a'] });
  });
});
