import { SkillsError } from '@skills/protocol';

/**
 * The skills server could not be reached or did not answer in time: connection refused or
 * reset, a timeout, an HTTP error. The call may or may not have reached the server, so only
 * idempotent calls (client-supplied ids) should be retried.
 */
export class McpUnavailableError extends SkillsError {
  /** True when the call ran out of time (the server may still be working on it). */
  readonly timedOut: boolean;
  /** Why, in a few words, without the server's address: `connection refused (ECONNREFUSED)`. */
  readonly reason: string;
  constructor(message: string, options: { timedOut?: boolean; reason?: string; cause?: unknown } = {}) {
    super('MCP_UNAVAILABLE', message, { cause: options.cause });
    this.timedOut = options.timedOut ?? false;
    this.reason = options.reason ?? message;
  }
}

/**
 * The server answered, but the tool refused the call (bad arguments, an unknown invocation, a
 * storage failure on the server). The message is the server's, without any stack trace.
 */
export class McpToolError extends SkillsError {
  readonly tool: string;
  constructor(tool: string, message: string) {
    super('MCP_TOOL', `${tool}: ${message}`);
    this.tool = tool;
  }
}

/** The server's answer did not have the shape this client expects (a different version?). */
export class McpProtocolError extends SkillsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MCP_PROTOCOL', message, options);
  }
}
