import { join } from 'node:path';
import {
  bruteForceSearch,
  decodeVector,
  LexicalEmbedder,
  normalize,
  sparseVector,
  type Embedder,
  type SparseVector,
  type Vector,
} from '@skills/embeddings';
import {
  RecommendationSchema,
  type InvocationRecord,
  type InvocationStatus,
  type SkillsStore,
} from '@skills/protocol';
import { openSqliteStore } from '@skills/store-sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/temp.js';
import { Recommender, type RankingOptions } from './recommender.js';
import { RANKING, relevance, smoothedSuccess } from './scoring.js';

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

/** One finished (or pending) invocation of `skill` for `query`. */
function run(
  skill: string,
  query: string,
  status: InvocationStatus = 'completed',
  extra: Partial<InvocationRecord> = {},
): InvocationRecord {
  const n = ++serial;
  const at = new Date(Date.UTC(2024, 4, 1) + n * 60_000).toISOString();
  return {
    id: `rec-${n}`,
    skillName: skill,
    sessionId: 'session-1',
    invokedAt: at,
    status,
    completed: status === 'completed',
    completedAt: status === 'pending' ? null : at,
    durationSeconds: status === 'completed' ? 2 : null,
    userQuery: query,
    workflowPhase: null,
    alternativesConsidered: [],
    selectionRank: null,
    followUpActions: [],
    errorType: null,
    ...extra,
  };
}

async function write(store: SkillsStore, records: InvocationRecord[]): Promise<void> {
  await store.applyBatch({ inserts: records });
}

/** Counts embedder calls, to see what is embedded when. */
class CountingEmbedder implements Embedder {
  readonly inner = new LexicalEmbedder();
  readonly id = this.inner.id;
  readonly dimensions = this.inner.dimensions;
  readonly kind = this.inner.kind;
  readonly minSimilarity = this.inner.minSimilarity;
  embedded = 0;
  async embed(texts: readonly string[]): Promise<Vector[]> {
    this.embedded += texts.length;
    return this.inner.embed(texts);
  }
}

const HISTORY: [string, string][] = [
  ['test-runner', 'run the unit tests'],
  ['test-runner', 'the pytest suite fails, run it again'],
  ['test-runner', 'run tests for the parser module'],
  ['type-checker', 'fix the mypy type errors'],
  ['type-checker', 'type check the package with mypy'],
  ['type-checker', 'the typecheck fails on async functions'],
  ['deployer', 'deploy the service to production'],
  ['deployer', 'roll back the last deployment'],
  ['docs-writer', 'write the README for the cli'],
  ['docs-writer', 'document the public API'],
];

describe('Recommender ranking', () => {
  it('ranks the skill whose past queries match first, and fills every field', async () => {
    const store = await newStore();
    await write(store, HISTORY.map(([skill, q]) => run(skill, q, 'completed', { workflowPhase: 'implementation' })));
    const recommender = await Recommender.open(store, new LexicalEmbedder(), OPTIONS);
    expect(recommender.embedderId).toBe(new LexicalEmbedder().id);

    const top = await recommender.recommend({ userQuery: 'mypy reports type errors' });
    expect(top[0]!.skillName).toBe('type-checker');
    for (const r of top) expect(RecommendationSchema.parse(r)).toEqual(r);
    expect(top[0]).toMatchObject({
      successRate: smoothedSuccess(3, 3),
      completed: true,
      durationSeconds: 2,
      workflowPhase: 'implementation',
      invocationCount: 3,
    });
    expect(top[0]!.reason).toMatch(/^\d similar past quer(y|ies) \(best 0\.\d\d\), 3\/3 runs succeeded, best in implementation$/);
    expect((await recommender.recommend({ userQuery: 'run the pytest tests' }))[0]!.skillName).toBe('test-runner');
    expect((await recommender.recommend({ userQuery: 'deploy to production' }))[0]!.skillName).toBe('deployer');
  });

  it('bounds the list by limit, else by maxRecommendations, and scores best first', async () => {
    const store = await newStore();
    await write(store, HISTORY.map(([skill, q]) => run(skill, q)));
    const recommender = await Recommender.open(store, new LexicalEmbedder(), { ...OPTIONS, maxRecommendations: 2 });
    const query = 'run the tests, fix type errors, deploy and document the API';
    const two = await recommender.recommend({ userQuery: query });
    expect(two).toHaveLength(2);
    const four = await recommender.recommend({ userQuery: query, limit: 4 });
    expect(four).toHaveLength(4);
    expect(four.slice(0, 2)).toEqual(two);
    for (let i = 1; i < four.length; i++) expect(four[i - 1]!.score).toBeGreaterThanOrEqual(four[i]!.score);
  });

  it('smooths success: 95 of 100 beats 1 of 1 for the same queries', async () => {
    const store = await newStore();
    const records = [run('lucky-once', 'format the python code')];
    for (let i = 0; i < 100; i++) records.push(run('reliable', 'format the python code', i < 95 ? 'completed' : 'failed'));
    await write(store, records);
    const recommender = await Recommender.open(store, new LexicalEmbedder(), OPTIONS);
    const [first, second] = await recommender.recommend({ userQuery: 'format python code' });
    expect(first!.skillName).toBe('reliable');
    expect(first!.successRate).toBeCloseTo(96 / 102, 10);
    expect(second!.skillName).toBe('lucky-once');
    expect(second!.successRate).toBeCloseTo(2 / 3, 10);
    expect(first!.reason).toContain('95/100 runs succeeded');
  });

  it('leaves out skills less similar than minSimilarity', async () => {
    const store = await newStore();
    await write(store, HISTORY.map(([skill, q]) => run(skill, q)));
    const strict = await Recommender.open(store, new LexicalEmbedder(), { ...OPTIONS, minSimilarity: 0.3 });
    expect(await strict.recommend({ userQuery: 'bake a chocolate cake' })).toEqual([]);
    const query = 'run the unit tests again, then deploy';
    const related = await strict.recommend({ userQuery: query, limit: 10 });
    expect(related.map((r) => r.skillName)).toEqual(['test-runner']);
    for (const r of related) expect(r.similarityScore).toBeGreaterThanOrEqual(0.3);
    const lenient = await Recommender.open(store, new LexicalEmbedder(), { ...OPTIONS, minSimilarity: 0 });
    const all = await lenient.recommend({ userQuery: query, limit: 10 });
    expect(all.map((r) => r.skillName)).toContain('deployer');
    expect(all.find((r) => r.skillName === 'deployer')!.similarityScore).toBeLessThan(0.3);
  });
});

describe('Recommender, phases', () => {
  /** Two skills used for the same queries: one works in verification, the other in implementation. */
  async function phased(options: RankingOptions) {
    const store = await newStore();
    const records: InvocationRecord[] = [];
    for (let i = 0; i < 10; i++) {
      const q = `check the build output ${i % 3}`;
      records.push(
        run('verifier', q, i < 9 ? 'completed' : 'failed', { workflowPhase: 'verification' }),
        run('verifier', q, i < 3 ? 'completed' : 'failed', { workflowPhase: 'implementation' }),
        run('builder', q, i < 3 ? 'completed' : 'failed', { workflowPhase: 'verification' }),
        run('builder', q, i < 9 ? 'completed' : 'failed', { workflowPhase: 'implementation' }),
      );
    }
    await write(store, records);
    return Recommender.open(store, new LexicalEmbedder(), options);
  }

  it('ranks the skill that works in the asked phase first', async () => {
    const recommender = await phased(OPTIONS);
    const verify = await recommender.recommend({ userQuery: 'check the build output', workflowPhase: 'verification' });
    expect(verify.map((r) => r.skillName)).toEqual(['verifier', 'builder']);
    expect(verify[0]!.workflowPhase).toBe('verification');
    expect(verify[0]!.reason).toMatch(/, 12\/20 runs succeeded, 9\/10 in verification$/);
    const implement = await recommender.recommend({ userQuery: 'check the build output', workflowPhase: 'implementation' });
    expect(implement.map((r) => r.skillName)).toEqual(['builder', 'verifier']);
    expect(implement[0]!.workflowPhase).toBe('implementation');
    // Overall both succeed 12 of 20: without a phase they tie on everything but the name.
    const none = await recommender.recommend({ userQuery: 'check the build output' });
    expect(none[0]!.score).toBeCloseTo(none[1]!.score, 12);
    expect(none.find((r) => r.skillName === 'verifier')!.reason).toMatch(/, 12\/20 runs succeeded, best in verification$/);
  });

  it('weighs the phase by phaseWeight, and not at all when phase awareness is off', async () => {
    const light = await (await phased({ ...OPTIONS, phaseWeight: 0.1 })).recommend({ userQuery: 'check the build output', workflowPhase: 'verification' });
    const heavy = await (await phased({ ...OPTIONS, phaseWeight: 0.9 })).recommend({ userQuery: 'check the build output', workflowPhase: 'verification' });
    const gap = (r: typeof light) => r[0]!.score - r[1]!.score;
    expect(gap(heavy)).toBeGreaterThan(gap(light));
    const off = await (await phased({ ...OPTIONS, enablePhaseAware: false })).recommend({ userQuery: 'check the build output', workflowPhase: 'verification' });
    expect(off[0]!.score).toBeCloseTo(off[1]!.score, 12);
  });

  it('ranks the skill that works first when two are equally similar (synthetic set)', async () => {
    const store = await newStore();
    const topics = ['migrate the database schema', 'add a column to the users table', 'write a sql migration', 'rename the orders table'];
    const records: InvocationRecord[] = [];
    for (const [i, q] of topics.entries()) {
      for (let k = 0; k < 5; k++) {
        records.push(run('db-works', q, 'completed'));
        records.push(run('db-flaky', q, k < 2 ? 'completed' : 'failed'));
        records.push(run('db-slow', q, k === 0 && i === 0 ? 'completed' : 'abandoned'));
      }
    }
    await write(store, records);
    const recommender = await Recommender.open(store, new LexicalEmbedder(), OPTIONS);
    for (const query of ['migrate the schema of the database', 'add a sql column', 'rename a table']) {
      const recs = await recommender.recommend({ userQuery: query });
      expect(recs.map((r) => r.skillName)).toEqual(['db-works', 'db-flaky', 'db-slow']);
      // Equally similar: identical past queries.
      expect(new Set(recs.map((r) => r.similarityScore)).size).toBe(1);
      expect(recs[2]!.completed).toBe(false);
    }
  });
});

describe('Recommender, catalogue cold start', () => {
  it('finds a described skill with no history by meaning; its history takes over as it grows', async () => {
    const store = await newStore();
    await write(store, HISTORY.map(([skill, q]) => run(skill, q)));
    await store.upsertCatalog([{ skillName: 'db-migrator', description: 'Creates and applies database schema migrations.' }]);
    const recommender = await Recommender.open(store, new LexicalEmbedder(), { ...OPTIONS, minSimilarity: 0.2 });
    const cold = await recommender.recommend({ userQuery: 'apply the pending database migrations' });
    expect(cold[0]).toMatchObject({ skillName: 'db-migrator', invocationCount: 0, durationSeconds: null, workflowPhase: null });
    expect(cold[0]!.reason).toMatch(/^description matches \(0\.\d\d\), no history yet$/);
    expect(cold[0]!.successRate).toBe(0.5);

    await write(store, [
      run('db-migrator', 'apply the pending database migrations'),
      run('db-migrator', 'roll the database migrations forward'),
    ]);
    recommender.invalidate();
    const warm = await recommender.recommend({ userQuery: 'apply the pending database migrations' });
    expect(warm[0]!.skillName).toBe('db-migrator');
    expect(warm[0]!.similarityScore).toBeCloseTo(1, 6);
    expect(warm[0]!.reason).toMatch(/^2 similar past queries \(best 1\.00\), description matches \(0\.\d\d\), 2\/2 runs succeeded$/);
    expect(warm[0]!.invocationCount).toBe(2);
  });

  it('follows description changes and removals', async () => {
    const store = await newStore();
    await store.upsertCatalog([{ skillName: 'helper', description: 'Translates text between languages.' }]);
    const recommender = await Recommender.open(store, new LexicalEmbedder(), OPTIONS);
    expect((await recommender.recommend({ userQuery: 'translate this text' }))[0]?.skillName).toBe('helper');
    await store.upsertCatalog([{ skillName: 'helper', description: 'Plots charts from tables.' }]);
    recommender.invalidate();
    expect(await recommender.recommend({ userQuery: 'translate this text' })).toEqual([]);
    expect((await recommender.recommend({ userQuery: 'plot a chart' }))[0]?.skillName).toBe('helper');
  });
});

describe('Recommender, caching and catching up', () => {
  it('serves repeated queries from its cache until invalidate()', async () => {
    const store = await newStore();
    await write(store, HISTORY.map(([skill, q]) => run(skill, q)));
    const embedder = new CountingEmbedder();
    const recommender = await Recommender.open(store, embedder, OPTIONS);
    const before = embedder.embedded;
    const first = await recommender.recommend({ userQuery: 'roll back the deployment' });
    const again = await recommender.recommend({ userQuery: '  roll back   the deployment ' });
    expect(again).toEqual(first);
    expect(embedder.embedded).toBe(before + 1);
    // Phase and limit are part of the key.
    await recommender.recommend({ userQuery: 'roll back the deployment', limit: 1 });
    await recommender.recommend({ userQuery: 'roll back the deployment', workflowPhase: 'release' });
    expect(embedder.embedded).toBe(before + 3);

    // A write the recommender was not told about does not show...
    for (let i = 0; i < 5; i++) await write(store, [run('release-manager', 'roll back the deployment')]);
    expect(await recommender.recommend({ userQuery: 'roll back the deployment' })).toEqual(first);
    // ...until invalidate(): then only the new query text is embedded.
    recommender.invalidate();
    const after = await recommender.recommend({ userQuery: 'roll back the deployment' });
    expect(after[0]!.skillName).toBe('release-manager');
    expect(embedder.embedded).toBe(before + 3 + 1 + 1);
  });

  it('refreshes counts of known queries reused by new invocations', async () => {
    const store = await newStore();
    await write(store, [run('old-skill', 'lint the frontend code'), run('other', 'write release notes')]);
    const recommender = await Recommender.open(store, new LexicalEmbedder(), OPTIONS);
    expect((await recommender.recommend({ userQuery: 'lint the frontend code' }))[0]!.skillName).toBe('old-skill');
    // The same text again, served by another skill many times: no new query id.
    const ids = (await store.listQueries()).length;
    await write(store, Array.from({ length: 6 }, () => run('eslint-fixer', 'lint the frontend code')));
    expect((await store.listQueries()).length).toBe(ids);
    recommender.invalidate();
    const recs = await recommender.recommend({ userQuery: 'lint the frontend code' });
    expect(recs.map((r) => r.skillName)).toEqual(['eslint-fixer', 'old-skill']);
    expect(recs[0]!.invocationCount).toBe(6);
  });

  it('caught up write by write, ranks exactly as a recommender opened afresh (inserts, reused queries, completions, prunes, descriptions)', async () => {
    const store = await newStore();
    const embedder = new LexicalEmbedder();
    const skills = ['reviewer', 'tester', 'debugger', 'planner'];
    const words = ['review', 'diff', 'test', 'suite', 'crash', 'trace', 'plan', 'roadmap', 'parser', 'login'];
    let seed = 7;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
    const text = () => `${pick(words)} the ${pick(words)} of ${pick(words)}`;
    await store.applyBatch({ inserts: [run('reviewer', 'review the diff')] });
    const following = await Recommender.open(store, embedder, OPTIONS);
    const probes = ['review the login diff', 'the parser test suite', 'plan the crash trace'];
    for (let step = 0; step < 25; step++) {
      const roll = rand();
      if (roll < 0.6) {
        await store.applyBatch({ inserts: Array.from({ length: 1 + Math.floor(rand() * 4) }, () => run(pick(skills), text(), pick(['completed', 'failed', 'pending'] as const))) });
      } else if (roll < 0.75) {
        await store.applyBatch({ completions: [{ id: `rec-${serial - Math.floor(rand() * 3)}`, completed: rand() < 0.5, completedAt: new Date(Date.UTC(2024, 4, 2)).toISOString(), durationSeconds: 1 }] });
      } else if (roll < 0.9) {
        await store.prune(new Date(Date.UTC(2024, 4, 1) + (serial - 5) * 60_000).toISOString());
      } else {
        await store.upsertCatalog([{ skillName: pick(skills), description: `helps with ${text()}` }]);
      }
      following.invalidate();
      const fresh = await Recommender.open(store, embedder, OPTIONS);
      for (const userQuery of probes) {
        expect(await following.recommend({ userQuery }), `step ${step}: ${userQuery}`).toEqual(await fresh.recommend({ userQuery }));
      }
    }
  });

  it('stores vectors on open and reuses them: a second open embeds nothing', async () => {
    const store = await newStore();
    await write(store, HISTORY.map(([skill, q]) => run(skill, q)));
    const first = new CountingEmbedder();
    await Recommender.open(store, first, OPTIONS);
    expect(first.embedded).toBe(HISTORY.length);
    expect((await store.getEmbeddings(first.id)).size).toBe(HISTORY.length);
    const second = new CountingEmbedder();
    const recommender = await Recommender.open(store, second, OPTIONS);
    expect(second.embedded).toBe(0);
    expect((await recommender.recommend({ userQuery: 'run unit tests' }))[0]!.skillName).toBe('test-runner');
  });

  it('re-embeds stored vectors it cannot read', async () => {
    const store = await newStore();
    await write(store, HISTORY.map(([skill, q]) => run(skill, q)));
    const embedder = new CountingEmbedder();
    const ids = (await store.listQueries()).map((q) => q.id);
    await store.putEmbeddings(embedder.id, new Map([[ids[0]!, new Uint8Array([7, 7, 7])]]));
    await Recommender.open(store, embedder, OPTIONS);
    expect(embedder.embedded).toBe(HISTORY.length);
    expect(decodeVector((await store.getEmbeddings(embedder.id)).get(ids[0]!)!).kind).toBe('sparse');
  });

  it('reindex() drops and recomputes every vector of its embedder', async () => {
    const store = await newStore();
    await write(store, HISTORY.map(([skill, q]) => run(skill, q)));
    await store.putEmbeddings('other-embedder', new Map([[1, new Uint8Array(8)]]));
    const embedder = new CountingEmbedder();
    const recommender = await Recommender.open(store, embedder, OPTIONS);
    const before = await recommender.recommend({ userQuery: 'document the cli' });
    expect(await recommender.reindex()).toEqual({ embedded: HISTORY.length });
    expect(embedder.embedded).toBe(2 * HISTORY.length + 1);
    expect((await store.getEmbeddings('other-embedder')).size).toBe(1);
    expect(await recommender.recommend({ userQuery: 'document the cli' })).toEqual(before);
  });

  it('answers concurrent calls during a catch-up consistently', async () => {
    const store = await newStore();
    await write(store, HISTORY.map(([skill, q]) => run(skill, q)));
    const recommender = await Recommender.open(store, new LexicalEmbedder(), OPTIONS);
    await write(store, [run('release-manager', 'ship the release'), run('release-manager', 'ship the release')]);
    recommender.invalidate();
    const answers = await Promise.all(
      Array.from({ length: 5 }, (_, i) => recommender.recommend({ userQuery: 'ship the release', limit: 1 + (i % 2) })),
    );
    for (const a of answers) expect(a[0]!.skillName).toBe('release-manager');
  });
});

describe('Recommender, exactness', () => {
  it('equals a brute-force ranking over the stored vectors', async () => {
    const store = await newStore();
    const words = 'build test deploy lint format docs review merge branch release cache index query schema table api cli'.split(' ');
    let seed = 1;
    const rand = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    const records: InvocationRecord[] = [];
    for (let i = 0; i < 300; i++) {
      const text = Array.from({ length: 3 + Math.floor(rand() * 4) }, () => words[Math.floor(rand() * words.length)]).join(' ');
      const skill = `skill-${Math.floor(rand() * 12)}`;
      records.push(run(skill, text, rand() < 0.8 ? 'completed' : 'failed'));
    }
    await write(store, records);
    const embedder = new LexicalEmbedder();
    const recommender = await Recommender.open(store, embedder, { ...OPTIONS, maxRecommendations: 100 });

    // The reference: every stored vector scanned, per-skill evidence and centroids recomputed.
    const vectors = new Map([...(await store.getEmbeddings(embedder.id))].map(([id, b]) => [id, decodeVector(b)]));
    const counts = await store.listQuerySkillCounts();
    const stats = new Map((await store.skillStats()).map((s) => [s.skillName, s]));
    const df = new Map<number, number>();
    for (const v of vectors.values()) for (const i of (v as SparseVector).indices) df.set(i, (df.get(i) ?? 0) + 1);
    const idf = (i: number) => 1 + Math.log((vectors.size + 1) / ((df.get(i) ?? 0) + 1));
    const weigh = (v: SparseVector): SparseVector =>
      normalize(sparseVector(Array.from(v.indices, (i, j) => [i, v.values[j]! * idf(i)] as const)));
    const centroidOf = new Map<string, Map<number, number>>();
    for (const c of counts) {
      const m = centroidOf.get(c.skillName) ?? new Map<number, number>();
      centroidOf.set(c.skillName, m);
      const v = vectors.get(c.queryId) as SparseVector;
      v.indices.forEach((f, j) => m.set(f, (m.get(f) ?? 0) + (1 + Math.log(c.invocations)) * v.values[j]!));
    }
    for (const query of ['build the cli', 'lint and format', 'release the api schema', 'merge branch review']) {
      const q = embedder.embedOne(query);
      const neighbours = bruteForceSearch(vectors, q, RANKING.neighbours, 'idf');
      const sums = new Map<string, number>();
      for (const n of neighbours) {
        for (const c of counts.filter((c) => c.queryId === n.id)) {
          sums.set(c.skillName, (sums.get(c.skillName) ?? 0) + (1 + Math.log(c.invocations)) * n.similarity ** RANKING.power);
        }
      }
      const expected = [...sums].map(([skill, sum]) => {
        const centroid = weigh(sparseVector(centroidOf.get(skill)!));
        const cosine = [...weigh(q).indices].reduce((s, f, j) => {
          const k = centroid.indices.indexOf(f);
          return k < 0 ? s : s + weigh(q).values[j]! * centroid.values[k]!;
        }, 0);
        const s = stats.get(skill)!;
        return { skill, score: relevance({ neighbourSum: sum, centroid: cosine }) * smoothedSuccess(s.completed, s.completed + s.failed + s.abandoned) };
      });
      expected.sort((a, b) => b.score - a.score);
      const actual = await recommender.recommend({ userQuery: query });
      expect(actual.map((r) => r.skillName)).toEqual(expected.map((e) => e.skill));
      actual.forEach((r, i) => expect(r.score).toBeCloseTo(expected[i]!.score, 5));
    }
  });
});

/** Dense bag-of-words vectors (64 buckets): enough to exercise the dense index and centroids. */
class DenseWordsEmbedder implements Embedder {
  readonly id = 'test/dense-words/v1';
  readonly dimensions = 64;
  readonly kind = 'dense' as const;
  readonly minSimilarity = 0.3;
  async embed(texts: readonly string[]): Promise<Vector[]> {
    return texts.map((t) => {
      const values = new Float32Array(this.dimensions);
      for (const w of t.toLowerCase().match(/[a-z]+/g) ?? []) {
        let h = 7;
        for (const c of w) h = (h * 31 + c.charCodeAt(0)) % 9973;
        values[h % this.dimensions]! += 1;
      }
      return normalize({ kind: 'dense', values });
    });
  }
}

describe('Recommender with a dense embedder', () => {
  it('ranks, stores dense vectors and catches up the same way', async () => {
    const store = await newStore();
    await write(store, HISTORY.map(([skill, q]) => run(skill, q)));
    const embedder = new DenseWordsEmbedder();
    const recommender = await Recommender.open(store, embedder, OPTIONS);
    expect((await recommender.recommend({ userQuery: 'fix mypy type errors' }))[0]!.skillName).toBe('type-checker');
    const stored = await store.getEmbeddings(embedder.id);
    expect(decodeVector(stored.values().next().value!).kind).toBe('dense');
    await write(store, [run('benchmarker', 'measure the benchmark speed'), run('benchmarker', 'benchmark speed again')]);
    recommender.invalidate();
    expect((await recommender.recommend({ userQuery: 'benchmark speed' }))[0]!.skillName).toBe('benchmarker');
  });
});

describe('Recommender on an empty store', () => {
  it('recommends nothing, then catches up with the first writes', async () => {
    const store = await newStore();
    const recommender = await Recommender.open(store, new LexicalEmbedder(), OPTIONS);
    expect(await recommender.recommend({ userQuery: 'anything at all' })).toEqual([]);
    await write(store, [run('first-skill', 'anything at all')]);
    recommender.invalidate();
    expect((await recommender.recommend({ userQuery: 'anything at all' }))[0]!.skillName).toBe('first-skill');
  });
});
