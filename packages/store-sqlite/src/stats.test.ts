import { afterEach, describe, expect, it } from 'vitest';
import { at, finishedRecord, pendingRecord } from '@skills/store-contract';
import { openSqliteStore, type SqliteStore } from './index.js';
import { useTempDir } from './test-support/temp-dir.js';

const tmp = useTempDir();
let store: SqliteStore;
afterEach(() => store?.close());
const open = async () => (store = await openSqliteStore({ path: tmp.path('stats.db') }));

describe('skillStats and phaseStats', () => {
  it('give nearest-rank percentiles and the mean of completed durations only', async () => {
    await open();
    // Durations 1..20 s, shuffled; a failed run's duration must not count.
    const order = [7, 3, 20, 11, 1, 15, 9, 18, 2, 13, 5, 17, 10, 4, 19, 8, 14, 6, 16, 12];
    await store.applyBatch({
      inserts: [
        ...order.map((d, i) => finishedRecord(i + 1, 'completed', d)),
        finishedRecord(21, 'failed', 1000),
        finishedRecord(22, 'completed', null),
      ],
    });
    const [stats] = await store.skillStats();
    expect(stats).toEqual({
      skillName: 'code-reviewer',
      invocations: 22,
      completed: 21,
      failed: 1,
      abandoned: 0,
      pending: 0,
      successRate: 21 / 22,
      meanDurationSeconds: 10.5,
      p50DurationSeconds: 10,
      p95DurationSeconds: 19,
      lastUsed: at(22),
    });
    const [filtered] = await store.skillStats({ since: at(0) });
    expect(filtered).toEqual(stats);
  });

  it('leave the percentiles out when asked, and every other figure as it was', async () => {
    await open();
    await store.applyBatch({
      inserts: [finishedRecord(1, 'completed', 2, { workflowPhase: 'review' }), finishedRecord(2, 'completed', 4), finishedRecord(3, 'failed', 1)],
    });
    for (const stats of [store.skillStats.bind(store), store.phaseStats.bind(store)]) {
      for (const filter of [undefined, { since: at(0) }]) {
        const full = await stats(filter);
        const lean = await stats(filter, { percentiles: false });
        expect(lean).toEqual(full.map((s) => ({ ...s, p50DurationSeconds: null, p95DurationSeconds: null })));
        expect(full.some((s) => s.p95DurationSeconds !== null)).toBe(true);
      }
    }
  });

  it('give percentiles of a single run and nulls when nothing finished', async () => {
    await open();
    await store.applyBatch({
      inserts: [finishedRecord(1, 'completed', 2.5, { skillName: 'once' }), pendingRecord(2, { skillName: 'never' })],
    });
    const byName = Object.fromEntries((await store.skillStats()).map((s) => [s.skillName, s]));
    expect(byName.once).toMatchObject({ p50DurationSeconds: 2.5, p95DurationSeconds: 2.5, meanDurationSeconds: 2.5, successRate: 1 });
    expect(byName.never).toMatchObject({
      pending: 1,
      successRate: null,
      meanDurationSeconds: null,
      p50DurationSeconds: null,
      p95DurationSeconds: null,
      lastUsed: at(2),
    });
  });

  it('count abandoned runs as unsuccessful and order skills by use', async () => {
    await open();
    await store.applyBatch({
      inserts: [
        finishedRecord(1, 'completed', 1, { skillName: 'b-skill' }),
        finishedRecord(2, 'abandoned', null, { skillName: 'b-skill' }),
        finishedRecord(3, 'completed', 1, { skillName: 'a-skill' }),
        finishedRecord(4, 'completed', 1, { skillName: 'c-skill' }),
        finishedRecord(5, 'failed', 1, { skillName: 'c-skill' }),
        finishedRecord(6, 'completed', 1, { skillName: 'c-skill' }),
      ],
    });
    const stats = await store.skillStats();
    expect(stats.map((s) => [s.skillName, s.invocations, s.successRate])).toEqual([
      ['c-skill', 3, 2 / 3],
      ['b-skill', 2, 1 / 2],
      ['a-skill', 1, 1],
    ]);
    expect(stats[0]).not.toHaveProperty('workflowPhase');
  });

  it('split per phase, grouping invocations with no phase under null', async () => {
    await open();
    await store.applyBatch({
      inserts: [
        finishedRecord(1, 'completed', 1, { workflowPhase: 'planning' }),
        finishedRecord(2, 'completed', 3, { workflowPhase: 'planning' }),
        finishedRecord(3, 'failed', 1, { workflowPhase: 'review' }),
        finishedRecord(4, 'completed', 5, { workflowPhase: null }),
        finishedRecord(5, 'completed', 7, { workflowPhase: null, skillName: 'other' }),
      ],
    });
    const phases = await store.phaseStats();
    expect(phases.map((s) => [s.skillName, s.workflowPhase, s.invocations, s.meanDurationSeconds, s.successRate])).toEqual([
      ['code-reviewer', 'planning', 2, 2, 1],
      ['code-reviewer', 'review', 1, null, 0],
      ['code-reviewer', null, 1, 5, 1],
      ['other', null, 1, 7, 1],
    ]);
    expect(await store.phaseStats({ until: at(100) })).toEqual(phases);
    expect(await store.phaseStats({ workflowPhase: 'planning' })).toEqual([phases[0]]);
  });

  it('computed from filtered rows agree with the aggregates', async () => {
    await open();
    await store.applyBatch({
      inserts: Array.from({ length: 40 }, (_, i) =>
        i % 4 === 0
          ? pendingRecord(i, { skillName: `s${i % 3}` })
          : finishedRecord(i, i % 4 === 1 ? 'failed' : 'completed', (i * 0.37) % 5, { skillName: `s${i % 3}`, workflowPhase: i % 2 ? 'x' : null }),
      ),
    });
    expect(await store.skillStats({ since: at(-1) })).toEqual(await store.skillStats());
    expect(await store.phaseStats({ until: at(1000) })).toEqual(await store.phaseStats());
    const s1 = await store.skillStats({ skillName: 's1', since: at(20) });
    expect(s1).toHaveLength(1);
    expect(s1[0]!.invocations).toBe((await store.listInvocations({ skillName: 's1', since: at(20) })).length);
  });
});
