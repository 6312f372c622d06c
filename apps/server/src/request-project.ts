import { parseOrThrow, ProjectSchema } from '@skills/protocol';

/**
 * The project an HTTP request names in its query (`?project=`), checked against the name rule;
 * undefined when absent or empty (the token's only project, else the server's, then applies).
 *
 * @throws {ValidationError} naming `project` and the rule.
 */
export function requestedProject(query: URLSearchParams): string | undefined {
  const value = query.get('project');
  return value === null || value === '' ? undefined : parseOrThrow(ProjectSchema, value, 'project');
}
