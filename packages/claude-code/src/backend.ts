import type { Recommendation, RecommendationQueryInput, Settings } from '@skills/protocol';
import type { HookWrites } from './handle-hook-event.js';

/** Where a hook process writes and asks for recommendations. */
export interface HookBackend {
  readonly kind: 'direct' | 'mcp';
  write(writes: HookWrites): Promise<void>;
  recommend(query: RecommendationQueryInput): Promise<Recommendation[]>;
  close(): Promise<void>;
}

/**
 * The backend for an event handled in this process: with `where.server` (a skills server
 * listens at `mcpServerUrl` but did not take the event at its hook endpoint, e.g. an older
 * server), the server over MCP (`track_invocations`, `recommend_skills`); otherwise, or when
 * that fails too (logged), the local store (`target`: the `databaseTarget` of the settings). Each backend is a separate module, imported only
 * when chosen: PreToolUse and PostToolUse never load the recommender.
 */
export async function openHookBackend(
  settings: Settings,
  where: { readonly target: string; readonly cwd: string; readonly server: boolean },
  log: (message: string) => void,
): Promise<HookBackend> {
  if (where.server) {
    const url = settings.mcpServerUrl;
    try {
      const { openServerBackend } = await import('./server-backend.js');
      return await openServerBackend(url, settings.mcpTimeoutMs);
    } catch (error) {
      log(`skills server at ${url} did not answer (${(error as Error).message}); writing to the local store`);
    }
  }
  const { openLocalBackend } = await import('./local-backend.js');
  return openLocalBackend(settings, where.target, where.cwd);
}
