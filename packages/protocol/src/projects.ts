import { z } from 'zod';
import type { EngineStore } from './engine.js';
import { SkillsError, ValidationError, type Violation } from './errors.js';
import { typed } from './fields.js';
import type { SkillsStore } from './store.js';

/** The project of invocations tracked with none named. A store from before projects holds only this one. */
export const DEFAULT_PROJECT = 'default';

/** In a token file, the project list that allows every project (never a project's own name). */
export const ALL_PROJECTS = '*';

/**
 * A project name: 1 to 64 characters, lowercase letters, digits, `.`, `_` and `-`, starting with a
 * letter or a digit. Lowercase only, so that `Team-A` and `team-a` cannot become two histories,
 * and safe as it is in URLs, file names and metric labels.
 */
export const PROJECT_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** The rule of {@link PROJECT_NAME_PATTERN}, in words, for messages. */
export const PROJECT_NAME_RULE = "1-64 characters: lowercase letters, digits, '.', '_' or '-', starting with a letter or a digit";

/** A project name field: the message names `field` and the rule. */
export const projectField = (field: string) =>
  z.string(typed(field, 'a string')).regex(PROJECT_NAME_PATTERN, { error: `${field} must be ${PROJECT_NAME_RULE}` });

/** A project name as the TypeScript API takes it (`project`). */
export const ProjectSchema = projectField('project');

/**
 * `project` when it is a project name; what engines check in `forProject`.
 *
 * @throws {ValidationError} at `project`, with the rule (whatever the value's type).
 */
export function checkProjectName(project: unknown): string {
  if (typeof project === 'string' && PROJECT_NAME_PATTERN.test(project)) return project;
  throw new ValidationError('project', [{ path: 'project', message: `project must be ${PROJECT_NAME_RULE}` }]);
}

/**
 * The entries written through the view of project `view` that name another project, each at
 * `<pathOf(i)>.project`: an engine refuses the write when there is any.
 */
export function foreignProjectViolations(
  view: string,
  entries: readonly { readonly project?: string | undefined }[],
  pathOf: (i: number) => string,
): Violation[] {
  const violations: Violation[] = [];
  entries.forEach((e, i) => {
    if (e.project !== undefined && e.project !== view) {
      violations.push({ path: `${pathOf(i)}.project`, message: `project must be "${view}" (this view's project) or absent, not "${e.project}"` });
    }
  });
  return violations;
}

/**
 * A store that keeps several projects' histories apart (SQLite and PostgreSQL do); found with
 * {@link isProjectStore}. The store itself sees every project: its reads cover them all, and a
 * record it writes goes to the record's `project` (or {@link DEFAULT_PROJECT}). A project's view
 * sees only that project, as if the store held nothing else: invocations, statistics, the
 * (query, skill) counts and queries the recommender reads, vectors, insights, the catalog, model
 * states and exports. A record written through a view goes to the view's project.
 *
 * @example
 * if (isProjectStore(store)) {
 *   const alpha = store.forProject('alpha');
 *   await alpha.applyBatch({ inserts: [record] }); // stored in project alpha
 *   await store.forProject('beta').countInvocations(); // 0: beta sees nothing of alpha
 *   await store.listProjects(); // ['alpha']
 * }
 */
export interface ProjectScopes {
  /**
   * The view of one project. It shares the store's connection: closing the view does nothing,
   * closing the store ends every view. Capabilities the store offers (change feed, model
   * states, diagnosis, upkeep, synchronous writes) are offered by the view too, scoped to it
   * where they read or write project data (a change feed may signal other projects' writes).
   *
   * @throws {ValidationError} when `project` breaks {@link PROJECT_NAME_RULE}.
   */
  forProject(project: string): EngineStore;
  /** Projects that hold at least one invocation or catalog entry, sorted. */
  listProjects(): Promise<string[]>;
}

/** A store with project views. */
export type ProjectStore = EngineStore & ProjectScopes;

/** True when `store` keeps projects apart. */
export function isProjectStore(store: SkillsStore): store is ProjectStore {
  const s = store as Partial<ProjectScopes>;
  return typeof s.forProject === 'function' && typeof s.listProjects === 'function';
}

/**
 * A caller named a project its credentials do not reach. Nothing was read or written.
 * The message names the project, never the token.
 */
export class ProjectAccessError extends SkillsError {
  readonly project: string;
  constructor(project: string) {
    super('PROJECT_FORBIDDEN', `project "${project}" is not allowed for this token`);
    this.project = project;
  }
}
