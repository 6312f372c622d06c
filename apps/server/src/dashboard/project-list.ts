/**
 * What `GET /api/projects` answers: the dashboard's project picker. Shared with the page
 * (`web/src/project-picker.ts`), which imports this type only.
 */
export interface DashboardProjects {
  /** The projects the token may show, sorted. For a token allowed every project: those holding data, and the server's own. */
  readonly projects: readonly string[];
  /** The project shown when the page names none (or the one it named). `*`: every project together. */
  readonly project: string;
  /** True when the token may see every project together (`?project=*`). */
  readonly allProjects: boolean;
}
