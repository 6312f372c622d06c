import { readFileSync } from 'node:fs';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { consoleLogger, isDiagnosable, type Logger, type ServerHealth, type Settings, type SkillsStore, type StoreEngine } from '@skills/protocol';
import { SkillsService } from '@skills/tracker';
import { ENGINES } from './engines.js';
import { FailureLog } from './failure-log.js';
import { ServerMetrics } from './metrics.js';
import { ProjectGrant } from './project-grant.js';
import { createSkillsMcpServer } from './tools.js';

/** The health document, with the project whose invocations it counted. */
export type ProjectHealth = ServerHealth & { readonly project: string };

/** The server's version, from its package.json. */
export const SERVER_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** How to open a {@link SkillsServerApp}. */
export interface SkillsServerAppOptions {
  readonly settings: Settings;
  readonly cwd?: string;
  readonly logger?: Logger;
  /** Serve this store instead of the one the settings name (tests). */
  readonly store?: SkillsStore;
  /** The engines that may open the store the settings name; default those the server ships ({@link ENGINES}). */
  readonly engines?: readonly StoreEngine[];
  readonly transport: 'http' | 'stdio';
}

/**
 * What both transports serve: the service (store, embedder, recommender), the metrics, and a
 * factory of MCP servers with the tools registered. One per process; one MCP server per session.
 */
export class SkillsServerApp {
  readonly service: SkillsService;
  readonly metrics = new ServerMetrics();
  readonly logger: Logger;
  /** Where tools and routes report unexpected failures: logged once per condition, repeats counted. */
  readonly failures: FailureLog;
  readonly transport: 'http' | 'stdio';
  readonly version = SERVER_VERSION;
  readonly #started = performance.now();
  #embedderId: string | null = null;
  #closing: Promise<void> | undefined;
  /** The failed write (its time) whose fault the store's write probe also met: see {@link #acceptsWritesAgain}. */
  #probedFailure: string | undefined;

  private constructor(service: SkillsService, logger: Logger, transport: 'http' | 'stdio') {
    this.service = service;
    this.logger = logger;
    this.failures = new FailureLog(logger, this.metrics.repeatedFailures);
    this.transport = transport;
    this.metrics.gauge('skills_uptime_seconds', 'Seconds since the server started.', () => this.uptimeSeconds);
    this.metrics.gauge(
      'skills_info',
      'Version and embedder of this server (always 1).',
      () => [{ labels: { version: this.version, embedder: this.#embedderId ?? 'loading' }, value: 1 }],
      ['version', 'embedder'],
    );
    this.metrics.gauge(
      'skills_project_services',
      "Project services open (the server's own included): capped, the least recently used idle one closes beyond the cap.",
      () => this.service.openServices,
    );
  }

  /** Opens the database (creating it), and starts loading the embedder in the background. */
  static async open(options: SkillsServerAppOptions): Promise<SkillsServerApp> {
    const logger = options.logger ?? consoleLogger;
    const { settings, cwd, store, engines = ENGINES } = options;
    const service = await SkillsService.open({ settings, cwd, logger, store, engines });
    const app = new SkillsServerApp(service, logger, options.transport);
    // Loaded now so that the first recommendation is not slowed by it, and /health can name it.
    service.embedder().then(
      (embedder) => (app.#embedderId = embedder.id),
      (error: unknown) => logger.warn(`embedder not loaded yet: ${(error as Error).message}`),
    );
    return app;
  }

  get uptimeSeconds(): number {
    return (performance.now() - this.#started) / 1000;
  }

  /**
   * A new MCP server with every tool, for one session (HTTP) or the one stdio connection. Over
   * HTTP each call carries its token's grant (see `McpEndpoint`); a call without one reaches no
   * project. Over stdio the host that spawned the server owns it: every project.
   */
  createMcpServer(): McpServer {
    return createSkillsMcpServer({
      service: this.service,
      serviceFor: (project) => this.serviceFor(project),
      metrics: this.metrics,
      failures: this.failures,
      version: this.version,
      health: (project) => this.health(project),
      ungranted: this.transport === 'stdio' ? ProjectGrant.ALL : ProjectGrant.NONE,
    });
  }

  /** The service of `project` on this server's store (see `SkillsService.forProject`: a bounded number stay open). */
  serviceFor(project: string): SkillsService {
    return this.service.forProject(project);
  }

  /**
   * The health document of `GET /health` (the server's own project) and `health_check` (the
   * call's project): the invocations of that project. The last write's storage failure through
   * any project degrades it (they share the storage) until a write through any project succeeds.
   */
  async health(project: string = this.service.project): Promise<ProjectHealth> {
    let invocations: number | null = null;
    let error: string | undefined;
    try {
      invocations = await this.serviceFor(project).store.countInvocations();
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    const { writeError } = this.service;
    if (error === undefined && writeError && !(await this.#acceptsWritesAgain(writeError))) error = `the last write failed at ${writeError.at}: ${writeError.message}`;
    return {
      status: error === undefined ? 'ok' : 'degraded',
      version: this.version,
      uptime_seconds: Math.round(this.uptimeSeconds * 1000) / 1000,
      // The engine's description of the store: a URL's password never shows.
      database: { path: this.service.location, invocations, ...(error !== undefined ? { error } : {}) },
      embedder: this.#embedderId,
      transport: this.transport,
      project,
    };
  }

  /**
   * After a failed write: true when the store shows that it accepts writes again. Its probe (a
   * write that changes nothing, where the store offers one: PostgreSQL) must first have failed
   * too since that write, so that only a fault it can see (a database switched to read-only)
   * is declared over by it; any other (a full disk, a lost connection) lasts until a write succeeds.
   */
  async #acceptsWritesAgain(writeError: { readonly at: string }): Promise<boolean> {
    const { store } = this.service;
    if (!isDiagnosable(store)) return false;
    const accepted = await store.probeWrites().then(
      () => true,
      () => false,
    );
    if (!accepted) this.#probedFailure = writeError.at;
    return accepted && this.#probedFailure === writeError.at;
  }

  /** Closes the database. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.service.close();
    return this.#closing;
  }
}
