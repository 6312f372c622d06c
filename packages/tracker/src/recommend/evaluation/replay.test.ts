import { join } from 'node:path';
import { LexicalEmbedder } from '@skills/embeddings';
import type { InvocationRecord, InvocationStatus, SkillsStore } from '@skills/protocol';
import { openSqliteStore } from '@skills/store-sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test-support/temp.js';
import { evaluateStore, NothingToEvaluateError, type ReplayOptions } from './replay.js';

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
    expect(shown).toEqual({
      choices: 4,
      rankedFirst: 2,
      rankedFirstShare: 0.5,
      successWhenFirst: { completed: 1, finished: 2, rate: 0.5 },
      successOtherwise: { completed: 1, finished: 1, rate: 1 },
    });
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
