import { join } from 'node:path';
import { LexicalEmbedder, type Embedder } from '@skills/embeddings';
import type { InvocationRecord, Logger } from '@skills/protocol';
import { finishedRecord } from '@skills/store-contract';
import { openSqliteStore, type SqliteStore } from '@skills/store-sqlite';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { memoryLogger, tempDir } from '../test-support/temp.js';
import { Recommender, type RankingOptions } from './recommender.js';
import { centroidsKey, SavedCentroids } from './saved-centroids.js';

const OPTIONS: RankingOptions = { minSimilarity: 0, maxRecommendations: 5, enablePhaseAware: false, phaseWeight: 0 };
const PROBES = ['add a sql column', 'write the release changelog', 'tune the cache', 'rename a table'];
const SKILLS = ['db-works', 'docs-writer', 'cache-tuner'];
const open: SqliteStore[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function openStore(path: string): Promise<SqliteStore> {
  const store = await openSqliteStore({ path });
  open.push(store);
  return store;
}

/** The same records each call (ids and all), so that two stores filled with them hold the same history. */
function history(from: number, size: number): InvocationRecord[] {
  const records: InvocationRecord[] = [];
  for (let i = from; i < from + size; i++) {
    const text = [`migrate the database schema ${i}`, `write the changelog for release ${i}`, `tune the cache layer ${i}`];
    SKILLS.forEach((skillName, s) => {
      const n = i * SKILLS.length + s;
      records.push(finishedRecord(n, n % 5 === 0 ? 'failed' : 'completed', 1, { id: `centroid-${n}`, skillName, userQuery: text[s]!, workflowPhase: null }));
    });
  }
  return records;
}

/** A store file with history and descriptions; `twin` gives another file with the same content, which never kept centroids. */
async function filledStore(): Promise<string> {
  const path = join(tempDir(), 'skills.db');
  const store = await openStore(path);
  await store.applyBatch({ inserts: history(0, 30) });
  await store.upsertCatalog([{ skillName: 'db-works', description: 'Creates and applies database schema migrations.' }]);
  return path;
}

async function answers(recommender: Recommender) {
  const out = [];
  for (const userQuery of PROBES) out.push(await recommender.recommend({ userQuery, limit: 5 }));
  return out;
}

/** Opens a recommender, answers the probes, waits for the centroids to be saved, closes it. */
async function answerOnce(store: SqliteStore, embedder: Embedder = new LexicalEmbedder(), logger?: Logger) {
  const recommender = await Recommender.open(store, embedder, OPTIONS, logger);
  const ranked = await answers(recommender);
  await recommender.centroidsSaved();
  const counts = recommender.centroids;
  await recommender.close();
  return { ranked, counts };
}

describe('centroids kept with the store', () => {
  it('a reopened store takes the saved centroids, sums none, and answers exactly as a fresh build', async () => {
    const path = await filledStore();
    const first = await answerOnce(await openStore(path));
    expect(first.counts).toEqual({ reused: 0, summed: SKILLS.length, saved: 1 });
    const again = await answerOnce(await openStore(path));
    expect(again.counts).toEqual({ reused: SKILLS.length, summed: 0, saved: 0 });
    expect(again.ranked).toEqual(first.ranked);
    expect(first.ranked[2]![0]).toMatchObject({ skillName: 'cache-tuner' });
  });

  it('sums again the centroid of a skill whose counts changed after the save (another process wrote)', async () => {
    const path = await filledStore();
    const twin = await filledStore();
    await answerOnce(await openStore(path));
    // Another process records more for one skill, and answers nothing (so saves nothing).
    const more = history(30, 3).filter((r) => r.skillName === 'cache-tuner');
    for (const p of [path, twin]) await (await openStore(p)).applyBatch({ inserts: more });
    const reopened = await answerOnce(await openStore(path));
    expect(reopened.counts).toEqual({ reused: SKILLS.length - 1, summed: 1, saved: 1 });
    // The same history, never saved: every centroid summed here.
    const fresh = await answerOnce(await openStore(twin));
    expect(fresh.counts.summed).toBe(SKILLS.length);
    expect(reopened.ranked).toEqual(fresh.ranked);
  });

  it('sums again within one recommender the centroid a later write changed', async () => {
    const path = await filledStore();
    await answerOnce(await openStore(path));
    const store = await openStore(path);
    const recommender = await Recommender.open(store, new LexicalEmbedder(), OPTIONS);
    await answers(recommender);
    expect(recommender.centroids).toMatchObject({ reused: SKILLS.length, summed: 0 });
    await store.upsertCatalog([{ skillName: 'docs-writer', description: 'Writes release notes and changelogs.' }]);
    recommender.invalidate();
    const changed = await answers(recommender);
    expect(recommender.centroids).toMatchObject({ reused: SKILLS.length, summed: 1 });
    await recommender.close();
    // Saved on closing: the new centroid, and the others read back from the index.
    const reopened = await answerOnce(store);
    expect(reopened.counts).toEqual({ reused: SKILLS.length, summed: 0, saved: 0 });
    expect(reopened.ranked).toEqual(changed);
  });

  it('a different embedder ignores them and keeps its own', async () => {
    const path = await filledStore();
    const store = await openStore(path);
    await answerOnce(store);
    const other = new LexicalEmbedder({ charWeight: 0 });
    const logger = memoryLogger();
    const theirs = await answerOnce(store, other, logger);
    expect(theirs.counts).toMatchObject({ reused: 0, saved: 1 });
    expect(theirs.counts.summed).toBeGreaterThan(0);
    expect(logger.lines).toEqual([]);
    expect((await store.getModelState(centroidsKey(other.id)))!.version).toBe(`${other.id}/centroids-v1`);
    expect((await answerOnce(store)).counts).toMatchObject({ reused: SKILLS.length, summed: 0 });
  });

  it('ignores a corrupt saved state with one log line, and answers as before', async () => {
    const path = await filledStore();
    const store = await openStore(path);
    const first = await answerOnce(store);
    const key = centroidsKey(new LexicalEmbedder().id);
    const saved = (await store.getModelState(key))!;
    const damaged = saved.bytes.slice();
    damaged[damaged.length - 1]! ^= 0xff;
    await store.putModelState(key, { ...saved, bytes: damaged });
    const logger = memoryLogger();
    const again = await answerOnce(store, new LexicalEmbedder(), logger);
    expect(logger.lines).toEqual(['warn: the stored centroids cannot be read: checksum mismatch; summing them again']);
    expect(again.counts).toEqual({ reused: 0, summed: SKILLS.length, saved: 1 });
    expect(again.ranked).toEqual(first.ranked);
  });

  it('ignores centroids saved from queries this store does not have (another history)', async () => {
    const path = await filledStore();
    const store = await openStore(path);
    await answerOnce(store);
    const key = centroidsKey(new LexicalEmbedder().id);
    const saved = (await store.getModelState(key))!;
    await store.putModelState(key, { ...saved, trainedUpTo: saved.trainedUpTo + 1000 });
    expect((await answerOnce(store)).counts).toMatchObject({ reused: 0, summed: SKILLS.length });
  });

  it('saves in the background once a quarter of them were summed; the few a write re-sums wait for closing', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const store = await openStore(join(tempDir(), 'skills.db'));
      const embedder = new LexicalEmbedder();
      const names = Array.from({ length: 8 }, (_, i) => `skill-${i}`);
      const embedded = await embedder.embed(names.map((name, i) => `${name} text ${i}`));
      const vectors = new Map(names.map((name, i) => [name, embedded[i]!]));
      const saved = new SavedCentroids(store, embedder.id, memoryLogger());
      await saved.load(0);
      const current = { centroid: (name: string) => vectors.get(name), lastQueryId: () => 0 };
      names.forEach((name, i) => saved.centroidOf(name, new Map([[i, 1]]), undefined, () => vectors.get(name) ?? null));
      saved.saveSoon(current);
      expect(vi.getTimerCount()).toBe(1);
      vi.runOnlyPendingTimers();
      await saved.flush(); // saves nothing more: waits for the background write
      expect(saved.counts).toMatchObject({ summed: 8, saved: 1 });

      saved.centroidOf('skill-0', new Map([[99, 1]]), undefined, () => vectors.get('skill-0') ?? null);
      saved.saveSoon(current);
      expect(vi.getTimerCount()).toBe(0);
      await saved.flush();
      expect(saved.counts).toMatchObject({ summed: 9, saved: 2 });
    } finally {
      vi.useRealTimers();
    }
  });
});
