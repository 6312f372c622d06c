import { probeHealth, type HealthProbe } from '@skills/mcp-client';
import type {
  BackendInfo,
  InvocationCompleter,
  Logger,
  Recommendation,
  RecommendationQueryInput,
  Settings,
  SkillsStore,
  SkillsTracker,
  StoreEngine,
  TrackerHealth,
  TrackInvocationInput,
} from '@skills/protocol';
import { AfterClose } from '../after-close.js';
import { DirectTracker } from '../direct-tracker.js';
import { keepAliveUntil } from '../keep-alive.js';
import { SkillsService } from '../service.js';
import { McpTracker, type McpTrackerTuning } from './mcp-tracker.js';

/** Tuning of the `auto` backend; every field has a default. */
export interface AutoTrackerTuning extends McpTrackerTuning {
  /** While tracking directly, ask the server's health this often; default 30 s. */
  readonly reprobeIntervalMs?: number;
  /** The most the startup probe may take; default the smaller of `mcpTimeoutMs` and 1 s. */
  readonly probeTimeoutMs?: number;
  /** How to ask (tests); default `probeHealth` of `@skills/mcp-client`. */
  readonly probe?: (url: string, timeoutMs: number) => Promise<HealthProbe>;
}

/** How to open the `auto` backend. */
export interface AutoTrackerOptions extends AutoTrackerTuning {
  readonly settings: Settings;
  readonly cwd?: string;
  readonly logger: Logger;
  readonly sessionId: string;
  /** Track directly into this store instead of the one the settings name. */
  readonly store?: SkillsStore;
  /** The engines that may open the store the settings name (see `SkillsService.open`). */
  readonly engines?: readonly StoreEngine[];
}

/**
 * The `auto` backend: asks the server's `GET /health` once, quickly; when it answers, an
 * {@link McpTracker} (which falls back to its spool by itself if the server goes away later);
 * otherwise an {@link AutoTracker} that tracks directly into the database and keeps asking, so
 * a server started later is picked up.
 */
export async function openAutoTracker(options: AutoTrackerOptions): Promise<SkillsTracker> {
  const probe = options.probe ?? probeHealth;
  const url = options.settings.mcpServerUrl;
  const timeoutMs = options.probeTimeoutMs ?? Math.min(options.settings.mcpTimeoutMs, 1_000);
  const answer = await probe(url, timeoutMs);
  if (answer.ok) return McpTracker.open({ ...options, requested: 'auto' });
  const { settings, cwd, logger, store, engines } = options;
  const service = await SkillsService.open({ settings, cwd, logger, store, engines });
  const direct = new DirectTracker(service, { sessionId: options.sessionId, backend: { kind: 'direct', requested: 'auto' } });
  logger.info(`skills server at ${url} not available (${answer.reason}); tracking directly into ${service.location}`);
  return new AutoTracker(direct, options);
}

/**
 * Tracks directly while the server is away and switches to it once its health answers.
 * Invocations started before the switch finish where they started.
 */
export class AutoTracker implements SkillsTracker {
  readonly #options: AutoTrackerOptions;
  readonly #retired: SkillsTracker[] = [];
  readonly #afterClose: AfterClose;
  #current: SkillsTracker;
  #timer: NodeJS.Timeout | undefined;
  #switching: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

  constructor(direct: DirectTracker, options: AutoTrackerOptions) {
    this.#current = direct;
    this.#options = options;
    this.#afterClose = new AfterClose(options.logger);
    this.#scheduleProbe();
  }

  trackInvocation(input: TrackInvocationInput): InvocationCompleter | null {
    return this.#afterClose.closed ? this.#afterClose.refuseTrack() : this.#current.trackInvocation(input);
  }

  getRecommendations(query: RecommendationQueryInput): Promise<Recommendation[]> {
    if (this.#afterClose.closed) return this.#afterClose.refuseRecommendations();
    return this.#current.getRecommendations(query);
  }

  isEnabled(): boolean {
    return true;
  }

  getBackend(): BackendInfo {
    return this.#current.getBackend();
  }

  health(): TrackerHealth {
    const all = [...this.#retired, this.#current].map((t) => t.health());
    return {
      tracked: all.reduce((n, h) => n + h.tracked, 0),
      completed: all.reduce((n, h) => n + h.completed, 0),
      failures: all.reduce((n, h) => n + h.failures, 0),
      lastError: all.map((h) => h.lastError).find((e) => e !== null) ?? null,
      refusedAfterClose: this.#afterClose.refused,
    };
  }

  async flush(): Promise<void> {
    await Promise.all([...this.#retired, this.#current].map((t) => t.flush()));
  }

  /** Closes every tracker it used; the process stays alive until it resolves. */
  close(): Promise<void> {
    this.#afterClose.close();
    this.#closing ??= keepAliveUntil(
      (async () => {
        if (this.#timer) clearTimeout(this.#timer);
        await this.#switching;
        await Promise.all([...this.#retired, this.#current].map((t) => t.close()));
      })(),
    );
    return this.#closing;
  }

  /** Asks the server now instead of at the next interval; resolves true when it switched. */
  async probeNow(): Promise<boolean> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#switching ??= this.#probe().finally(() => (this.#switching = undefined));
    await this.#switching;
    return this.#current.getBackend().kind === 'mcp';
  }

  #scheduleProbe(): void {
    if (this.#closing) return;
    this.#timer = setTimeout(() => void this.probeNow(), this.#options.reprobeIntervalMs ?? 30_000);
    this.#timer.unref();
  }

  async #probe(): Promise<void> {
    if (this.#closing || this.#current instanceof McpTracker) return;
    const { settings } = this.#options;
    const timeoutMs = this.#options.probeTimeoutMs ?? Math.min(settings.mcpTimeoutMs, 1_000);
    const answer = await (this.#options.probe ?? probeHealth)(settings.mcpServerUrl, timeoutMs);
    if (!answer.ok || this.#closing) {
      this.#scheduleProbe();
      return;
    }
    let mcp: McpTracker;
    try {
      mcp = await McpTracker.open({ ...this.#options, requested: 'auto' });
    } catch (error) {
      this.#options.logger.warn(`could not start tracking through the skills server: ${(error as Error).message}`);
      this.#scheduleProbe();
      return;
    }
    if (this.#closing) {
      await mcp.close();
      return;
    }
    if (mcp.getBackend().kind !== 'mcp') {
      // It answered its health but not MCP: stay direct and ask again later.
      await mcp.close();
      this.#scheduleProbe();
      return;
    }
    this.#retired.push(this.#current);
    this.#current = mcp;
    this.#options.logger.info(`skills server at ${settings.mcpServerUrl} answers; tracking through it from now on`);
  }
}
