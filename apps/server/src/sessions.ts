import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { heldStreams } from './sdk-stream-leak.js';

/** One MCP session over HTTP: its transport and the MCP server bound to it. */
export interface McpSession {
  readonly transport: StreamableHTTPServerTransport;
  readonly mcp: McpServer;
  lastSeen: number;
}

/** Limits of a {@link SessionStore}. */
export interface SessionLimits {
  /** Sessions unused this long are closed. */
  readonly idleMs: number;
  /** Open sessions at most; beyond, the least recently used one is closed. */
  readonly maxSessions: number;
}

/**
 * The open MCP sessions, by id: kept in memory, closed when idle too long, when the cap is
 * reached (least recently used first), or when the server stops. A closed session's client gets
 * 404 on its next request and opens a new session.
 */
export class SessionStore {
  readonly #sessions = new Map<string, McpSession>();
  readonly #limits: SessionLimits;
  readonly #sweep: NodeJS.Timeout;

  constructor(limits: SessionLimits) {
    this.#limits = { idleMs: limits.idleMs, maxSessions: Math.max(1, limits.maxSessions) };
    this.#sweep = setInterval(() => this.#closeIdle(), Math.min(limits.idleMs, 60_000));
    this.#sweep.unref();
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** Answer streams the sessions' transports hold (see `sdk-stream-leak.ts`): requests in flight. */
  get heldStreams(): number {
    let held = 0;
    for (const session of this.#sessions.values()) held += heldStreams(session.transport);
    return held;
  }

  /** The session with this id, marked as used now; undefined when there is none (closed, or never opened). */
  use(id: string): McpSession | undefined {
    const session = this.#sessions.get(id);
    if (session) session.lastSeen = Date.now();
    return session;
  }

  /** Adds a session that completed its initialize request. */
  add(id: string, transport: StreamableHTTPServerTransport, mcp: McpServer): void {
    this.#sessions.set(id, { transport, mcp, lastSeen: Date.now() });
  }

  /** Makes room for one more session: at the cap, the least recently used one is closed. */
  makeRoom(): void {
    if (this.#sessions.size < this.#limits.maxSessions) return;
    let oldest: [string, McpSession] | undefined;
    for (const entry of this.#sessions) if (!oldest || entry[1].lastSeen < oldest[1].lastSeen) oldest = entry;
    if (oldest) void this.close(oldest[0]);
  }

  /** Ends one session. */
  async close(id: string): Promise<void> {
    const session = this.#sessions.get(id);
    if (!session) return;
    this.#sessions.delete(id);
    await session.mcp.close().catch(() => {});
  }

  /** Ends every session and stops the idle sweep. */
  async closeAll(): Promise<void> {
    clearInterval(this.#sweep);
    await Promise.all([...this.#sessions.keys()].map((id) => this.close(id)));
  }

  #closeIdle(): void {
    const cutoff = Date.now() - this.#limits.idleMs;
    for (const [id, session] of this.#sessions) if (session.lastSeen < cutoff) void this.close(id);
  }
}
