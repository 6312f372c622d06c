/**
 * The MCP SDK's client parts, loaded on the first connection and shared afterwards. The SDK
 * (with ajv and its zod schemas) costs about 200 ms of CPU to load: importing this package stays
 * cheap for a process that never talks to a server.
 */
export interface McpSdk {
  readonly Client: typeof import('@modelcontextprotocol/sdk/client/index.js').Client;
  readonly StreamableHTTPClientTransport: typeof import('@modelcontextprotocol/sdk/client/streamableHttp.js').StreamableHTTPClientTransport;
  readonly StreamableHTTPError: typeof import('@modelcontextprotocol/sdk/client/streamableHttp.js').StreamableHTTPError;
  readonly McpError: typeof import('@modelcontextprotocol/sdk/types.js').McpError;
  readonly ErrorCode: typeof import('@modelcontextprotocol/sdk/types.js').ErrorCode;
}

let loading: Promise<McpSdk> | undefined;

/** The SDK's client parts, imported on first call. */
export function loadMcpSdk(): Promise<McpSdk> {
  loading ??= Promise.all([
    import('@modelcontextprotocol/sdk/client/index.js'),
    import('@modelcontextprotocol/sdk/client/streamableHttp.js'),
    import('@modelcontextprotocol/sdk/types.js'),
  ]).then(([client, http, types]) => ({
    Client: client.Client,
    StreamableHTTPClientTransport: http.StreamableHTTPClientTransport,
    StreamableHTTPError: http.StreamableHTTPError,
    McpError: types.McpError,
    ErrorCode: types.ErrorCode,
  }));
  return loading;
}
