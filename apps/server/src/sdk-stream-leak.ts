import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

/*
 * Workaround for modelcontextprotocol/typescript-sdk issue 2559 (SDK 1.x): in JSON-response mode
 * (`enableJsonResponse: true`) the transport puts one entry per POST into its `_streamMapping`
 * and, once the answer is sent, deletes the request's correlation but never that entry. A session
 * kept open for a day of calls grows without bound (70k calls: heap 42 -> 693 MB). The SDK's own
 * SSE path removes its entry when the last answer is written; this does the same for JSON
 * answers, from outside, after each request. Remove it once the SDK releases the fix on 1.x.
 */

/** The fields of the SDK's web-standard transport this reads (private in its typings). */
interface StreamTables {
  readonly _streamMapping: Map<string, { readonly resolveJson?: unknown }>;
  readonly _requestToStreamMapping: Map<unknown, string>;
}

function tablesOf(transport: StreamableHTTPServerTransport): StreamTables | undefined {
  const inner = (transport as unknown as { _webStandardTransport?: Partial<StreamTables> })._webStandardTransport;
  if (inner?._streamMapping instanceof Map && inner._requestToStreamMapping instanceof Map) return inner as StreamTables;
  return undefined;
}

/**
 * Drops the transport's entries for JSON answers already sent: entries no request still waits on.
 * An answer still being computed keeps its request's correlation, and so its entry.
 */
export function releaseAnsweredStreams(transport: StreamableHTTPServerTransport): void {
  const tables = tablesOf(transport);
  if (!tables) return;
  const waitedOn = new Set(tables._requestToStreamMapping.values());
  for (const [id, stream] of tables._streamMapping) if (stream.resolveJson !== undefined && !waitedOn.has(id)) tables._streamMapping.delete(id);
}

/**
 * How many answer streams the transport holds: requests in flight once the workaround runs.
 * NaN when this SDK version keeps no such table (then the workaround does nothing; check the SDK).
 */
export function heldStreams(transport: StreamableHTTPServerTransport): number {
  return tablesOf(transport)?._streamMapping.size ?? Number.NaN;
}
