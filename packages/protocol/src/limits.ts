/**
 * Maximum sizes accepted anywhere data enters the system (API, MCP tools, CLI imports).
 * They bound memory and storage per invocation; documented in the protocol README.
 */
export const LIMITS = Object.freeze({
  /** Skill names, session ids, workflow phases, error types and follow-up actions. */
  nameLength: 200,
  /** A user query, in characters. */
  queryLength: 8_000,
  /** Entries in `alternativesConsidered` and `followUpActions`. */
  listLength: 50,
  /** The highest accepted `selectionRank`. */
  maxRank: 1_000,
  /** The longest duration an invocation may record: 30 days (longer is a clock or host bug). */
  maxDurationSeconds: 30 * 24 * 60 * 60,
  /** The most recommendations one call may ask for. */
  maxRecommendations: 100,
});
