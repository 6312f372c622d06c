/** A request's path, or why it is refused. */
export type RequestPath = { ok: true; path: string } | { ok: false; error: string };

/** `.` or `..`, also percent-encoded (`%2e`): URL parsers resolve these, so they would change the route. */
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

/**
 * The path of a request target (`/api/overview?x=1` -> `/api/overview`). A path with a `.` or
 * `..` segment is refused rather than resolved: `/api/../metrics` would otherwise be routed as
 * the dashboard's (it starts with `/api/`) and handled as `/metrics` once a URL parser resolved
 * it. No client of this server writes such paths.
 */
export function parseRequestPath(target: string | undefined): RequestPath {
  const path = (target ?? '/').split('?')[0]!;
  // A URL parser splits at `\` too.
  if (path.split(/[/\\]/).some((segment) => DOT_SEGMENT.test(segment))) {
    return { ok: false, error: 'paths with "." or ".." segments are refused: write the path without them' };
  }
  return { ok: true, path };
}
