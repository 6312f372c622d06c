import { join } from 'node:path';
import { LexicalEmbedder } from '@skills/embeddings';
import type { InvocationRecord, Logger, SkillsStore } from '@skills/protocol';
import { finishedRecord } from '@skills/store-contract';
import { openSqliteStore } from '@skills/store-sqlite';
import { afterEach, expect, it } from 'vitest';
import { tempDir } from '../test-support/temp.js';
import { Recommender, type RankingOptions } from './recommender.js';

/*
 * Storing query vectors is a cache write made while answering a read: a store that refuses
 * writes (a full or read-only disk) must not fail recommendations. The vectors stay in memory,
 * the refusal is logged once, and they are stored once the store takes writes again.
 */

const OPTIONS: RankingOptions = { minSimilarity: 0, maxRecommendations: 5, enablePhaseAware: true, phaseWeight: 0.3 };
const QUERIES: [string, string][] = [
  ['sql-expert', 'optimise the slow SQL query'],
  ['sql-expert', 'add an index to the orders table'],
  ['test-runner', 'run the unit tests'],
  ['deployer', 'deploy the service to production'],
];
const open: SkillsStore[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

const records = (): InvocationRecord[] =>
  QUERIES.map(([skill, query], i) => finishedRecord(i, 'completed', 1, { id: `q-${i}`, skillName: skill, userQuery: query, workflowPhase: null }));

/** A database holding the queries and no vector yet. */
async function seededPath(): Promise<string> {
  const path = join(tempDir(), 'skills.db');
  const store = await openSqliteStore({ path });
  await store.applyBatch({ inserts: records() });
  await store.close();
  return path;
}

function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
  return { lines, logger: { debug() {}, info: push('info'), warn: push('warn'), error: push('error') } };
}

it('answers from memory when the database is read-only, and says so once', async () => {
  const store = await openSqliteStore({ path: await seededPath(), readonly: true });
  open.push(store);
  const { logger, lines } = recordingLogger();
  const recommender = await Recommender.open(store, new LexicalEmbedder(), OPTIONS, logger);
  for (let i = 0; i < 5; i++) {
    const top = await recommender.recommend({ userQuery: 'the SQL query is slow' });
    expect(top[0]?.skillName).toBe('sql-expert');
  }
  expect(recommender.unsavedVectors).toBe(QUERIES.length);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^warn could not store 4 query vectors; recommendations use them from memory .*readonly/);
  expect((await store.getEmbeddings(recommender.embedderId, 0)).size).toBe(0);
});

it('stores the vectors kept in memory once the store takes writes again', async () => {
  const real = await openSqliteStore({ path: await seededPath() });
  open.push(real);
  // A disk that fills up and is freed again cannot be made here (no privileged mounts): the real
  // store, with its vector write refused while `full` is set, in SQLite's words.
  let full = true;
  const store = new Proxy(real, {
    get(target, key, receiver) {
      if (key === 'putEmbeddings' && full) return async () => Promise.reject(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }));
      const value = Reflect.get(target, key, receiver) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const { logger, lines } = recordingLogger();
  const recommender = await Recommender.open(store, new LexicalEmbedder(), OPTIONS, logger);
  expect((await recommender.recommend({ userQuery: 'run the tests' }))[0]?.skillName).toBe('test-runner');
  expect(recommender.unsavedVectors).toBe(QUERIES.length);

  full = false;
  // A write (the next catch-up) tries again.
  await real.applyBatch({ inserts: [{ ...records()[0]!, id: 'q-new', userQuery: 'roll back the release' }] });
  recommender.invalidate();
  await recommender.recommend({ userQuery: 'deploy it' });
  expect(recommender.unsavedVectors).toBe(0);
  expect((await real.getEmbeddings(recommender.embedderId, 0)).size).toBe(QUERIES.length + 1);
  expect(lines.map((l) => l.split(';')[0])).toEqual(['warn could not store 4 query vectors', 'info the query vectors kept in memory are stored now']);
});
