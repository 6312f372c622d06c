import { DEFAULT_PROJECT } from '@skills/protocol';

/**
 * The `project` argument of a tool call for `project`: none for `default`, so that the server
 * decides (the one project the caller's token allows, else its own), as for a tracker that names
 * no project; the project itself otherwise.
 *
 * @example
 * client.recommendSkills({ user_query: 'deploy', ...projectArg(settings.project) });
 */
export function projectArg(project: string | undefined): { project?: string } {
  return project === undefined || project === DEFAULT_PROJECT ? {} : { project };
}
