import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHookEndpoint, hooksDir } from '@skills/claude-code';
import { ProjectAccessError, ValidationError } from '@skills/protocol';
import { DEFAULT_MAX_PROJECT_SERVICES, ProjectCache } from '@skills/tracker';
import type { SkillsServerApp } from './app.js';
import type { ProjectGrant } from './project-grant.js';
import { requestedProject } from './request-project.js';
import { readJsonBody } from './request-body.js';
import { sendJson } from './respond.js';

/**
 * `POST /hooks/claude-code`: Claude Code's `"type": "http"` hooks post the same JSON event the
 * `skills-hook` command reads, and read the same JSON answer. Served by `@skills/claude-code`'s
 * core on the project's service: no process per tool call, recommendations from the warm
 * recommender. Session state lives in `hooks/` beside the database. The request's query may set
 * the hook settings (`?recommend=off`) and the project (`?project=`; else the token's only
 * project, else the server's). The answer is 200 with the JSON output (UserPromptSubmit) or an
 * empty 200; an event the hook ignores is logged, not refused. A project the token does not
 * reach gets 403, a bad project name 400, before the body is read.
 */
export function claudeCodeHooks(
  app: SkillsServerApp,
  maxBodyBytes: number,
): (req: IncomingMessage, res: ServerResponse, grant: ProjectGrant) => Promise<void> {
  // As many as the services the server keeps open (a token allowed every project may name any
  // number); session state lives in files, so an endpoint made again loses nothing.
  const endpoints = new ProjectCache(DEFAULT_MAX_PROJECT_SERVICES, (project) =>
    createHookEndpoint({
      service: app.serviceFor(project),
      // The folder of this machine's skills files, as the settings (made absolute at load) name it.
      stateDir: hooksDir(app.service.settings, process.cwd()),
      log: (message) => app.logger.warn(`claude-code hook: ${message}`),
    }),
  );
  return async (req, res, grant) => {
    const query = new URL(req.url ?? '/', 'http://hooks').searchParams;
    let project: string;
    try {
      project = grant.projectOf(requestedProject(query), app.service.project);
    } catch (error) {
      if (error instanceof ValidationError) return sendJson(res, 400, { error: error.message }, { connection: 'close' });
      if (error instanceof ProjectAccessError) return sendJson(res, 403, { error: error.message, code: error.code }, { connection: 'close' });
      throw error;
    }
    const body = await readJsonBody(req, maxBodyBytes);
    if (!body.ok) return sendJson(res, body.status, { error: body.message }, body.status === 413 ? { connection: 'close' } : {});
    const output = await endpoints.get(project)(body.value, query);
    if (output) sendJson(res, 200, output);
    else res.writeHead(200, { 'cache-control': 'no-store' }).end();
  };
}
