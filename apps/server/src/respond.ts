import type { ServerResponse } from 'node:http';

/** Answers with `body` as JSON; answers are about the moment asked, so none is cached. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers }).end(JSON.stringify(body));
}

/** Answers with a JSON-RPC error (no id: the request was not read, or not understood). */
export function sendRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  // The body of a 413 was not read to its end: the connection cannot carry another request.
  sendJson(res, status, { jsonrpc: '2.0', error: { code, message }, id: null }, status === 413 ? { connection: 'close' } : {});
}
