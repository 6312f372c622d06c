import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHookEndpoint, hooksDir } from '@skills/claude-code';
import type { SkillsServerApp } from './app.js';
import { readJsonBody } from './request-body.js';
import { sendJson } from './respond.js';

/**
 * `POST /hooks/claude-code`: Claude Code's `"type": "http"` hooks post the same JSON event the
 * `skills-hook` command reads, and read the same JSON answer. Served by `@skills/claude-code`'s
 * core on this server's service: no process per tool call, recommendations from the warm
 * recommender. Session state lives in `hooks/` beside the database. The request's query may set
 * the hook settings (`?recommend=off`). The answer is 200 with the JSON output (UserPromptSubmit)
 * or an empty 200; an event the hook ignores is logged, not refused.
 */
export function claudeCodeHooks(app: SkillsServerApp, maxBodyBytes: number): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const answer = createHookEndpoint({
    service: app.service,
    // The folder of this machine's skills files, as the settings (made absolute at load) name it.
    stateDir: hooksDir(app.service.settings, process.cwd()),
    log: (message) => app.logger.warn(`claude-code hook: ${message}`),
  });
  return async (req, res) => {
    const body = await readJsonBody(req, maxBodyBytes);
    if (!body.ok) return sendJson(res, body.status, { error: body.message }, body.status === 413 ? { connection: 'close' } : {});
    const output = await answer(body.value, new URL(req.url ?? '/', 'http://hooks').searchParams);
    if (output) sendJson(res, 200, output);
    else res.writeHead(200, { 'cache-control': 'no-store' }).end();
  };
}
