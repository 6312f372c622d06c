import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { LexicalEmbedder } from '@skills/embeddings';
import { RecommendationSchema, type InvocationRecord, type InvocationStatus, type SkillsStore } from '@skills/protocol';
import { openSqliteStore } from '@skills/store-sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test-support/temp.js';
import { Recommender, type RankerChoice, type RankingOptions } from '../recommender.js';
import { RANKING } from '../scoring.js';
import { LEARNED } from './learned-ranker.js';

const OPTIONS: RankingOptions = { minSimilarity: 0, maxRecommendations: 5, enablePhaseAware: true, phaseWeight: 0.3 };
const open: SkillsStore[] = [];
let serial = 0;

async function newStore(): Promise<SkillsStore> {
  const store = await openSqliteStore({ path: join(tempDir(), 'skills.db') });
  open.push(store);
  return store;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

function run(skill: string, query: string, status: InvocationStatus = 'completed', workflowPhase: string | null = null): InvocationRecord {
  const n = ++serial;
  const at = new Date(Date.UTC(2024, 4, 1) + n * 60_000).toISOString();
  return {
    id: `learned-${n}`,
    skillName: skill,
    sessionId: 'session-1',
    invokedAt: at,
    status,
    completed: status === 'completed',
    completedAt: status === 'pending' ? null : at,
    durationSeconds: status === 'completed' ? 2 : null,
    userQuery: query,
    workflowPhase,
    alternativesConsidered: [],
    selectionRank: null,
    followUpActions: [],
    errorType: null,
  };
}

/** Enough distinct queries of an unrelated skill that the learned model has two classes with evidence. */
function bystander(): InvocationRecord[] {
  return ['write the changelog', 'document the cli flags', 'update the api reference', 'explain the config file', 'draft release notes'].map((q) =>
    run('docs-writer', q),
  );
}

const DB_QUERIES = ['migrate the database schema', 'add a column to the users table', 'write a sql migration', 'rename the orders table', 'drop an unused index'];

/** Opens a recommender and waits for its learned model's first fit (it runs in the background). */
async function openWith(store: SkillsStore, ranker: RankerChoice, options: Partial<RankingOptions> = {}): Promise<Recommender> {
  const recommender = await Recommender.open(store, new LexicalEmbedder(), { ...OPTIONS, ...options, ranker });
  await recommender.learnedTrained();
  return recommender;
}

// The three behaviours that matter beyond MetaTool, for both rankers. The histories are large
// enough that the learned ranker is past its cold start (checked: the winner has a learned score).
describe.each(['similarity', 'learned'] as const)('%s ranker: the behaviours that matter', (ranker) => {
  const learned = (r: { learnedScore?: number }) => (ranker === 'learned' ? expect(r.learnedScore).toBeTypeOf('number') : expect(r.learnedScore).toBeUndefined());

  it('ranks a skill that fails below one that succeeds for the same kind of query', async () => {
    const store = await newStore();
    const records = bystander();
    for (const q of DB_QUERIES) {
      for (let k = 0; k < 4; k++) records.push(run('db-works', q), run('db-flaky', q, k === 0 ? 'completed' : 'failed'));
    }
    await store.applyBatch({ inserts: records });
    const recommender = await openWith(store, ranker);
    for (const userQuery of ['migrate the schema of the database', 'add a sql column', 'rename a table']) {
      const recs = await recommender.recommend({ userQuery });
      const names = recs.map((r) => r.skillName);
      expect(names[0]).toBe('db-works');
      expect(names).toContain('db-flaky');
      learned(recs[0]!);
      for (const r of recs) expect(RecommendationSchema.parse(r)).toEqual(r);
    }
  });

  it('in a given phase, ranks the skill that works in that phase first', async () => {
    const store = await newStore();
    const records = bystander();
    for (let i = 0; i < 12; i++) {
      const q = `check the build output ${i % 6}`;
      records.push(
        run('verifier', q, i < 10 ? 'completed' : 'failed', 'verification'),
        run('verifier', q, i < 3 ? 'completed' : 'failed', 'implementation'),
        run('builder', q, i < 3 ? 'completed' : 'failed', 'verification'),
        run('builder', q, i < 10 ? 'completed' : 'failed', 'implementation'),
      );
    }
    await store.applyBatch({ inserts: records });
    const recommender = await openWith(store, ranker);
    const verify = await recommender.recommend({ userQuery: 'check the build output', workflowPhase: 'verification' });
    expect(verify.slice(0, 2).map((r) => r.skillName)).toEqual(['verifier', 'builder']);
    learned(verify[0]!);
    const implement = await recommender.recommend({ userQuery: 'check the build output', workflowPhase: 'implementation' });
    expect(implement.slice(0, 2).map((r) => r.skillName)).toEqual(['builder', 'verifier']);
  });

  it('does not let 1 success of 1 beat 95 of 100', async () => {
    const store = await newStore();
    const records = [...bystander(), run('lucky-once', 'format the python code')];
    for (let i = 0; i < 100; i++) records.push(run('reliable', `format the python code ${i % 5}`, i < 95 ? 'completed' : 'failed'));
    await store.applyBatch({ inserts: records });
    const recommender = await openWith(store, ranker);
    const [first, second] = await recommender.recommend({ userQuery: 'format python code' });
    expect([first!.skillName, second!.skillName]).toEqual(['reliable', 'lucky-once']);
    learned(first!);
    expect(first!.reason).toContain('95/100 runs succeeded');
  });
});

describe('learned ranker: cold start and learning', () => {
  it('ranks exactly as the similarity ranker until enough skills have enough rows, then switches over', async () => {
    const store = await newStore();
    // Each skill below minSkillRows distinct queries: no learned score anywhere.
    const few = DB_QUERIES.slice(0, LEARNED.minSkillRows - 1);
    await store.applyBatch({ inserts: [...few.map((q) => run('db-works', q)), ...bystander().slice(0, LEARNED.minSkillRows - 1)] });
    const similarity = await openWith(store, 'similarity');
    const learned = await openWith(store, 'learned');
    const probes = ['add a sql column', 'write the release changelog'];
    for (const userQuery of probes) expect(await learned.recommend({ userQuery })).toEqual(await similarity.recommend({ userQuery }));

    // One more distinct query each: two skills qualify, the learned score comes in (caught up, not reopened).
    await store.applyBatch({ inserts: [run('db-works', DB_QUERIES[LEARNED.minSkillRows - 1]!), bystander()[LEARNED.minSkillRows - 1]!] });
    learned.invalidate();
    const recs = await learned.recommend({ userQuery: 'add a sql column' });
    expect(recs[0]!.skillName).toBe('db-works');
    expect(recs[0]!.learnedScore).toBeGreaterThan(0.5);
    expect(recs[0]!.reason).toMatch(/, learned 0\.\d\d$/);
  });

  it('learns online from new invocations: a skill used for a new kind of query gains on it', async () => {
    const store = await newStore();
    const records = bystander();
    for (const q of DB_QUERIES) records.push(run('db-works', q), run('db-other', `${q} quickly`));
    await store.applyBatch({ inserts: records });
    const recommender = await openWith(store, 'learned');
    const probe = 'rotate the kafka credentials';
    const before = (await recommender.recommend({ userQuery: probe, limit: 10 })).find((r) => r.skillName === 'db-other')?.learnedScore ?? 0;
    await store.applyBatch({ inserts: [run('db-other', 'rotate the kafka credentials now')] });
    recommender.invalidate();
    const after = (await recommender.recommend({ userQuery: probe, limit: 10 })).find((r) => r.skillName === 'db-other')!;
    expect(after.learnedScore).toBeGreaterThan(before);
    expect(recommender.learnedModel!.rows).toBe(records.length + 1);
  });

  it('fits in the background: the similarity ranking answers until the first fit is done, then the learned one', async () => {
    const store = await newStore();
    const records = bystander();
    // Enough rows that the fit takes many slices (each a few milliseconds), so open returns first.
    for (let i = 0; i < 300; i++) records.push(run('db-works', `${DB_QUERIES[i % 5]} number ${i}`), run('db-other', `tune the cache layer ${i}`));
    await store.applyBatch({ inserts: records });
    const learned = await Recommender.open(store, new LexicalEmbedder(), { ...OPTIONS, ranker: 'learned' });
    const similarity = await openWith(store, 'similarity');
    const query = { userQuery: 'add a sql column' };
    expect(await learned.recommend(query)).toEqual(await similarity.recommend(query));
    await learned.learnedTrained();
    // The cached answer was dropped when the model took over.
    const recs = await learned.recommend(query);
    expect(recs[0]!.skillName).toBe('db-works');
    expect(recs[0]!.learnedScore).toBeTypeOf('number');
    expect(learned.learnedModel!.lastFitMs).toBeGreaterThan(0);
  });

  it('does not keep a one-shot process alive during a fit; awaiting learnedTrained() does (real processes)', async () => {
    const path = join(tempDir(), 'skills.db');
    const store = await openSqliteStore({ path });
    const records = bystander();
    for (let i = 0; i < 1500; i++) records.push(run('db-works', `${DB_QUERIES[i % 5]} number ${i}`), run('db-other', `tune the cache layer ${i}`));
    await store.applyBatch({ inserts: records });
    await store.close();
    // Runs the built package, as an application would; prints whether the fit had finished at exit.
    const child = (wait: boolean) =>
      spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `import { Recommender } from '@skills/tracker';
           import { openSqliteStore } from '@skills/store-sqlite';
           import { LexicalEmbedder } from '@skills/embeddings';
           const store = await openSqliteStore({ path: ${JSON.stringify(path)} });
           const r = await Recommender.open(store, new LexicalEmbedder(), { minSimilarity: 0, maxRecommendations: 5, enablePhaseAware: false, phaseWeight: 0, ranker: 'learned' });
           const recs = await r.recommend({ userQuery: 'add a sql column' });
           if (${wait}) await r.learnedTrained();
           await store.close();
           process.on('exit', () => console.log(JSON.stringify({ top: recs[0].skillName, fitted: r.learnedModel.lastFitMs > 0 })));`,
        ],
        { cwd: join(import.meta.dirname, '..', '..', '..'), encoding: 'utf8', timeout: 120_000 },
      );
    const oneShot = child(false);
    expect(oneShot.status, oneShot.stderr).toBe(0);
    expect(JSON.parse(oneShot.stdout)).toEqual({ top: 'db-works', fitted: false });
    const waiting = child(true);
    expect(waiting.status, waiting.stderr).toBe(0);
    expect(JSON.parse(waiting.stdout)).toEqual({ top: 'db-works', fitted: true });
  }, 240_000);

  it('names its model after the embedder, so a feature change means a refit', async () => {
    const store = await newStore();
    await store.applyBatch({ inserts: bystander() });
    const embedder = new LexicalEmbedder({ pairWeight: 0 });
    const recommender = await Recommender.open(store, embedder, { ...OPTIONS, ranker: 'learned' });
    await recommender.learnedTrained();
    expect(recommender.learnedModel!.version).toBe(`${embedder.id}/linear-v${LEARNED.version}`);
    expect((await openWith(store, 'similarity')).learnedModel).toBeNull();
  });
});

describe('learned ranker: the similarity threshold', () => {
  it('keeps a skill below minSimilarity when the model is confident of it, and only then; the similarity ranker leaves it out', async () => {
    const store = await newStore();
    const records = bystander();
    for (const q of DB_QUERIES) records.push(run('db-works', q), run('db-works', `${q} again`));
    await store.applyBatch({ inserts: records });
    // No past query is this similar to the probes: only the model's confidence can keep a skill.
    const strict = { minSimilarity: 0.99 };
    const similarity = await openWith(store, 'similarity', strict);
    const learned = await openWith(store, 'learned', strict);
    const probe = { userQuery: 'add a sql column to a table' };
    expect(await similarity.recommend(probe)).toEqual([]);
    const recs = await learned.recommend(probe);
    expect(recs.map((r) => r.skillName)).toEqual(['db-works']);
    expect(recs[0]!.similarityScore).toBeLessThan(0.99); // its meaning kept: the closest past query's cosine
    expect(recs[0]!.learnedScore).toBeGreaterThanOrEqual(RANKING.learnedKeep);
    // Unconfident: the bystander skill was among the candidates and was left out.
    const all = await (await openWith(store, 'learned')).recommend(probe);
    const docs = all.find((r) => r.skillName === 'docs-writer')!;
    expect(docs.learnedScore).toBeLessThan(RANKING.learnedKeep);
  });
});

describe('learned ranker: options', () => {
  it('rejects a learnedShare outside 0..1, naming it', async () => {
    const store = await newStore();
    await expect(openWith(store, 'learned', { learnedShare: 1.5 })).rejects.toThrow('learnedShare must be between 0 and 1, not 1.5');
  });
});
