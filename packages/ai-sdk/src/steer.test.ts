import type { Recommendation } from '@skills/protocol';
import { describe, expect, it } from 'vitest';
import { steerStep } from './steer.js';

function rec(skillName: string, successRate: number, extra: Partial<Recommendation> = {}): Recommendation {
  return {
    skillName,
    score: successRate,
    similarityScore: 0.9,
    successRate,
    completed: successRate >= 0.5,
    durationSeconds: 1.25,
    workflowPhase: null,
    invocationCount: 4,
    reason: 'similar past queries',
    ...extra,
  };
}

const tools = { search: {}, lint: {}, deploy: {}, format: {} };

describe('steerStep', () => {
  it('hints at the tools that worked, best first, after the caller system prompt', () => {
    const result = steerStep(
      {
        recommendations: [
          rec('search', 0.9),
          rec('lint', 0.7, { invocationCount: 1, durationSeconds: null }),
          rec('format', 0.6, { durationSeconds: 0.0002 }),
        ],
        tools,
      },
      { system: 'You are a build agent.' },
    );
    expect(result).toEqual({
      preferred: ['search', 'lint', 'format'],
      system:
        'You are a build agent.\n\nFor similar requests these tools worked, best first: ' +
        'search (4 runs, success rate 90%, about 1.3 s); lint (1 run, success rate 70%); format (4 runs, success rate 60%, about 1 ms).',
    });
  });

  it('leaves out tools that mostly failed and tools the call does not have', () => {
    const result = steerStep({ recommendations: [rec('deploy', 0.3), rec('unknown-tool', 0.95), rec('lint', 0.8)], tools });
    expect(result.preferred).toEqual(['lint']);
    expect(result.system).toMatch(/^For similar requests these tools worked, best first: lint \(/);
  });

  it('sets nothing when no recommendation qualifies, so the step runs as configured', () => {
    expect(steerStep({ recommendations: [rec('deploy', 0.5)], tools }, { restrictTools: true, forceMinSimilarity: 0 })).toEqual({ preferred: [] });
    expect(steerStep({ recommendations: [], tools })).toEqual({ preferred: [] });
  });

  it('narrows activeTools to the tools that worked plus the ones always kept, on request', () => {
    const result = steerStep(
      { recommendations: [rec('search', 0.9), rec('lint', 0.8), rec('format', 0.7)], tools },
      { restrictTools: true, alwaysActive: ['deploy', 'not-a-tool', 'search'], limit: 2, hint: false },
    );
    expect(result).toEqual({ preferred: ['search', 'lint'], activeTools: ['search', 'lint', 'deploy'] });
  });

  it('forces the best tool on the first step only, and only when its past queries are similar enough', () => {
    const recommendations = [rec('search', 0.9, { similarityScore: 0.8 }), rec('lint', 0.95, { similarityScore: 0.99 })];
    const force = { hint: false, forceMinSimilarity: 0.75 };
    expect(steerStep({ recommendations, tools, stepNumber: 0 }, force).toolChoice).toEqual({ type: 'tool', toolName: 'search' });
    expect(steerStep({ recommendations, tools, stepNumber: 1 }, force).toolChoice).toBeUndefined();
    expect(steerStep({ recommendations, tools }, { ...force, forceMinSimilarity: 0.85 }).toolChoice).toBeUndefined();
  });

  it('is pure: the same input gives the same output and is not changed', () => {
    const recommendations = Object.freeze([Object.freeze(rec('search', 0.9))]);
    const input = Object.freeze({ recommendations, tools: Object.freeze({ ...tools }) });
    expect(steerStep(input, { restrictTools: true })).toEqual(steerStep(input, { restrictTools: true }));
  });
});
