import { McpUnavailableError, SkillsMcpClient } from '@skills/mcp-client';
import type { Logger, Recommendation, RecommendSkillsArgs, TrackInvocationsArgs, TrackInvocationsResult } from '@skills/protocol';

/** What the MCP tracker needs of a client: `SkillsMcpClient` is one. */
export interface McpTrackerClient {
  trackInvocations(args: TrackInvocationsArgs): Promise<TrackInvocationsResult>;
  recommendSkills(args: RecommendSkillsArgs): Promise<Recommendation[]>;
  close(): Promise<void>;
}

/** Connects to the server at `url` within `timeoutMs`, or throws why not. */
export type McpConnector = (url: string, timeoutMs: number) => Promise<McpTrackerClient>;

/**
 * The default connector: a {@link SkillsMcpClient}. When `SKILLS_SERVER_TOKEN` is set in the
 * environment, it is sent as the server's bearer token.
 */
export const connectSkillsMcpClient: McpConnector = (url, timeoutMs) => {
  const token = process.env['SKILLS_SERVER_TOKEN']?.trim();
  return SkillsMcpClient.connect({ url, timeoutMs, clientName: 'skills-tracker', ...(token ? { token } : {}) });
};

/** The timers a {@link ServerLink} waits with; tests pass their own to step time by hand. */
export interface LinkTimers {
  set(run: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

/** Real timers, unref'd: waiting to reconnect never keeps the host alive. */
export const UNREF_TIMERS: LinkTimers = {
  set(run, ms) {
    const timer = setTimeout(run, ms);
    timer.unref();
    return timer;
  },
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** How to open a {@link ServerLink}. */
export interface ServerLinkOptions {
  readonly url: string;
  readonly timeoutMs: number;
  readonly connect: McpConnector;
  readonly logger: Logger;
  /** The first wait before trying again; doubled after each failed attempt, up to 60 times. */
  readonly reconnectIntervalMs: number;
  /** Named in the fallback warning: where tracking goes meanwhile. */
  readonly spoolDir: string;
  readonly timers?: LinkTimers;
  /** A call failed (counted by the tracker). */
  readonly onFailure: (error: unknown) => void;
  /** The server is back after a fallback: replay and send. */
  readonly onBack: () => void;
}

/** Why the link fell back, and since when. */
export interface Fallback {
  readonly reason: string;
  readonly at: string;
}

/**
 * The MCP tracker's connection to the server: connects, falls back when a call fails (logging
 * once per reason), and tries again with a growing interval until the server answers.
 */
export class ServerLink {
  readonly #options: ServerLinkOptions;
  readonly #timers: LinkTimers;
  #client: McpTrackerClient | null = null;
  #fallback: Fallback | undefined;
  #timer: unknown;
  #attempts = 0;
  #loggedReason: string | undefined;
  #stopped = false;

  constructor(options: ServerLinkOptions) {
    this.#options = options;
    this.#timers = options.timers ?? UNREF_TIMERS;
  }

  /** The client, while the server is reachable; null while fallen back or closed. */
  get client(): McpTrackerClient | null {
    return this.#fallback ? null : this.#client;
  }

  /** Set while fallen back. */
  get fallback(): Fallback | undefined {
    return this.#fallback;
  }

  /** The first connection; when it fails the link starts fallen back (it never throws). */
  async connect(): Promise<boolean> {
    try {
      this.#client = await this.#options.connect(this.#options.url, this.#options.timeoutMs);
      return true;
    } catch (error) {
      this.fallBack(error);
      return false;
    }
  }

  /** A call failed: from now on the tracker spools, until a reconnection succeeds. */
  fallBack(error: unknown): void {
    this.#options.onFailure(error);
    if (this.#fallback) return;
    const reason = reasonOf(error);
    this.#fallback = { reason, at: new Date().toISOString() };
    const client = this.#client;
    this.#client = null;
    void client?.close().catch(() => {});
    // Once per reason: a server that keeps failing the same way is not announced every attempt.
    if (reason !== this.#loggedReason) {
      this.#options.logger.warn(
        `skills server at ${this.#options.url} not available (${reason}); ` +
          `tracking into the local spool ${this.#options.spoolDir} until it is back`,
      );
      this.#loggedReason = reason;
    }
    this.#scheduleReconnect();
  }

  /** A call went through: the next outage is announced again, and retried from the shortest interval. */
  recovered(): void {
    this.#attempts = 0;
    this.#loggedReason = undefined;
  }

  /** Tries the server again now instead of waiting for the next attempt; resolves true when connected. */
  async reconnectNow(): Promise<boolean> {
    this.#clearTimer();
    await this.#reconnect();
    return this.#fallback === undefined && this.#client !== null;
  }

  /** No more reconnection attempts (the tracker is closing); the current client stays usable. */
  stopReconnecting(): void {
    this.#stopped = true;
    this.#clearTimer();
  }

  /** Stops reconnecting and ends the server session. */
  async close(): Promise<void> {
    this.stopReconnecting();
    const client = this.#client;
    this.#client = null;
    await client?.close().catch(() => {});
  }

  /** The next attempt: the interval, doubled after each attempt that failed (at most 60 times it). */
  #scheduleReconnect(): void {
    if (this.#timer !== undefined || this.#stopped) return;
    const delay = this.#options.reconnectIntervalMs * Math.min(2 ** this.#attempts, 60);
    this.#attempts++;
    this.#timer = this.#timers.set(() => {
      this.#timer = undefined;
      void this.#reconnect();
    }, delay);
  }

  async #reconnect(): Promise<void> {
    if (this.#stopped || !this.#fallback) return;
    let client: McpTrackerClient;
    try {
      client = await this.#options.connect(this.#options.url, this.#options.timeoutMs);
    } catch {
      this.#scheduleReconnect();
      return;
    }
    if (this.#stopped) {
      await client.close().catch(() => {});
      return;
    }
    this.#client = client;
    this.#fallback = undefined;
    if (this.#loggedReason !== undefined) {
      this.#options.logger.info(`skills server at ${this.#options.url} is back; replaying the spool`);
    }
    this.#options.onBack();
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.#timers.clear(this.#timer);
    this.#timer = undefined;
  }
}

/** Why a call failed, in a few words: the client's short reason when it has one. */
export function reasonOf(error: unknown): string {
  if (error instanceof McpUnavailableError) return error.reason;
  return error instanceof Error ? error.message : String(error);
}
