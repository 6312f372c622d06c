import type { Recommendation, SkillsTracker } from '@skills/protocol';
import { describe, expect, it } from 'vitest';
import { adviseSkills, rankTools, recommendationHint } from './recommend.js';
import { Shortlist } from './shortlist.js';
import { memoryLogger, openTestTracker } from './test-support/store.js';

const rec = (skillName: string, extra: Partial<Recommendation> = {}): Recommendation => ({
  skillName,
  score: 1,
  similarityScore: 0.8,
  successRate: 0.9,
  completed: true,
  durationSeconds: 4.2,
  workflowPhase: null,
  invocationCount: 12,
  reason: 'worked before',
  ...extra,
});

describe('rankTools', () => {
  it('puts the recommended tools first in the recommended order, the others after in their own order', () => {
    const tools = [{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd' }];
    expect(rankTools(tools, [rec('c'), rec('zzz'), rec('a')]).map((t) => t.name)).toEqual(['c', 'a', 'b', 'd']);
    expect(rankTools(['a', 'b', 'c'], [rec('c')], { only: true })).toEqual(['c']);
    expect(rankTools(['a', 'b'], [])).toEqual(['a', 'b']);
  });
});

describe('recommendationHint', () => {
  it('names each tool with its record, and says nothing without recommendations', () => {
    expect(recommendationHint([rec('run_tests'), rec('lint', { successRate: 0.25, invocationCount: 1, durationSeconds: null })])).toBe(
      'Tools that worked for similar requests before, best first: run_tests (90% success over 12 runs, about 4.2 s), ' +
        'lint (25% success over 1 run). Prefer them when they fit the task.',
    );
    expect(recommendationHint([])).toBe('');
  });
});

describe('adviseSkills', () => {
  it('keeps the agent’s tools only, cuts to the limit and remembers what it gave', async () => {
    const { tracker } = await openTestTracker();
    for (const skillName of ['run_tests', 'lint', 'deploy']) {
      tracker.trackInvocation({ skillName, userQuery: 'run the parser tests' })?.({ completed: true });
    }
    const shortlist = new Shortlist();
    const advice = await adviseSkills(tracker, ' run the parser tests ', { tools: ['lint', 'run_tests'], limit: 1, shortlist });
    await tracker.close();

    expect(advice).toHaveLength(1);
    expect(['lint', 'run_tests']).toContain(advice[0]!.skillName);
    expect(shortlist.get('run the parser tests')).toEqual(advice);
  });

  it('gives [] and logs why when the tracker cannot answer, or when the query is empty', async () => {
    const logger = memoryLogger();
    const failing = { getRecommendations: () => Promise.reject(new Error('store is locked')) } as unknown as SkillsTracker;
    expect(await adviseSkills(failing, 'anything', { logger })).toEqual([]);
    expect(await adviseSkills(failing, '   ', { logger })).toEqual([]);
    expect(logger.lines).toEqual(['warn: no recommendations for this run: store is locked']);
  });
});

describe('Shortlist', () => {
  it('gives the rank and the alternatives of a recommended skill, nothing for another', () => {
    const shortlist = new Shortlist();
    shortlist.remember('fix the build', [rec('a'), rec('b'), rec('c')]);
    expect(shortlist.choiceFor(' fix the build ', 'b')).toEqual({ selectionRank: 2, alternativesConsidered: ['a', 'c'], alternativeScores: [1, 1] });
    expect(shortlist.choiceFor('fix the build', 'x')).toEqual({});
    expect(shortlist.choiceFor('another query', 'a')).toEqual({});
  });

  it('keeps the alternatives within the store’s list limit and forgets the oldest query beyond its capacity', () => {
    const shortlist = new Shortlist(2);
    const many = Array.from({ length: 100 }, (_, i) => rec(`s${i}`));
    shortlist.remember('q1', many);
    expect(shortlist.choiceFor('q1', 's0').alternativesConsidered).toHaveLength(50);
    expect(shortlist.choiceFor('q1', 's60')).toEqual({}); // beyond what a record can list
    shortlist.remember('q2', []);
    shortlist.remember('q3', []);
    expect(shortlist.get('q1')).toBeUndefined();
    expect(shortlist.get('q3')).toEqual([]);
  });
});
