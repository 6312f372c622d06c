import type { QuerySkillCount, SkillsStore } from '@skills/protocol';

/**
 * What a reader following the changes knows, as the recommender follows them: the counts since
 * its cursor, then the texts above its watermark (the highest query id it has seen).
 */
export class Follower {
  cursor: string | null = null;
  readonly byQuery = new Map<number, QuerySkillCount[]>();
  /** Query texts by id, read with `listQueries(watermark)`. */
  readonly texts = new Map<number, string>();
  watermark = 0;
  completes = 0;

  async follow(store: SkillsStore): Promise<void> {
    // Counts before texts (as the recommender reads them): every query counted is then listed.
    const changes = await store.querySkillCountsSince(this.cursor);
    if (changes.complete) {
      this.completes++;
      this.byQuery.clear();
    } else {
      for (const id of changes.queryIds) this.byQuery.delete(id);
    }
    for (const c of changes.counts) this.byQuery.set(c.queryId, [...(this.byQuery.get(c.queryId) ?? []), c]);
    this.cursor = changes.cursor;
    for (const q of await store.listQueries(this.watermark)) {
      this.texts.set(q.id, q.text);
      if (q.id > this.watermark) this.watermark = q.id;
    }
  }

  /** Invocation counts by (query, skill): what these changes promise to keep exact. */
  usage(): string[] {
    return usage([...this.byQuery.values()].flat());
  }

  /** The ids of queries counted whose text this reader never listed: none, for a store that keeps its promises. */
  untexted(): number[] {
    return [...this.byQuery.keys()].filter((id) => !this.texts.has(id)).sort((a, b) => a - b);
  }
}

/** The invocation counts of `counts` by (query, skill), comparable as a sorted list. */
export const usage = (counts: readonly QuerySkillCount[]) => counts.map((c) => `${c.queryId}/${c.skillName}/${c.invocations}`).sort();
