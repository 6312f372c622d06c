import { join } from 'node:path';
import { LexicalEmbedder } from '@skills/embeddings';
import type { InvocationRecord, InvocationStatus, SkillsStore } from '@skills/protocol';
import { openSqliteStore } from '@skills/store-sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test-support/temp.js';
import { evaluateStore, NothingToEvaluateError, shownList, type ReplayOptions } from './replay.js';

const OPTIONS: ReplayOptions = { ranking: { minSimilarity: 0, enablePhaseAware: true, phaseWeight: 0.3 } };
const open: SkillsStore[] = [];
let serial = 0;

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function stores(): Promise<{ source: SkillsStore; scratch: SkillsStore }> {
  const dir = tempDir();
  const [source, scratch] = await Promise.all([openSqliteStore({ path: join(dir, 'team.db') }), openSqliteStore({ path: join(dir, 'scratch.db') })]);
  open.push(source, scratch);
  return { source, scratch };
}

function run(skill: string, query: string | null, status: InvocationStatus = 'completed', selectionRank: number | null = null): InvocationRecord {
  const n = ++serial;
  const start = Date.UTC(2024, 4, 1) + n * 60_000;
  return {
    id: `replay-${n}`,
    skillName: skill,
    sessionId: 'session-1',
    invokedAt: new Date(start).toISOString(),
    status,
    completed: status === 'completed',
    // Each run ends 30 s after it starts, before the next one starts.
    completedAt: status === 'pending' ? null : new Date(start + 30_000).toISOString(),
    durationSeconds: status === 'completed' ? 30 : null,
    userQuery: query,
    workflowPhase: null,
    alternativesConsidered: selectionRank === null ? [] : ['other-skill'],
    selectionRank,
    followUpActions: [],
    errorType: status === 'failed' ? 'Error' : null,
  };
}

describe('evaluateStore: the rankers on a store’s own history, in time order', () => {
  it('ranks each completed query from the history before it alone (no peeking)', async () => {
    const { source, scratch } = await stores();
    // The first query of each skill has nothing before it: a miss for both rankers. The repeats
    // are hits. Were the replay to peek at the invocation itself, the firsts would be hits too.
    await source.applyBatch({
      inserts: [
        run('db-works', 'migrate the database schema'),
        run('docs-writer', 'write the changelog'),
        run('db-works', 'migrate the database schema'),
        run('docs-writer', 'write the changelog'),
        run('db-works', 'add a column to the users table', 'failed'),
        run('db-works', null),
      ],
    });
    const progress: number[] = [];
    const report = await evaluateStore(source, scratch, new LexicalEmbedder(), { ...OPTIONS, progress: (done) => progress.push(done) });
    expect(report).toMatchObject({ invocations: 6, evaluated: 4, limit: 5 });
    for (const ranker of ['similarity', 'learned'] as const) {
      expect(report.rankers[ranker].metrics).toEqual({ queries: 4, hitAt1: 0.5, hitAt5: 0.5, mrrAt5: 0.5 });
      expect(report.rankers[ranker].intervals.hitAt1.low).toBeLessThanOrEqual(0.5);
    }
    expect(progress).toEqual([1, 2, 3, 4]);
    expect(report.verdict.winner).toBe('similarity'); // no Hit@1 gain beyond the noise on 4 queries
  });

  it('replays outcomes as they happened: a skill that failed before is ranked below one that worked', async () => {
    const { source, scratch } = await stores();
    const records: InvocationRecord[] = [];
    for (let i = 0; i < 6; i++) records.push(run('db-flaky', `sql migration number ${i}`, 'failed'), run('db-works', `sql migration number ${i}`));
    records.push(run('db-works', 'sql migration number 9'));
    await source.applyBatch({ inserts: records });
    const report = await evaluateStore(source, scratch, new LexicalEmbedder(), OPTIONS);
    // Each works-run after the first finds db-flaky's failure and db-works' success before it: a
    // hit. The first finds only db-flaky (a miss).
    expect(report.evaluated).toBe(7);
    expect(report.rankers.similarity.metrics.hitAt1).toBeCloseTo(6 / 7, 12);
    expect(report.rankers.learned.metrics.hitAt1).toBeCloseTo(6 / 7, 12);
  });

  it('summarises the stored choices: how often the chosen skill was shown first, and how it then did', async () => {
    const { source, scratch } = await stores();
    await source.applyBatch({
      inserts: [
        run('a', 'q one', 'completed', 1),
        run('a', 'q two', 'failed', 1),
        run('b', 'q three', 'completed', 2),
        run('b', 'q four', 'pending', 3),
        run('a', 'q five'),
      ],
    });
    const { shown } = await evaluateStore(source, scratch, new LexicalEmbedder(), OPTIONS);
    expect(shown).toMatchObject({
      choices: 4,
      scored: 0,
      rankedFirst: 2,
      rankedFirstShare: 0.5,
      successWhenFirst: { completed: 1, finished: 2, rate: 0.5 },
      successOtherwise: { completed: 1, finished: 1, rate: 1 },
    });
  });

  it('reads the rankings shown back as a ranker, on the same invocations as the replayed ones, whichever way the choice was stored', async () => {
    const { source, scratch } = await stores();
    const shownAs = (r: InvocationRecord, alternativesConsidered: string[], alternativeScores?: number[]): InvocationRecord => ({
      ...r,
      alternativesConsidered,
      ...(alternativeScores ? { alternativeScores } : {}),
    });
    await source.applyBatch({
      inserts: [
        run('lint', 'lint the package'),
        run('test', 'run the unit tests'),
        // Claude Code's hook keeps everything shown, the chosen skill among it, with the scores.
        shownAs(run('lint', 'lint the package again', 'completed', 2), ['test', 'lint'], [0.9, 0.4]),
        // `choiceInvocation` keeps the others: the chosen skill goes back at its rank.
        shownAs(run('test', 'run the unit tests again', 'completed', 1), ['lint'], [0.3]),
        // A choice that failed is no answer: not ranked.
        shownAs(run('lint', 'lint once more', 'failed', 1), ['test']),
      ],
    });
    const report = await evaluateStore(source, scratch, new LexicalEmbedder(), OPTIONS);
    expect(report.shown).toMatchObject({ choices: 3, scored: 2, rankedFirst: 2 });
    const ranking = report.shown.ranking!;
    // Shown: lint second, then test first.
    expect(ranking.shown.metrics).toEqual({ queries: 2, hitAt1: 0.5, hitAt5: 1, mrrAt5: 0.75 });
    expect(ranking.shown.intervals.hitAt1.low).toBeLessThanOrEqual(0.5);
    // Replayed on the same two: each query's skill served a near-identical query before it.
    for (const ranker of ['similarity', 'learned'] as const) expect(ranking.replayed[ranker]).toEqual({ queries: 2, hitAt1: 1, hitAt5: 1, mrrAt5: 1 });
  });

  it('shownList puts the chosen skill back at its rank when it was taken out of the alternatives', () => {
    const at = (skillName: string, alternativesConsidered: string[], selectionRank: number | null) => shownList({ skillName, alternativesConsidered, selectionRank });
    expect(at('b', ['a', 'c'], 2)).toEqual(['a', 'b', 'c']);
    expect(at('b', ['a', 'b', 'c'], 2)).toEqual(['a', 'b', 'c']);
    expect(at('z', ['a'], 9)).toEqual(['a', 'z']);
    expect(at('z', ['a'], null)).toEqual(['a']);
  });

  it('refuses an empty store, or one with nothing to rank, saying why', async () => {
    const { source, scratch } = await stores();
    const empty = await evaluateStore(source, scratch, new LexicalEmbedder(), OPTIONS).catch((e: unknown) => e);
    expect(empty).toBeInstanceOf(NothingToEvaluateError);
    expect((empty as Error).message).toBe(`${source.location} holds no invocation: nothing to evaluate (track some work first)`);
    await source.applyBatch({ inserts: [run('a', null), run('a', 'q', 'failed')] });
    await expect(evaluateStore(source, scratch, new LexicalEmbedder(), OPTIONS)).rejects.toThrow(
      `none of the 2 invocations in ${source.location} has a query and completed: nothing to evaluate`,
    );
  });
});
