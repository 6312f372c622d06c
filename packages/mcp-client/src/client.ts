import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import {
  CompleteInvocationArgsSchema,
  CompleteInvocationResultSchema,
  fromMcpRecommendation,
  fromMcpSkillStats,
  HealthCheckArgsSchema,
  MCP_TOOLS,
  parseOrThrow,
  ProjectSchema,
  RecommendSkillsArgsSchema,
  RecommendSkillsResultSchema,
  ServerHealthSchema,
  SkillStatsArgsSchema,
  SkillStatsResultSchema,
  TrackInvocationArgsSchema,
  TrackInvocationResultSchema,
  TrackInvocationsArgsSchema,
  TrackInvocationsResultSchema,
  type CompleteInvocationArgs,
  type CompleteInvocationResult,
  type HealthCheckArgs,
  type Recommendation,
  type RecommendSkillsArgs,
  type ServerHealth,
  type SkillStats,
  type SkillStatsArgs,
  type TrackInvocationArgs,
  type TrackInvocationResult,
  type TrackInvocationsArgs,
  type TrackInvocationsResult,
} from '@skills/protocol';
import { McpProtocolError, McpToolError, McpUnavailableError } from './errors.js';
import { describeNetworkError } from './probe.js';
import { loadMcpSdk, type McpSdk } from './sdk.js';
import { mcpEndpoint } from './url.js';

/** How to reach a skills server. */
export interface SkillsMcpClientOptions {
  /** The server's base URL (`http://127.0.0.1:8678`) or its MCP endpoint (`http://127.0.0.1:8678/mcp`). */
  readonly url: string | URL;
  /** The most connecting, and each call, may take; default 2000 ms. */
  readonly timeoutMs?: number;
  /** How this client introduces itself to the server; default `skills-mcp-client`. */
  readonly clientName?: string;
  /**
   * The server's bearer token (its `SKILLS_SERVER_TOKEN`), sent as `Authorization: Bearer <token>`
   * on every request. Needed when the server was started with a token.
   */
  readonly token?: string;
  /**
   * The project every call reads or writes, sent as each tool's `project` argument unless the
   * call names one. Absent: the server decides (the one project the token allows, else its own).
   * @throws {ValidationError} (from `connect`) when it breaks the project name rule.
   */
  readonly project?: string;
}

/** The part of a zod schema this client uses to check a result. */
interface ResultSchema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: ReadonlyArray<{ message: string }> } };
}

interface Session {
  readonly client: Client;
  readonly transport: StreamableHTTPClientTransport;
  /** The SDK the session was made with: its error classes tell its failures apart. */
  readonly sdk: McpSdk;
}

const DEFAULT_TIMEOUT_MS = 2_000;
const CLIENT_VERSION = '0.1.0';

/**
 * A typed client of the skills MCP server over Streamable HTTP. Every tool has a method taking
 * the tool's snake_case arguments, validated here with the same zod schemas the server uses
 * (bad arguments throw a `ValidationError` before anything is sent), and returning its typed
 * structured result; recommendations and statistics come back in the protocol's camelCase shapes.
 *
 * When the server restarts it forgets its sessions and answers the old session id with
 * HTTP 404: the client then opens a new session and retries the call once, so a long-lived
 * client survives restarts. Failures throw {@link McpUnavailableError} (not reachable, too slow)
 * or {@link McpToolError} (the tool refused), never a raw transport error.
 *
 * @example
 * const client = await SkillsMcpClient.connect({ url: 'http://127.0.0.1:8678', timeoutMs: 1000 });
 * const { invocation_id } = await client.trackInvocation({ session_id: 's1', skill_name: 'code-reviewer', user_query: 'review my PR' });
 * await client.completeInvocation({ invocation_id, completed: true });
 * const top = await client.recommendSkills({ user_query: 'review this diff', limit: 3 });
 * await client.close();
 */
export class SkillsMcpClient {
  /** The MCP endpoint this client talks to. */
  readonly endpoint: URL;
  readonly timeoutMs: number;
  readonly #clientName: string;
  readonly #token: string | undefined;
  /** Sent as `project` by every tool call that names none. */
  readonly project: string | undefined;
  #session: Session | undefined;
  #opening: Promise<Session> | undefined;
  #closed = false;

  private constructor(options: SkillsMcpClientOptions) {
    this.endpoint = mcpEndpoint(options.url);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#clientName = options.clientName ?? 'skills-mcp-client';
    this.#token = options.token;
    this.project = options.project === undefined ? undefined : parseOrThrow(ProjectSchema, options.project, 'project');
  }

  /**
   * Connects (the MCP initialize handshake) within `timeoutMs`.
   *
   * @throws {McpUnavailableError} when the server cannot be reached or does not answer in time.
   */
  static async connect(options: SkillsMcpClientOptions): Promise<SkillsMcpClient> {
    const client = new SkillsMcpClient(options);
    await client.#open();
    return client;
  }

  /** The server's session id, while connected. */
  get sessionId(): string | undefined {
    return this.#session?.transport.sessionId;
  }

  /** Records the start of an invocation. Give `invocation_id` to make a retry idempotent. */
  async trackInvocation(args: TrackInvocationArgs): Promise<TrackInvocationResult> {
    const valid = parseOrThrow(TrackInvocationArgsSchema, args, `${MCP_TOOLS.trackInvocation} arguments`);
    return this.#typedCall(MCP_TOOLS.trackInvocation, valid, TrackInvocationResultSchema);
  }

  /** Ends an invocation, by id or as the latest open one of a skill in a session. */
  async completeInvocation(args: CompleteInvocationArgs): Promise<CompleteInvocationResult> {
    const valid = parseOrThrow(CompleteInvocationArgsSchema, args, `${MCP_TOOLS.completeInvocation} arguments`);
    return this.#typedCall(MCP_TOOLS.completeInvocation, valid, CompleteInvocationResultSchema);
  }

  /**
   * Writes a batch of records with ids (pending or finished), completions and abandonments in
   * one call. Ids already stored are skipped and counted in `duplicates`, so a batch can be
   * replayed safely. At most `MCP_BATCH_LIMIT` entries per list.
   */
  async trackInvocations(args: TrackInvocationsArgs): Promise<TrackInvocationsResult> {
    const valid = parseOrThrow(TrackInvocationsArgsSchema, args, `${MCP_TOOLS.trackInvocations} arguments`);
    return this.#typedCall(MCP_TOOLS.trackInvocations, valid, TrackInvocationsResultSchema);
  }

  /** Skills ranked for a query, best first, in the protocol's `Recommendation` shape. */
  async recommendSkills(args: RecommendSkillsArgs): Promise<Recommendation[]> {
    const valid = parseOrThrow(RecommendSkillsArgsSchema, args, `${MCP_TOOLS.recommendSkills} arguments`);
    const result = await this.#typedCall(MCP_TOOLS.recommendSkills, valid, RecommendSkillsResultSchema);
    return result.recommendations.map(fromMcpRecommendation);
  }

  /** Per-skill statistics, most used first, in the protocol's `SkillStats` shape. */
  async skillStats(args: SkillStatsArgs = {}): Promise<SkillStats[]> {
    const valid = parseOrThrow(SkillStatsArgsSchema, args, `${MCP_TOOLS.skillStats} arguments`);
    const result = await this.#typedCall(MCP_TOOLS.skillStats, valid, SkillStatsResultSchema);
    return result.skills.map(fromMcpSkillStats);
  }

  /** The server's health, over MCP (the same document as `GET /health`); its count is `project`'s when named. */
  async healthCheck(args: HealthCheckArgs = {}): Promise<ServerHealth> {
    const valid = parseOrThrow(HealthCheckArgsSchema, args, `${MCP_TOOLS.healthCheck} arguments`);
    return this.#typedCall(MCP_TOOLS.healthCheck, valid, ServerHealthSchema);
  }

  /**
   * Calls any tool with arguments as given, unvalidated (the client's `project` added when they
   * name none), and returns the raw MCP result (`isError` set when the tool refused). For tools
   * this client has no method for, and tests.
   */
  callTool(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
    return this.#call(name, args);
  }

  /** The names of the tools the server offers. */
  async listTools(): Promise<string[]> {
    const { tools } = await this.#withSession((session) => session.client.listTools(undefined, { timeout: this.timeoutMs }));
    return tools.map((t) => t.name);
  }

  /** Ends the server session (HTTP DELETE) and closes the connection. Idempotent; never throws. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const session = this.#session ?? (await this.#opening?.catch(() => undefined));
    this.#session = undefined;
    if (!session) return;
    // client.close() alone would leave the session in the server's memory until it expires.
    await session.transport.terminateSession().catch(() => {});
    await session.client.close().catch(() => {});
  }

  async #typedCall<T>(tool: string, validArgs: object, resultSchema: ResultSchema<T>): Promise<T> {
    const result = await this.#call(tool, validArgs as Record<string, unknown>);
    if (result.isError) throw new McpToolError(tool, textOf(result));
    const parsed = resultSchema.safeParse(result.structuredContent);
    if (!parsed.success) {
      throw new McpProtocolError(`${tool}: the server's result has an unexpected shape: ${parsed.error.issues[0]?.message ?? ''}`);
    }
    return parsed.data;
  }

  async #call(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
    // A validated argument list holds `project: undefined` when none was given.
    const sent = this.project !== undefined && args['project'] == null ? { ...args, project: this.project } : args;
    const result = await this.#withSession((session) =>
      session.client.callTool({ name, arguments: sent }, undefined, { timeout: this.timeoutMs }),
    );
    return result as CallToolResult;
  }

  /** Runs `fn` on the session; after a restart of the server (404 unknown session), reconnects and retries once. */
  async #withSession<T>(fn: (session: Session) => Promise<T>): Promise<T> {
    const session = await this.#current();
    try {
      return await fn(session);
    } catch (error) {
      if (!isUnknownSession(error, session.sdk)) throw this.#mapError(error, session.sdk);
      // The server never saw the call (it rejected the session first): retrying is safe.
      if (this.#session === session) this.#session = undefined;
      void session.client.close().catch(() => {});
      try {
        return await fn(await this.#current());
      } catch (retryError) {
        throw this.#mapError(retryError, session.sdk);
      }
    }
  }

  #current(): Promise<Session> {
    if (this.#closed) return Promise.reject(new McpUnavailableError('the client is closed', { reason: 'client closed' }));
    return this.#session ? Promise.resolve(this.#session) : this.#open();
  }

  #open(): Promise<Session> {
    this.#opening ??= this.#connect().finally(() => (this.#opening = undefined));
    return this.#opening;
  }

  async #connect(): Promise<Session> {
    const sdk = await loadMcpSdk();
    const transport = new sdk.StreamableHTTPClientTransport(this.endpoint, {
      fetch: boundedFetch(this.timeoutMs),
      ...(this.#token !== undefined ? { requestInit: { headers: { authorization: `Bearer ${this.#token}` } } } : {}),
    });
    const client = new sdk.Client({ name: this.#clientName, version: CLIENT_VERSION });
    // Transport errors also reject the call that met them; this only keeps them off stderr.
    client.onerror = () => {};
    try {
      await client.connect(transport, { timeout: this.timeoutMs });
    } catch (error) {
      await client.close().catch(() => {});
      throw this.#mapError(error, sdk, 'connect');
    }
    const session = { client, transport, sdk };
    if (this.#closed) {
      await transport.terminateSession().catch(() => {});
      await client.close().catch(() => {});
      throw new McpUnavailableError('the client is closed');
    }
    this.#session = session;
    return session;
  }

  #mapError(error: unknown, { McpError, ErrorCode, StreamableHTTPError }: McpSdk, what = 'call'): Error {
    if (error instanceof McpUnavailableError || error instanceof McpToolError || error instanceof McpProtocolError) return error;
    const unavailable = (reason: string, timedOut = false) =>
      new McpUnavailableError(`skills server at ${this.endpoint.href}: ${reason} (${what})`, { reason, timedOut, cause: error });
    if (error instanceof McpError) {
      if (error.code === ErrorCode.RequestTimeout) return unavailable(`no answer within ${this.timeoutMs} ms`, true);
      if (error.code === ErrorCode.ConnectionClosed) return unavailable('connection closed');
      return new McpToolError(what, error.message.replace(/^MCP error -?\d+: /, ''));
    }
    if (error instanceof StreamableHTTPError && error.code === 401) {
      return unavailable(this.#token === undefined ? 'HTTP 401: the server requires a token' : 'HTTP 401: the server refused the token');
    }
    if (error instanceof StreamableHTTPError) return unavailable(`HTTP ${error.code ?? '?'}`);
    const reason = describeNetworkError(error, this.timeoutMs);
    return unavailable(reason, reason.startsWith('no answer within'));
  }
}

/** True for the server's answer to a session id it does not know (it restarted, or the session expired). */
function isUnknownSession(error: unknown, { StreamableHTTPError }: McpSdk): boolean {
  return error instanceof StreamableHTTPError && error.code === 404;
}

function textOf(result: CallToolResult): string {
  const text = result.content
    .filter((c): c is { type: 'text'; text: string } => c.type === 'text')
    .map((c) => c.text)
    .join('\n');
  return text || 'the tool failed without a message';
}

/**
 * `fetch` with a deadline on every request but the long-lived GET event stream, so that a slow
 * or hung server never leaves sockets waiting after the call itself has timed out.
 */
function boundedFetch(timeoutMs: number) {
  return (url: string | URL, init?: RequestInit): Promise<Response> => {
    if ((init?.method ?? 'GET').toUpperCase() === 'GET') return fetch(url, init);
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    return fetch(url, { ...init, signal });
  };
}
