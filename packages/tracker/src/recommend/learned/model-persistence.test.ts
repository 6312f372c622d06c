import { join } from 'node:path';
import { LexicalEmbedder, type Embedder } from '@skills/embeddings';
import { isModelStateStore, type InvocationRecord, type Logger, type ModelStateStore } from '@skills/protocol';
import { at, finishedRecord } from '@skills/store-contract';
import { openSqliteStore, type SqliteStore } from '@skills/store-sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryLogger, tempDir } from '../../test-support/temp.js';
import { Recommender, type RankingOptions } from '../recommender.js';
import { CorruptModelStateError, decodeLearnedState, encodeLearnedState } from './model-codec.js';
import { LEARNED_STATE_KEY } from './model-persistence.js';

const OPTIONS: RankingOptions = { minSimilarity: 0, maxRecommendations: 5, enablePhaseAware: false, phaseWeight: 0, ranker: 'learned' };
const PROBES = ['add a sql column', 'write the release changelog', 'tune the cache', 'rotate the kafka credentials', 'rename a table'];
const open: SqliteStore[] = [];
let serial = 0;

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function openStore(path: string): Promise<SqliteStore & ModelStateStore> {
  const store = await openSqliteStore({ path });
  open.push(store);
  expect(isModelStateStore(store)).toBe(true);
  return store;
}

function run(skill: string, query: string, failed = false): InvocationRecord {
  return finishedRecord(++serial, failed ? 'failed' : 'completed', 1, { id: `persist-${serial}`, skillName: skill, userQuery: query, workflowPhase: null });
}

/** Three skills with enough distinct queries each that the learned model is past its cold start. */
function history(size = 40): InvocationRecord[] {
  const records: InvocationRecord[] = [];
  for (let i = 0; i < size; i++) {
    records.push(
      run('db-works', `migrate the database schema ${i}`),
      run('docs-writer', `write the changelog for release ${i}`),
      run('cache-tuner', `tune the cache layer ${i}`, i % 7 === 0),
    );
  }
  return records;
}

/** Opens a learned recommender and waits for its fit (if any) and its save. */
async function openLearned(store: ModelStateStore, embedder: Embedder = new LexicalEmbedder(), logger?: Logger): Promise<Recommender> {
  const recommender = await Recommender.open(store, embedder, OPTIONS, logger);
  await recommender.learnedTrained();
  return recommender;
}

async function rankings(recommender: Recommender) {
  return Promise.all(PROBES.map((userQuery) => recommender.recommend({ userQuery, limit: 5 })));
}

/** A store file holding history() and a model saved by a first recommender, closed. */
async function trainedStoreFile(size?: number): Promise<{ path: string; first: Awaited<ReturnType<typeof rankings>> }> {
  const path = join(tempDir(), 'skills.db');
  const store = await openStore(path);
  await store.applyBatch({ inserts: history(size) });
  const recommender = await openLearned(store);
  expect(recommender.learnedModel).toMatchObject({ fits: 1, restored: false, saved: 1 });
  const first = await rankings(recommender);
  await store.close();
  return { path, first };
}

describe('learned ranker: kept with the store', () => {
  it('continues from the saved model after a restart: no refit, the same rankings', async () => {
    const { path, first } = await trainedStoreFile();
    const store = await openStore(path);
    expect((await store.getModelState(LEARNED_STATE_KEY))!.version).toBe(`${new LexicalEmbedder().id}/linear-v1/state-v1`);
    const recommender = await openLearned(store);
    // Ready at once (no background fit to wait for), and equal to the model that was saved.
    expect(recommender.learnedModel).toMatchObject({ fits: 0, restored: true, saved: 0, rows: 120 });
    expect(await rankings(recommender)).toEqual(first);
    expect(first[2]![0]).toMatchObject({ skillName: 'cache-tuner', learnedScore: expect.any(Number) });
  });

  it('learns online, on reopening, what was recorded after the save, without a refit', async () => {
    const { path, first } = await trainedStoreFile();
    const store = await openStore(path);
    const probe = PROBES.indexOf('rotate the kafka credentials');
    const learnedScore = (recs: readonly { skillName: string; learnedScore?: number }[]) => recs.find((r) => r.skillName === 'cache-tuner')?.learnedScore ?? 0;
    await store.applyBatch({ inserts: [run('cache-tuner', 'rotate the kafka credentials now'), run('cache-tuner', 'rotate the vault secrets')] });
    const recommender = await openLearned(store);
    expect(recommender.learnedModel).toMatchObject({ fits: 0, restored: true, rows: 122 });
    expect(learnedScore(await recommender.recommend({ userQuery: PROBES[probe]!, limit: 5 }))).toBeGreaterThan(learnedScore(first[probe]!));
  });

  it('trains anew when the saved model is of another embedder, and says so', async () => {
    const { path } = await trainedStoreFile();
    const store = await openStore(path);
    const logger = memoryLogger();
    const other = new LexicalEmbedder({ pairWeight: 0 });
    const recommender = await openLearned(store, other, logger);
    expect(recommender.learnedModel).toMatchObject({ fits: 1, restored: false, saved: 1 });
    expect(logger.lines.join('\n')).toContain(`not ${other.id}/linear-v1/state-v1: training a new one`);
    expect((await store.getModelState(LEARNED_STATE_KEY))!.version).toBe(`${other.id}/linear-v1/state-v1`);
  });

  it('trains anew when the saved bytes are damaged, with a warning', async () => {
    const { path, first } = await trainedStoreFile();
    const store = await openStore(path);
    const saved = (await store.getModelState(LEARNED_STATE_KEY))!;
    const damaged = saved.bytes.slice();
    damaged[damaged.length - 3] = damaged[damaged.length - 3]! ^ 0xff;
    await store.putModelState(LEARNED_STATE_KEY, { ...saved, bytes: damaged });
    const logger = memoryLogger();
    const recommender = await openLearned(store, new LexicalEmbedder(), logger);
    expect(recommender.learnedModel).toMatchObject({ fits: 1, restored: false, saved: 1 });
    expect(logger.lines).toContain('warn: the stored learned model cannot be read: checksum mismatch; training a new one');
    // Trained from the same history with the same seed: the same model as the first.
    expect(await rankings(recommender)).toEqual(first);
  });

  it('trains anew when the saved model learned from queries this store does not have', async () => {
    const { path } = await trainedStoreFile();
    const store = await openStore(path);
    const saved = (await store.getModelState(LEARNED_STATE_KEY))!;
    await store.putModelState(LEARNED_STATE_KEY, { ...saved, trainedUpTo: saved.trainedUpTo + 1000 });
    const logger = memoryLogger();
    const recommender = await openLearned(store, new LexicalEmbedder(), logger);
    expect(recommender.learnedModel).toMatchObject({ fits: 1, restored: false });
    expect(logger.lines.join('\n')).toMatch(/learned from queries up to id \d+, this store's end at \d+: training a new one/);
  });

  it('after a prune, answers with the saved model while a refit runs, then uses the refit', async () => {
    // Enough rows that the refit takes many slices (each a few milliseconds), so open returns first.
    const oldest = serial + 1;
    const { path } = await trainedStoreFile(300);
    const store = await openStore(path);
    expect(await store.prune(at(oldest + 10))).toBe(10);
    const recommender = await Recommender.open(store, new LexicalEmbedder(), OPTIONS);
    expect(recommender.learnedModel!.restored).toBe(true);
    expect((await recommender.recommend({ userQuery: 'tune the cache' }))[0]!.learnedScore).toBeTypeOf('number');
    await recommender.learnedTrained();
    expect(recommender.learnedModel).toMatchObject({ fits: 1, restored: false, saved: 1 });
  });
});

describe('the saved model format', () => {
  it('reads back what it wrote and refuses truncated or foreign bytes', async () => {
    const { path } = await trainedStoreFile();
    const store = await openStore(path);
    const bytes = (await store.getModelState(LEARNED_STATE_KEY))!.bytes;
    const state = decodeLearnedState(bytes);
    expect(state.skillNames).toEqual(['db-works', 'docs-writer', 'cache-tuner']);
    expect(state.pairs.queryIds).toHaveLength(120);
    expect(Buffer.from(encodeLearnedState(state)).equals(bytes)).toBe(true);
    // Not on an 8-byte boundary: copied, then read.
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    expect(decodeLearnedState(shifted.subarray(1)).skillNames).toEqual(state.skillNames);
    expect(() => decodeLearnedState(bytes.subarray(0, 20))).toThrow(CorruptModelStateError);
    expect(() => decodeLearnedState(bytes.subarray(0, bytes.length - 8))).toThrow('checksum mismatch');
    expect(() => decodeLearnedState(new TextEncoder().encode('{"not":"a model"}'.padEnd(64)))).toThrow('wrong magic number');
  });
});
