import { seededRandom, type QuerySkillCount } from '@skills/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from './index.js';
import { at, finishedRecord, pendingRecord } from './test-support/records.js';
import { useTempDir } from './test-support/temp-dir.js';

const tmp = useTempDir();
const stores: SqliteStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});
const open = async (path: string) => {
  const store = await openSqliteStore({ path });
  stores.push(store);
  return store;
};

/** What a reader following the changes knows: pairs by query id. */
class Follower {
  cursor: string | null = null;
  readonly byQuery = new Map<number, QuerySkillCount[]>();
  completes = 0;

  async follow(store: SqliteStore): Promise<void> {
    const changes = await store.querySkillCountsSince(this.cursor);
    if (changes.complete) {
      this.completes++;
      this.byQuery.clear();
    } else {
      for (const id of changes.queryIds) this.byQuery.delete(id);
    }
    for (const c of changes.counts) this.byQuery.set(c.queryId, [...(this.byQuery.get(c.queryId) ?? []), c]);
    this.cursor = changes.cursor;
  }

  /** Invocation counts by (query, skill): what these changes promise to keep exact. */
  usage(): string[] {
    return [...this.byQuery.values()].flat().map((c) => `${c.queryId}/${c.skillName}/${c.invocations}`).sort();
  }
}

const usage = (counts: readonly QuerySkillCount[]) => counts.map((c) => `${c.queryId}/${c.skillName}/${c.invocations}`).sort();

describe('querySkillCountsSince', () => {
  it('gives every count first, then only the queries new invocations used, and everything again after a prune', async () => {
    const store = await open(tmp.path('since.db'));
    await store.applyBatch({ inserts: [finishedRecord(1, 'completed', 1, { userQuery: 'alpha' }), finishedRecord(2, 'completed', 1, { userQuery: 'beta' })] });
    const first = await store.querySkillCountsSince(null);
    expect(first.complete).toBe(true);
    expect(first.counts).toEqual(await store.listQuerySkillCounts());

    // A reused query and a new one; a completion alone changes no invocation count.
    await store.applyBatch({ inserts: [pendingRecord(3, { userQuery: 'alpha', skillName: 'linter' }), pendingRecord(4, { userQuery: 'gamma' })] });
    const second = await store.querySkillCountsSince(first.cursor);
    expect(second.complete).toBe(false);
    const all = await store.listQuerySkillCounts();
    const alpha = all.find((c) => c.skillName === 'linter')!.queryId;
    const gamma = all.at(-1)!.queryId;
    expect([...second.queryIds].sort()).toEqual([alpha, gamma].sort());
    expect(second.counts).toEqual(all.filter((c) => c.queryId === alpha || c.queryId === gamma));

    await store.applyBatch({ completions: [{ id: 'inv-000003', completed: true, completedAt: at(5), durationSeconds: 1 }] });
    const third = await store.querySkillCountsSince(second.cursor);
    expect(third).toMatchObject({ complete: false, queryIds: [], counts: [] });

    await store.prune(at(1.5));
    const fourth = await store.querySkillCountsSince(third.cursor);
    expect(fourth.complete).toBe(true);
    expect(fourth.counts).toEqual(await store.listQuerySkillCounts());
    expect((await store.querySkillCountsSince('not a cursor')).complete).toBe(true);
  });

  it('sees a prune that reused rowids and an unchanged total would hide', async () => {
    const store = await open(tmp.path('reuse.db'));
    // Stored last, invoked first: the highest rowids are the first to be pruned.
    await store.applyBatch({ inserts: Array.from({ length: 5 }, (_, i) => pendingRecord(10 + i, { userQuery: `late ${i}` })) });
    await store.applyBatch({ inserts: Array.from({ length: 5 }, (_, i) => pendingRecord(i, { userQuery: `early ${i}` })) });
    const follower = new Follower();
    await follower.follow(store);
    await store.prune(at(5));
    // Five new rows take the pruned rows' rowids: as many invocations as before, none above the cursor.
    await store.applyBatch({ inserts: Array.from({ length: 5 }, (_, i) => pendingRecord(20 + i, { userQuery: `new ${i}` })) });
    expect(await store.countInvocations()).toBe(10);
    await follower.follow(store);
    expect(follower.usage()).toEqual(usage(await store.listQuerySkillCounts()));
  });

  it('keeps a follower exact through random inserts, completions and prunes by two connections', async () => {
    const path = tmp.path('random.db');
    const [a, b] = [await open(path), await open(path)];
    const follower = new Follower();
    const rand = seededRandom(17);
    let n = 0;
    for (let step = 0; step < 120; step++) {
      const writer = rand() < 0.5 ? a : b;
      const roll = rand();
      if (roll < 0.7) {
        const inserts = Array.from({ length: 1 + Math.floor(rand() * 5) }, () =>
          pendingRecord(++n, { userQuery: `query ${Math.floor(rand() * 30)}`, skillName: `skill-${Math.floor(rand() * 4)}` }),
        );
        await writer.applyBatch({ inserts });
      } else if (roll < 0.9) {
        await writer.applyBatch({ completions: [{ id: `inv-${String(1 + Math.floor(rand() * n)).padStart(6, '0')}`, completed: rand() < 0.5, completedAt: at(n), durationSeconds: 1 }] });
      } else {
        await writer.prune(at(Math.floor(rand() * n)));
      }
      if (rand() < 0.5) {
        await follower.follow(a);
        expect(follower.usage(), `step ${step}`).toEqual(usage(await a.listQuerySkillCounts()));
      }
    }
    // Most steps were followed from changes alone.
    expect(follower.completes).toBeLessThan(20);
  });
});
