/** The dashboard's JSON endpoints (same origin; the server's cookie carries the token). */

import type { ActivityBucket, DashboardOverview, DashboardRecommendations, DashboardSkill } from '@skills/protocol';
import type { DashboardProjects } from '../../src/dashboard/project-list.js';

export const TOKEN_MESSAGE = 'This server needs its token. Open the dashboard as /?token=YOUR_TOKEN once; the browser keeps it in a cookie.';
export const UNREACHABLE_MESSAGE = 'Server unreachable, retrying…';

export type ApiErrorKind = 'unauthorized' | 'not-found' | 'bad-request' | 'server' | 'network';

/** A request that failed: by the server's answer, or because it could not be reached. */
export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** True for the error a fetch throws when its signal aborts it. */
export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

function kindOf(status: number): ApiErrorKind {
  if (status === 401) return 'unauthorized';
  if (status === 404) return 'not-found';
  if (status >= 400 && status < 500) return 'bad-request';
  return 'server';
}

/** GETs `url` as JSON; throws {@link ApiError} (or the AbortError when aborted). */
export async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' }, signal });
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new ApiError('network', UNREACHABLE_MESSAGE);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    if (isAbort(error)) throw error;
    body = null;
  }
  if (!response.ok) {
    const kind = kindOf(response.status);
    const serverMessage =
      body !== null && typeof body === 'object' && typeof (body as { error?: unknown }).error === 'string' ? (body as { error: string }).error : null;
    const message = kind === 'unauthorized' ? TOKEN_MESSAGE : (serverMessage ?? `The server answered ${response.status} ${response.statusText}`.trim());
    throw new ApiError(kind, message, response.status);
  }
  if (body === null || typeof body !== 'object') throw new ApiError('server', 'The server sent an unreadable answer.', response.status);
  return body as T;
}

/**
 * The project the page shows, as its address names it (`/?project=alpha`; `*`: every project),
 * or null: the server picks (the token's only project, else the server's). Sent with every request.
 */
export const PAGE_PROJECT: string | null = new URLSearchParams(location.search).get('project') || null;

/** `path` with `params` and the page's project. */
export function apiUrl(path: string, params: Record<string, string> = {}): string {
  const query = new URLSearchParams(params);
  if (PAGE_PROJECT !== null) query.set('project', PAGE_PROJECT);
  const text = query.toString();
  return text === '' ? path : `${path}?${text}`;
}

/** The picker's projects; asked without the page's project, so that a page refused its project can still pick another. */
export function fetchProjects(signal?: AbortSignal): Promise<DashboardProjects> {
  return getJson<DashboardProjects>('/api/projects', signal);
}

export function fetchOverview(bucket: ActivityBucket, signal?: AbortSignal): Promise<DashboardOverview> {
  return getJson<DashboardOverview>(apiUrl('/api/overview', { bucket }), signal);
}

export function fetchSkill(name: string, bucket: ActivityBucket, signal?: AbortSignal): Promise<DashboardSkill> {
  return getJson<DashboardSkill>(apiUrl(`/api/skills/${encodeURIComponent(name)}`, { bucket }), signal);
}

export function fetchRecommendations(query: string, phase: string, signal?: AbortSignal): Promise<DashboardRecommendations> {
  return getJson<DashboardRecommendations>(apiUrl('/api/recommend', { query, ...(phase !== '' ? { phase } : {}), limit: '5' }), signal);
}
