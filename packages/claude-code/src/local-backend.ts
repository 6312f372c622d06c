import { openStore, type Recommendation, type RecommendationQueryInput, type Settings } from '@skills/protocol';
import { sqliteEngine } from '@skills/store-sqlite';
import type { HookWrites } from './handle-hook-event.js';
import type { HookBackend } from './backend.js';

/**
 * The hook's writes go straight into the local SQLite file (the store takes records with their own
 * ids, skips an id it holds and ignores a completion of a finished invocation, which is what
 * makes replays no-ops). Queries arrive redacted already (see `HookDeps.redact`). The recommender is opened only when asked for, from a separate
 * module: PreToolUse and PostToolUse never load it.
 */
export async function openLocalBackend(settings: Settings, target: string, cwd: string): Promise<HookBackend> {
  const store = await openStore(target, LOCAL_ENGINES, { cwd });
  let service: { recommend(q: RecommendationQueryInput): Promise<Recommendation[]>; close(): Promise<void> } | undefined;
  return {
    kind: 'direct',
    async write(writes: HookWrites): Promise<void> {
      if (writes.inserts?.length || writes.completions?.length) await store.applyBatch({ inserts: writes.inserts, completions: writes.completions });
      if (writes.abandon?.length) await store.markAbandoned({ ids: writes.abandon });
    },
    async recommend(query: RecommendationQueryInput): Promise<Recommendation[]> {
      if (!service) {
        const { openLocalRecommender } = await import('./local-recommender.js');
        service = await openLocalRecommender(settings, cwd, store);
      }
      return service.recommend(query);
    },
    async close(): Promise<void> {
      await (service ?? store).close();
    },
  };
}


/**
 * The engines the command opens a store with: SQLite only. A store named by another engine's URL
 * (`postgres://...`) is reached through the server, which ships every engine; without it, the
 * event fails with the store's "no store engine opens postgres: URLs" (logged).
 */
const LOCAL_ENGINES = [sqliteEngine];
