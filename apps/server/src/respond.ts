import type { ServerResponse } from 'node:http';

/** Answers with `body` as JSON; answers are about the moment asked, so none is cached. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers }).end(JSON.stringify(body));
}
