import { silentLogger, type Recommendation, type RecommendationQueryInput, type Settings, type SkillsStore } from '@skills/protocol';
import { SkillsService } from '@skills/tracker';

/** The recommender on an open store, as `UserPromptSubmit` needs it (its own module: nothing else loads it). */
export async function openLocalRecommender(
  settings: Settings,
  cwd: string,
  store: SkillsStore,
): Promise<{ recommend(query: RecommendationQueryInput): Promise<Recommendation[]>; close(): Promise<void> }> {
  // The service's notes (housekeeping, a model loading) are not the hook's to print: stdout is Claude Code's.
  return SkillsService.open({ settings, cwd, store, logger: silentLogger });
}
