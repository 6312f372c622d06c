import { DEFAULT_PROJECT, isProjectStore, NotAvailableError, type EngineStore, type SkillsStore } from '@skills/protocol';

/**
 * The view of `project` on `store` (see `ProjectScopes`). A store whose engine keeps no
 * projects serves `default` alone: it is its own view of `default`.
 *
 * @throws {ValidationError} when `project` breaks the project name rule (from the engine).
 * @throws {NotAvailableError} when the store keeps no projects and `project` is not `default`.
 *
 * @example
 * const alpha = projectView(store, 'alpha');
 * await alpha.countInvocations(); // alpha's invocations only
 */
export function projectView(store: EngineStore, project: string): EngineStore;
export function projectView(store: SkillsStore, project: string): SkillsStore;
export function projectView(store: SkillsStore, project: string): SkillsStore {
  if (isProjectStore(store)) return store.forProject(project);
  if (project === DEFAULT_PROJECT) return store;
  throw new NotAvailableError(`project "${project}" cannot be used: this store engine keeps no projects (only "${DEFAULT_PROJECT}")`);
}
