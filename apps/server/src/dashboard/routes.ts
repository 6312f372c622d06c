import type { IncomingMessage, ServerResponse } from 'node:http';
import { isChangeFeedStore, NotAvailableError, ValidationError, type Logger } from '@skills/protocol';
import { Dashboard, type SkillsService } from '@skills/tracker';
import { sendJson } from '../respond.js';
import { ChangeEvents } from './events.js';
import { StaticFiles } from './static-files.js';

const API = '/api/';

/**
 * The dashboard: its page at `/` and the JSON endpoints it calls (documented in the README), for
 * anything else that wants the same figures:
 * - `GET /api/overview?bucket=hour|day`
 * - `GET /api/skills/{name}?bucket=hour|day`
 * - `GET /api/recommend?query=...&phase=...&limit=...`
 * - `GET /api/events`: server-sent `change` events.
 */
export class DashboardRoutes {
  readonly #dashboard: Dashboard | undefined;
  readonly #files: StaticFiles | 'missing';
  readonly events: ChangeEvents | undefined;

  constructor(service: SkillsService, logger: Logger, files: StaticFiles | 'missing' = StaticFiles.load()) {
    this.#files = files;
    try {
      this.#dashboard = Dashboard.of(service);
    } catch (error) {
      if (!(error instanceof NotAvailableError)) throw error;
      logger.warn(`no dashboard: ${error.message}`);
    }
    const dashboard = this.#dashboard;
    this.events = dashboard ? new ChangeEvents(() => dashboard.revision(), logger, { changes: isChangeFeedStore(service.store) ? service.store : undefined }) : undefined;
  }

  /** True for the paths answered here: the page's files and everything under `/api/`. */
  serves(path: string): boolean {
    return path === '/' || path === '/app.js' || path === '/app.css' || path.startsWith(API);
  }

  /** Answers a request for a path it {@link serves}. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendJson(res, 405, { error: `method ${req.method} not allowed on ${url.pathname}: the dashboard only reads` }, { allow: 'GET, HEAD' });
    }
    if (!url.pathname.startsWith(API)) {
      if (this.#files === 'missing') {
        return sendJson(res, 503, { error: 'the dashboard page was not built: run `pnpm build` (or `pnpm --filter @skills/server build`)' });
      }
      return this.#files.send(req, res, url.pathname);
    }
    const dashboard = this.#dashboard;
    if (!dashboard || !this.events) return sendJson(res, 501, { error: 'this store does not compute dashboard figures (use the SQLite store)' });
    const q = url.searchParams;
    const bucket = (q.get('bucket') ?? undefined) as 'hour' | 'day' | undefined;
    try {
      const route = url.pathname.slice(API.length);
      if (route === 'overview') return sendJson(res, 200, await dashboard.overview(bucket));
      if (route === 'events') return await this.events.listen(req, res);
      if (route === 'recommend') {
        const limit = q.get('limit');
        const phase = q.get('phase');
        const answer = await dashboard.recommend({
          userQuery: q.get('query') ?? '',
          ...(limit !== null && limit !== '' ? { limit: Number(limit) } : {}),
          ...(phase !== null && phase !== '' ? { workflowPhase: phase } : {}),
        });
        return sendJson(res, 200, answer);
      }
      if (route.startsWith('skills/')) {
        const name = decodeSegment(route.slice('skills/'.length));
        if (name === undefined) return sendJson(res, 400, { error: 'the skill name in the path is not valid percent-encoding' });
        const page = await dashboard.skill(name, bucket);
        return page ? sendJson(res, 200, page) : sendJson(res, 404, { error: `no invocation of skill "${name}" is stored` });
      }
      return sendJson(res, 404, { error: `no such endpoint: ${url.pathname} (try /api/overview, /api/skills/{name}, /api/recommend or /api/events)` });
    } catch (error) {
      if (error instanceof ValidationError) return sendJson(res, 400, { error: error.message, violations: error.violations });
      throw error;
    }
  }

  /** Ends the event streams, so that closing the server does not wait for open pages. */
  close(): void {
    this.events?.close();
  }
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
