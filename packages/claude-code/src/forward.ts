import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';

/** The server's answer to a forwarded event: what to print, or why the event must be handled here. */
export type Forwarded =
  | { readonly ok: true; readonly output: string }
  /** `listening` false: nothing listens at the address (the connection was refused). */
  | { readonly ok: false; readonly reason: string; readonly listening: boolean };

/** The server token the command sends (`SKILLS_SERVER_TOKEN`), if any. */
export function serverToken(env: Readonly<Record<string, string | undefined>>): string | undefined {
  return env['SKILLS_SERVER_TOKEN']?.trim() || undefined;
}

/**
 * Posts one hook event, as Claude Code wrote it, to the skills server's hook endpoint at
 * `endpointUrl` (the same endpoint Claude Code's HTTP hooks use, with the command's hook
 * settings in its query: see `hookSettingsQuery`), so that the server does the work with its
 * open store and warm recommender: one loopback request, nothing else loaded here. Uses
 * `node:http` (`node:https` only for an https URL), not `fetch`, which would load undici.
 * Resolves, never rejects: a refusal (an older server without the endpoint, a wrong token) or a
 * failure comes back as `{ ok: false, reason }`; a refused connection, which on loopback is
 * told at once, as `listening: false`.
 */
export async function forwardHookEvent(
  endpointUrl: string,
  body: string,
  options: { readonly token: string | undefined; readonly timeoutMs: number },
): Promise<Forwarded> {
  const { token, timeoutMs } = options;
  const url = new URL(endpointUrl);
  const { request } = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  const send = request as (url: URL, options: RequestOptions) => ClientRequest;
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
    req.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (error) => resolve({ ok: false, reason: error.message, listening: true }));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) return resolve({ ok: false, reason: `HTTP ${res.statusCode ?? '?'} from ${url.origin}${url.pathname}`, listening: true });
        // Only a JSON object is an answer Claude Code reads: anything else is printed as nothing.
        resolve({ ok: true, output: text.trimStart().startsWith('{') ? text : '' });
      });
    });
    req.end(body);
  });
}
