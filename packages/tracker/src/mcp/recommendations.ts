import type { Logger, Recommendation, RecommendationQuery, Settings } from '@skills/protocol';
import { SkillsService } from '../service.js';
import { projectArg } from './project-arg.js';
import { reasonOf, type McpTrackerClient } from './server-link.js';

/**
 * The MCP tracker's recommendations for the settings' project: from the server while it is
 * reachable, else (or when the server's answer fails, logged once) from the local database,
 * opened on first need.
 */
export class McpRecommendations {
  readonly #settings: Settings;
  readonly #cwd: string | undefined;
  readonly #logger: Logger;
  #local: Promise<SkillsService> | undefined;
  #failureLogged = false;

  constructor(settings: Settings, cwd: string | undefined, logger: Logger) {
    this.#settings = settings;
    this.#cwd = cwd;
    this.#logger = logger;
  }

  async recommend(query: RecommendationQuery, client: McpTrackerClient | null): Promise<Recommendation[]> {
    if (client) {
      try {
        return await client.recommendSkills({
          user_query: query.userQuery,
          limit: query.limit ?? this.#settings.maxRecommendations,
          ...(query.workflowPhase !== undefined ? { workflow_phase: query.workflowPhase } : {}),
          ...projectArg(this.#settings.project),
        });
      } catch (error) {
        if (!this.#failureLogged) {
          this.#logger.warn(`recommendations from the skills server failed (${reasonOf(error)}); answering from the local database`);
          this.#failureLogged = true;
        }
      }
    }
    return (await this.#localService()).recommend(query);
  }

  /** Closes the local database, if it was opened. */
  async close(): Promise<void> {
    if (this.#local) await (await this.#local.catch(() => undefined))?.close();
  }

  #localService(): Promise<SkillsService> {
    this.#local ??= SkillsService.open({ settings: this.#settings, cwd: this.#cwd, logger: this.#logger });
    this.#local.catch(() => (this.#local = undefined));
    return this.#local;
  }
}
