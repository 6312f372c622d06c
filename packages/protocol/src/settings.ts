import { z } from 'zod';
import { DEFAULT_PROJECT, projectField } from './projects.js';

/** Which tracker to build: in-process store, MCP server, or the server when it answers. */
export const BackendNameSchema = z.enum(['direct', 'mcp', 'auto']);
export type BackendName = z.infer<typeof BackendNameSchema>;

/** Which embedder turns queries into vectors. `auto`: transformer when its model is local, else lexical. */
export const EmbedderChoiceSchema = z.enum(['auto', 'transformer', 'lexical']);
export type EmbedderChoice = z.infer<typeof EmbedderChoiceSchema>;

const unit = (key: string) =>
  z.number({ error: `${key} must be a number` }).min(0, { error: `${key} must be between 0 and 1` }).max(1, {
    error: `${key} must be between 0 and 1`,
  });

/**
 * Every setting, with its default. Loaded from, lowest to highest: these defaults,
 * `settings/skills.yaml`, `settings/local.yaml`, the environment, explicit options.
 */
export const SettingsSchema = z.strictObject({
  /** Track at all. When false the tracker is a no-op. */
  enabled: z.boolean({ error: 'enabled must be true or false' }).default(true),
  backend: BackendNameSchema.default('auto'),
  /** SQLite file; null means `.skills/skills.db` under the working directory. `dbUrl` wins when both are set. */
  dbPath: z.string().min(1, { error: 'dbPath must not be empty' }).nullable().default(null),
  /**
   * Where the store is, for any engine: a URL (`postgres://USER:PASSWORD@HOST/DB`, `sqlite:PATH`)
   * or a plain file path (SQLite). When set it wins over `dbPath`, from whichever source each
   * came; null means `dbPath`. Its password is never shown: messages use the engine's `describe`.
   */
  dbUrl: z.string().trim().min(1, { error: 'dbUrl must not be empty' }).nullable().default(null),
  /**
   * The project this process reads and writes (see `ProjectScopes`): its invocations,
   * recommendations, statistics and exports are that project's alone. Settings files key
   * `project`, environment `SKILLS_PROJECT`.
   */
  project: projectField('project').default(DEFAULT_PROJECT),
  mcpServerUrl: z.url({ error: 'mcpServerUrl must be an http(s) URL' }).default('http://127.0.0.1:8678'),
  /** How long an MCP call or health probe may take before the tracker falls back. */
  mcpTimeoutMs: z.number().int().min(1, { error: 'mcpTimeoutMs must be at least 1' }).max(600_000).default(2_000),
  /**
   * Recommendations less similar than this to the query are left out; null uses the embedder's
   * own threshold (lexical 0.15, transformer 0.3: their similarities live on different scales).
   */
  minSimilarity: unit('minSimilarity').nullable().default(null),
  maxRecommendations: z.number().int().min(1).max(100, { error: 'maxRecommendations must be at most 100' }).default(5),
  /** Weigh a skill's effectiveness in the asked workflow phase. */
  enablePhaseAware: z.boolean().default(true),
  /** How much phase effectiveness counts against similarity and success, 0..1. */
  phaseWeight: unit('phaseWeight').default(0.3),
  /** Invocations pending longer than this are marked abandoned. */
  abandonAfterSeconds: z.number().int().min(1).default(24 * 60 * 60),
  /** Replace secret shapes (API keys, tokens, passwords in URLs, private keys) in queries before storing them. */
  redactSecrets: z.boolean({ error: 'redactSecrets must be true or false' }).default(true),
  embedder: EmbedderChoiceSchema.default('auto'),
  /** Hugging Face model id for the transformer embedder. */
  embeddingModel: z.string().min(1).default('Xenova/all-MiniLM-L6-v2'),
  /** A local folder holding the transformer model; null uses the library's cache. */
  modelPath: z.string().min(1).nullable().default(null),
  /** Let the transformer embedder download its model once (off: nothing leaves the machine). */
  allowModelDownload: z.boolean().default(false),
  /**
   * The ranking: `learned` (similarity blended with a model trained on the history; the default,
   * as it won on MetaTool dev, see the README) or `similarity` (nearest past queries and success).
   */
  ranker: z.enum(['learned', 'similarity'], { error: 'ranker must be learned or similarity' }).default('learned'),
});
export type Settings = z.output<typeof SettingsSchema>;
export type SettingsInput = z.input<typeof SettingsSchema>;

/** The defaults, as parsed from an empty object. */
export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze(SettingsSchema.parse({}));
