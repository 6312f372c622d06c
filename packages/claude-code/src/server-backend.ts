import { toMcpCompletion, toMcpRecord, type Recommendation, type RecommendationQueryInput } from '@skills/protocol';
import { connectSkillsMcpClient } from '@skills/tracker';
import type { HookBackend } from './backend.js';
import type { HookWrites } from './handle-hook-event.js';

/**
 * The hook's writes through the skills server: one `track_invocations` call per event (records
 * with their ids, completions, abandonments), which the server applies with the same replay
 * rules as the store. Sends `SKILLS_SERVER_TOKEN` when set.
 *
 * @throws {McpUnavailableError} when the server does not answer the handshake in `timeoutMs`.
 */
export async function openServerBackend(url: string, timeoutMs: number): Promise<HookBackend> {
  const client = await connectSkillsMcpClient(url, timeoutMs);
  return {
    kind: 'mcp',
    async write(writes: HookWrites): Promise<void> {
      await client.trackInvocations({
        invocations: (writes.inserts ?? []).map(toMcpRecord),
        ...(writes.completions?.length ? { completions: writes.completions.map(toMcpCompletion) } : {}),
        ...(writes.abandon?.length ? { abandon: [...writes.abandon] } : {}),
      });
    },
    recommend(query: RecommendationQueryInput): Promise<Recommendation[]> {
      return client.recommendSkills({
        user_query: query.userQuery,
        ...(query.workflowPhase !== undefined ? { workflow_phase: query.workflowPhase } : {}),
      });
    },
    close: () => client.close(),
  };
}
