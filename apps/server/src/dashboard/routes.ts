import type { IncomingMessage, ServerResponse } from 'node:http';
import { ALL_PROJECTS, isChangeFeedStore, NotAvailableError, ProjectAccessError, ValidationError, type Logger } from '@skills/protocol';
import { DEFAULT_MAX_PROJECT_SERVICES, Dashboard, ProjectCache } from '@skills/tracker';
import type { SkillsServerApp } from '../app.js';
import type { ProjectGrant } from '../project-grant.js';
import { requestedProject } from '../request-project.js';
import { sendJson } from '../respond.js';
import { ChangeEvents } from './events.js';
import type { DashboardProjects } from './project-list.js';
import { StaticFiles } from './static-files.js';

const API = '/api/';

/** One project's figures and its live updates (or every project's, under {@link ALL_PROJECTS}). */
interface DashboardView {
  readonly dashboard: Dashboard;
  readonly events: ChangeEvents;
}

/**
 * The dashboard: its page at `/` and the JSON endpoints it calls (documented in the README), for
 * anything else that wants the same figures. Each takes `?project=` (else the token's only
 * project, else the server's): a project the token does not reach is refused (403), and `*` is
 * every project together, for a token allowed every project.
 * - `GET /api/projects`: the projects the token may pick, and the one shown by default
 * - `GET /api/overview?bucket=hour|day`
 * - `GET /api/skills/{name}?bucket=hour|day`
 * - `GET /api/recommend?query=...&phase=...&limit=...` (one project's)
 * - `GET /api/events`: server-sent `change` events of the project.
 */
export class DashboardRoutes {
  readonly #app: Pick<SkillsServerApp, 'service' | 'serviceFor'>;
  readonly #logger: Logger;
  readonly #files: StaticFiles | 'missing';
  /** Each project's view, as many as the services the server keeps open; one with open pages stays. */
  readonly #views = new ProjectCache<DashboardView | 'unavailable'>(DEFAULT_MAX_PROJECT_SERVICES, (project) => this.#open(project), {
    idle: (view) => view === 'unavailable' || view.events.listeners === 0,
    drop: (view) => view !== 'unavailable' && view.events.close(),
  });

  constructor(app: Pick<SkillsServerApp, 'service' | 'serviceFor'>, logger: Logger, files: StaticFiles | 'missing' = StaticFiles.load()) {
    this.#app = app;
    this.#logger = logger;
    this.#files = files;
  }

  /** True for the paths answered here: the page's files and everything under `/api/`. */
  serves(path: string): boolean {
    return path === '/' || path === '/app.js' || path === '/app.css' || path.startsWith(API);
  }

  /** Answers a request for a path it {@link serves}, for a caller whose token reaches `grant`'s projects. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL, grant: ProjectGrant): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendJson(res, 405, { error: `method ${req.method} not allowed on ${url.pathname}: the dashboard only reads` }, { allow: 'GET, HEAD' });
    }
    if (!url.pathname.startsWith(API)) {
      if (this.#files === 'missing') {
        return sendJson(res, 503, { error: 'the dashboard page was not built: run `pnpm build` (or `pnpm --filter @skills/server build`)' });
      }
      return this.#files.send(req, res, url.pathname);
    }
    const q = url.searchParams;
    const route = url.pathname.slice(API.length);
    let project: string;
    try {
      project = this.#projectOf(q, grant);
    } catch (error) {
      if (error instanceof ValidationError) return sendJson(res, 400, { error: error.message, violations: error.violations });
      if (error instanceof ProjectAccessError) return sendJson(res, 403, { error: error.message, code: error.code });
      throw error;
    }
    if (route === 'projects') return sendJson(res, 200, await this.#projects(grant, project));
    const view = this.#view(project);
    if (!view) return sendJson(res, 501, { error: 'this store does not compute dashboard figures (use the SQLite store)' });
    const { dashboard, events } = view;
    const bucket = (q.get('bucket') ?? undefined) as 'hour' | 'day' | undefined;
    try {
      if (route === 'overview') return sendJson(res, 200, await dashboard.overview(bucket));
      if (route === 'events') return await events.listen(req, res);
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
      return sendJson(res, 404, {
        error: `no such endpoint: ${url.pathname} (try /api/projects, /api/overview, /api/skills/{name}, /api/recommend or /api/events)`,
      });
    } catch (error) {
      if (error instanceof ValidationError) return sendJson(res, 400, { error: error.message, violations: error.violations });
      // The all-projects view recommends nothing: the page asks for a project.
      if (error instanceof NotAvailableError && project === ALL_PROJECTS) return sendJson(res, 400, { error: error.message });
      throw error;
    }
  }

  /** Ends the event streams, so that closing the server does not wait for open pages. */
  close(): void {
    for (const view of this.#views.values()) if (view !== 'unavailable') view.events.close();
  }

  /**
   * The project a request shows: `?project=` (`*`: every project, for a token allowed every
   * project); else the token's only project; else the server's when the token reaches it; else
   * the token's first.
   *
   * @throws {ValidationError} for a bad name. {@link ProjectAccessError} for a project the token does not reach.
   */
  #projectOf(q: URLSearchParams, grant: ProjectGrant): string {
    if (q.get('project') === ALL_PROJECTS) {
      if (!grant.all) throw new ProjectAccessError(ALL_PROJECTS);
      return ALL_PROJECTS;
    }
    const requested = requestedProject(q);
    const own = this.#app.service.project;
    if (requested === undefined && !grant.all && grant.projects.length > 1 && !grant.allows(own)) return grant.projects[0]!;
    return grant.projectOf(requested, own);
  }

  /** What the picker offers: the token's projects (every project holding data, and the server's, for `*`). */
  async #projects(grant: ProjectGrant, shown: string): Promise<DashboardProjects> {
    const own = this.#app.service.project;
    const projects = grant.all ? [...new Set([...(await this.#app.service.listProjects()), own])].sort() : [...grant.projects];
    return { projects, project: shown, allProjects: grant.all };
  }

  /** The view of `project` (or of every project), made on first use; undefined when the store computes no figures. */
  #view(project: string): DashboardView | undefined {
    const view = this.#views.get(project);
    return view === 'unavailable' ? undefined : view;
  }

  #open(project: string): DashboardView | 'unavailable' {
    const service = project === ALL_PROJECTS ? this.#app.service : this.#app.serviceFor(project);
    let dashboard: Dashboard;
    try {
      dashboard = project === ALL_PROJECTS ? Dashboard.ofAllProjects(service) : Dashboard.of(service);
    } catch (error) {
      if (!(error instanceof NotAvailableError)) throw error;
      this.#logger.warn(`no dashboard: ${error.message}`);
      return 'unavailable';
    }
    const store = project === ALL_PROJECTS ? service.allProjects : service.store;
    const events = new ChangeEvents(() => dashboard.revision(), this.#logger, { changes: isChangeFeedStore(store) ? store : undefined });
    return { dashboard, events };
  }
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
