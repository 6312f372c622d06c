import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { hookEndpointUrl } from './settings-snippet.js';

/** The server's answer to a forwarded event: what to print, or why the event must be handled here. */
export type Forwarded =
  | { readonly ok: true; readonly output: string }
  /** `listening` false: nothing listens at the address (the connection was refused). */
  | { readonly ok: false; readonly reason: string; readonly listening: boolean };

/**
 * Posts one hook event, as Claude Code wrote it, to the skills server's hook endpoint (the same
 * endpoint Claude Code's HTTP hooks use), so that the server does the work with its open store
 * and warm recommender: one loopback request, nothing else loaded here. `query` carries this
 * process's hook settings (`hookSettingsQuery`), so that they hold whoever does the work. Uses `node:http`, which
 * Node has loaded already. Resolves, never rejects: a refusal (an older server without the
 * endpoint, a wrong token) or a failure comes back as `{ ok: false, reason }`.
 */
export function forwardHookEvent(
  serverUrl: string,
  body: string,
  options: { readonly token: string | undefined; readonly query: URLSearchParams; readonly timeoutMs: number },
): Promise<Forwarded> {
  const { token, timeoutMs } = options;
  const url = new URL(hookEndpointUrl(serverUrl));
  url.search = options.query.toString();
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = send(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      timeout: timeoutMs,
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) => resolve({ ok: false, reason: error.message, listening: (error as NodeJS.ErrnoException).code !== 'ECONNREFUSED' }));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (error) => resolve({ ok: false, reason: error.message, listening: true }));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) return resolve({ ok: false, reason: `HTTP ${res.statusCode ?? '?'} from ${url.href}`, listening: true });
        // Only a JSON object is an answer Claude Code reads: anything else is printed as nothing.
        resolve({ ok: true, output: text.trimStart().startsWith('{') ? text : '' });
      });
    });
    req.end(body);
  });
}
