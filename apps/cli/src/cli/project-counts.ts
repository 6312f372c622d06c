import { DEFAULT_PROJECT, isProjectStore, type SkillsStore } from '@skills/protocol';
import { projectView } from '@skills/tracker';

/** One project of a store and how many invocations it holds. */
export interface ProjectCount {
  readonly project: string;
  readonly invocations: number;
}

/**
 * The projects holding data in `store` (the whole store) with their invocation counts, sorted by
 * name; a store whose engine keeps no projects is one project, `default`.
 */
export async function projectCounts(store: SkillsStore): Promise<ProjectCount[]> {
  const projects = isProjectStore(store) ? await store.listProjects() : [DEFAULT_PROJECT];
  return Promise.all(projects.map(async (project) => ({ project, invocations: await projectView(store, project).countInvocations() })));
}
