import { ALL_PROJECTS, ProjectAccessError } from '@skills/protocol';

/**
 * The projects a caller's token may read and write: every project (`*`, also what the server's
 * single token and a server without tokens give), or a fixed list from the token file.
 *
 * @example
 * const grant = ProjectGrant.of(['alpha']);
 * grant.allows('alpha'); // true
 * grant.projectOf(undefined, 'default'); // 'alpha': the token's only project
 * grant.projectOf('beta', 'default'); // throws ProjectAccessError
 */
export class ProjectGrant {
  /** Every project. */
  static readonly ALL = new ProjectGrant(ALL_PROJECTS);
  /** No project: what a request gets when nothing vouched for it (fails closed). */
  static readonly NONE = new ProjectGrant([]);

  readonly #projects: ReadonlySet<string> | typeof ALL_PROJECTS;

  private constructor(projects: readonly string[] | typeof ALL_PROJECTS) {
    this.#projects = projects === ALL_PROJECTS ? ALL_PROJECTS : new Set(projects);
  }

  /** The grant of a token file entry: `*`, or project names already checked against the name rule. */
  static of(projects: readonly string[] | typeof ALL_PROJECTS): ProjectGrant {
    return projects === ALL_PROJECTS ? ProjectGrant.ALL : new ProjectGrant(projects);
  }

  /** True when every project is allowed (and so the all-projects view of the dashboard). */
  get all(): boolean {
    return this.#projects === ALL_PROJECTS;
  }

  /** The projects named, sorted (empty for {@link ALL}). */
  get projects(): readonly string[] {
    return this.#projects === ALL_PROJECTS ? [] : [...this.#projects].sort();
  }

  allows(project: string): boolean {
    return this.#projects === ALL_PROJECTS || this.#projects.has(project);
  }

  /**
   * The project a call acts on: the one it names; else the token's only project (when it allows
   * exactly one); else the server's own (`fallback`, its `settings.project`).
   *
   * @throws {ProjectAccessError} when that project is not allowed. Nothing has been read then.
   */
  projectOf(requested: string | undefined, fallback: string): string {
    const only = this.#projects !== ALL_PROJECTS && this.#projects.size === 1 ? [...this.#projects][0]! : undefined;
    const project = requested ?? only ?? fallback;
    if (!this.allows(project)) throw new ProjectAccessError(project);
    return project;
  }
}
