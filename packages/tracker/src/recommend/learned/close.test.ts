import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { LexicalEmbedder } from '@skills/embeddings';
import { TrackerClosedError, type InvocationRecord } from '@skills/protocol';
import { finishedRecord } from '@skills/store-contract';
import { openSqliteStore } from '@skills/store-sqlite';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test-support/temp.js';
import { Recommender, type RankingOptions } from '../recommender.js';

const OPTIONS: RankingOptions = { minSimilarity: 0, maxRecommendations: 5, enablePhaseAware: false, phaseWeight: 0, ranker: 'learned' };

/** A store whose history takes the learned model's first fit many slices (it is under way when a quick caller closes). */
async function storeWithHistory(rows = 6000): Promise<string> {
  const path = join(tempDir(), 'skills.db');
  const store = await openSqliteStore({ path });
  const records: InvocationRecord[] = [];
  for (let i = 0; i < rows; i++) {
    const [skill, query] = i % 2 === 0 ? ['db-works', `write a sql migration number ${i}`] : ['cache-tuner', `tune the cache layer ${i}`];
    records.push(finishedRecord(i, 'completed', 1, { id: `close-${i}`, skillName: skill, userQuery: query, workflowPhase: null }));
  }
  await store.applyBatch({ inserts: records });
  await store.close();
  return path;
}

describe('learned ranker: close()', () => {
  it('abandons the fit under way and frees the recommender: the heap does not grow over open/recommend/close cycles (real processes)', async () => {
    const path = await storeWithHistory();
    // Runs the built package with --expose-gc, as an application would, and exits by itself
    // (no process.exit): a fit or a timer left running would show in `fits`, `alive` or the heap.
    const child = spawnSync(
      process.execPath,
      [
        '--expose-gc',
        '--input-type=module',
        '-e',
        `import { Recommender } from '@skills/tracker';
         import { openSqliteStore } from '@skills/store-sqlite';
         import { LexicalEmbedder } from '@skills/embeddings';
         const settle = async () => { for (let k = 0; k < 3; k++) { await new Promise((r) => setImmediate(r)); globalThis.gc(); } };
         await settle();
         const empty = process.memoryUsage().heapUsed;
         let footprint = 0;
         const heap = [], cycles = [], refs = [];
         // A function per cycle: its recommender is then held by no frame of the loop's.
         const cycle = async (first, awaitFit) => {
           const store = await openSqliteStore({ path: ${JSON.stringify(path)} });
           const r = await Recommender.open(store, new LexicalEmbedder(), ${JSON.stringify(OPTIONS)});
           await r.recommend({ userQuery: 'add a sql column' });
           if (first) { await settle(); footprint = process.memoryUsage().heapUsed - empty; }
           const fitsAtClose = r.learnedModel.fits;
           await r.close();
           await store.close();
           // At once when the fit was abandoned; else until it ends (its timer holding the recommender).
           if (awaitFit) await r.learnedTrained();
           cycles.push({ fitsAtClose, fits: r.learnedModel.fits, saved: r.learnedModel.saved });
           refs.push(new WeakRef(r));
         };
         for (let i = 0; i < 5; i++) {
           await cycle(i === 0, false);
           await settle();
           heap.push(process.memoryUsage().heapUsed);
         }
         await settle();
         const alive = refs.filter((ref) => ref.deref() !== undefined).length;
         await cycle(false, true);
         process.on('exit', () => console.log(JSON.stringify({ footprint, heap, cycles, alive })));`,
      ],
      { cwd: join(import.meta.dirname, '..', '..', '..'), encoding: 'utf8', timeout: 180_000 },
    );
    expect(child.status, child.stderr).toBe(0);
    const { footprint, heap, cycles, alive } = JSON.parse(child.stdout) as {
      footprint: number;
      heap: number[];
      cycles: { fitsAtClose: number; fits: number; saved: number }[];
      alive: number;
    };
    // The fit was under way at each close, and stopped there: no model took over, none was saved.
    expect(cycles).toEqual(Array.from({ length: 6 }, () => ({ fitsAtClose: 0, fits: 0, saved: 0 })));
    expect(alive).toBe(0);
    // Generous: four more cycles grow the heap by less than one open recommender weighs.
    expect(footprint).toBeGreaterThan(0);
    expect(heap.at(-1)! - heap[0]!).toBeLessThan(footprint);
  }, 240_000);

  it('closing a direct tracker stops its recommender too: trackers opened and closed in turn do not pile up (real processes)', async () => {
    // A longer fit than above: each must still be under way when the next tracker has closed.
    const path = await storeWithHistory(20_000);
    const child = spawnSync(
      process.execPath,
      [
        '--expose-gc',
        '--input-type=module',
        '-e',
        `import { createSkillsTracker } from '@skills/tracker';
         const settle = async () => { for (let k = 0; k < 3; k++) { await new Promise((r) => setImmediate(r)); globalThis.gc(); } };
         await settle();
         const empty = process.memoryUsage().heapUsed;
         let footprint = 0;
         const heap = [];
         for (let i = 0; i < 4; i++) {
           const tracker = await createSkillsTracker({ backend: 'direct', dbPath: ${JSON.stringify(path)}, env: {}, embedder: 'lexical', ranker: 'learned', minSimilarity: 0 });
           await tracker.getRecommendations({ userQuery: 'add a sql column' });
           if (i === 0) { await settle(); footprint = process.memoryUsage().heapUsed - empty; }
           await tracker.close();
           await settle();
           heap.push(process.memoryUsage().heapUsed);
         }
         console.log(JSON.stringify({ footprint, heap }));`,
      ],
      { cwd: join(import.meta.dirname, '..', '..', '..'), encoding: 'utf8', timeout: 180_000 },
    );
    expect(child.status, child.stderr).toBe(0);
    const { footprint, heap } = JSON.parse(child.stdout) as { footprint: number; heap: number[] };
    // Generous: three more trackers grow the heap by less than one open tracker weighs (before,
    // each closed tracker's recommender stayed in memory until its fit ended).
    expect(footprint).toBeGreaterThan(0);
    expect(heap.at(-1)! - heap[0]!).toBeLessThan(footprint);
  }, 240_000);

  it('refuses recommend() and reindex() after close(), which may be called again', async () => {
    const store = await openSqliteStore({ path: join(tempDir(), 'skills.db') });
    try {
      const recommender = await Recommender.open(store, new LexicalEmbedder(), OPTIONS);
      await recommender.close();
      await recommender.close();
      await expect(recommender.recommend({ userQuery: 'anything' })).rejects.toThrow(TrackerClosedError);
      await expect(recommender.reindex()).rejects.toThrow('reindex after the tracker was closed');
    } finally {
      await store.close();
    }
  });
});
