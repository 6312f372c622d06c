/** The dashboard page: routes (`#/?<view>`, `#/skills/<name>`), loading, live updates and errors. */

import type { ActivityBucket } from '@skills/protocol';
import { ApiError, apiUrl, fetchOverview, fetchSkill, isAbort, UNREACHABLE_MESSAGE } from './api.js';
import { h, replaceChildren } from './dom.js';
import { startLive, type LiveMode } from './live.js';
import { OverviewView } from './overview.js';
import { startProjectPicker } from './project-picker.js';
import { notFoundView, SkillView } from './skill-page.js';

/** `query`: what follows `#/?`, the overview's filter and view (see overview-state.ts). */
type Route = { readonly kind: 'overview'; readonly query: string } | { readonly kind: 'skill'; readonly name: string };

interface View {
  readonly key: string;
  readonly element: HTMLElement;
  readonly heading: HTMLElement;
  readonly page: OverviewView | SkillView | null;
}

const APP = 'skills dashboard';
const BUCKET_KEY = 'skills-dashboard.bucket';

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from index.html`);
  return el as T;
}

const main = byId<HTMLElement>('main');
const banner = byId<HTMLElement>('banner');
const liveStatus = byId<HTMLElement>('live-status');
const bucketSelect = byId<HTMLSelectElement>('bucket');
const navOverview = byId<HTMLAnchorElement>('nav-overview');

/** The route of a hash, or null for an in-page anchor that is no route. */
function parseRoute(hash: string): Route | null {
  const skill = /^#\/skills\/(.+)$/.exec(hash);
  if (skill) {
    let name = skill[1]!;
    try {
      name = decodeURIComponent(name);
    } catch {
      // Keep it as written.
    }
    return { kind: 'skill', name };
  }
  if (hash === '' || hash === '#' || hash.startsWith('#/')) {
    const at = hash.indexOf('?');
    return { kind: 'overview', query: at === -1 ? '' : hash.slice(at + 1) };
  }
  return null;
}

function routeKey(route: Route): string {
  return route.kind === 'overview' ? 'overview' : `skill:${route.name}`;
}

let route: Route = parseRoute(location.hash) ?? { kind: 'overview', query: '' };
let view: View | null = null;
let displayedRevision: string | null = null;
let focusOnRender = false;
let liveMode: LiveMode = 'connecting';
let reachable = true;
let problem: string | null = null;

function readBucket(): ActivityBucket {
  try {
    const saved = localStorage.getItem(BUCKET_KEY);
    if (saved === 'hour' || saved === 'day') return saved;
  } catch {
    // Storage may be disabled.
  }
  return 'day';
}

function bucket(): ActivityBucket {
  return bucketSelect.value === 'hour' ? 'hour' : 'day';
}

// ---- status line and error banner ------------------------------------------------------------

function renderStatus(): void {
  const [state, text, title] = !reachable
    ? ['offline', 'Offline', 'The server cannot be reached; retrying.']
    : liveMode === 'live'
      ? ['live', 'Live', 'Updates arrive as soon as data changes.']
      : liveMode === 'polling'
        ? ['polling', 'Polling', 'Checking for new data every 5 seconds.']
        : liveMode === 'reconnecting'
          ? ['reconnecting', 'Reconnecting…', 'The live connection dropped; reconnecting.']
          : ['connecting', 'Connecting…', 'Opening the live connection.'];
  if (liveStatus.textContent !== text) liveStatus.textContent = text;
  liveStatus.dataset.state = state;
  liveStatus.title = title;
}

function setProblem(message: string | null): void {
  if (message === problem) return;
  problem = message;
  if (message === null) {
    banner.hidden = true;
    banner.replaceChildren();
  } else {
    banner.hidden = false;
    banner.textContent = message;
  }
}

function setReachable(value: boolean): void {
  reachable = value;
  renderStatus();
}

// ---- views -----------------------------------------------------------------------------------

function show(next: View): void {
  view?.page?.destroy();
  view = next;
  replaceChildren(main, next.element);
  if (focusOnRender) {
    focusOnRender = false;
    next.heading.focus({ preventScroll: true });
  }
}

function showLoading(): void {
  view?.page?.destroy();
  view = null;
  replaceChildren(main, h('p', { class: 'loading', 'data-testid': 'loading' }, 'Loading…'));
}

/** Runs `update` keeping the keyboard focus on the same link or control when it gets rebuilt. */
function keepingFocus(update: () => void): void {
  const active = document.activeElement;
  let selector: string | null = null;
  if (active instanceof HTMLElement && active !== main && main.contains(active)) {
    const scope = active.closest('[id]');
    const prefix = scope && scope !== main ? `#${CSS.escape(scope.id)} ` : '';
    if (active.id) selector = `#${CSS.escape(active.id)}`;
    else if (active instanceof HTMLAnchorElement) selector = `${prefix}a[href="${CSS.escape(active.getAttribute('href') ?? '')}"]`;
  }
  update();
  if (selector !== null && (document.activeElement === null || document.activeElement === document.body)) {
    main.querySelector<HTMLElement>(selector)?.focus({ preventScroll: true });
  }
}

function updateNav(): void {
  if (route.kind === 'overview') navOverview.setAttribute('aria-current', 'page');
  else navOverview.removeAttribute('aria-current');
}

// ---- loading ---------------------------------------------------------------------------------

async function load(signal: AbortSignal): Promise<void> {
  const current = route;
  const key = routeKey(current);
  try {
    if (current.kind === 'overview') {
      const data = await fetchOverview(bucket(), signal);
      if (signal.aborted) return;
      if (view?.key !== key || !(view.page instanceof OverviewView)) {
        // The route, not `current`: the view's part of the hash may have changed while loading.
        const page = new OverviewView(route.kind === 'overview' ? route.query : current.query);
        show({ key, element: page.element, heading: page.heading, page });
      }
      const page = view!.page as OverviewView;
      keepingFocus(() => page.update(data));
      displayedRevision = data.revision;
      document.title = `Overview · ${APP}`;
    } else {
      const data = await fetchSkill(current.name, bucket(), signal);
      if (signal.aborted) return;
      if (view?.key !== key || !(view.page instanceof SkillView)) {
        const page = new SkillView(current.name);
        show({ key, element: page.element, heading: page.heading, page });
      }
      const page = view!.page as SkillView;
      keepingFocus(() => page.update(data));
      displayedRevision = data.revision;
      document.title = `${current.name} · ${APP}`;
    }
    setProblem(null);
    setReachable(true);
  } catch (error) {
    if (isAbort(error) || signal.aborted) return;
    if (error instanceof ApiError && error.kind === 'not-found' && current.kind === 'skill') {
      const nf = notFoundView(current.name, error.message);
      show({ key: `missing:${current.name}`, element: nf.element, heading: nf.heading, page: null });
      displayedRevision = null;
      document.title = `Skill not found · ${APP}`;
      setProblem(null);
      setReachable(true);
      return;
    }
    if (error instanceof ApiError) {
      setReachable(error.kind !== 'network');
      setProblem(error.message);
    } else {
      console.error(error);
      setProblem(`Something went wrong while showing the dashboard: ${String(error)}`);
    }
    if (view === null) replaceChildren(main, h('p', { class: 'loading' }, 'The dashboard could not be loaded yet.'));
  }
}

// At most one request in flight; changes announced meanwhile cause exactly one more.
let running = false;
let again = false;
let controller: AbortController | null = null;
/** The latest revision the server announced while a request was in flight (null: unknown). */
let announced: string | null = null;

/** Re-fetches the current view; `restart` aborts a request made for another route or bucket. */
function refresh(restart = false, revision: string | null = null): void {
  if (running) {
    // The newest revision counts; once one came without a revision (poll, reconnect), it stays unknown.
    announced = again && announced === null ? null : revision;
    again = true;
    if (restart) controller?.abort();
    return;
  }
  void run();
}

async function run(): Promise<void> {
  running = true;
  try {
    do {
      again = false;
      controller = new AbortController();
      await load(controller.signal);
      // What was announced meanwhile may be just what the request brought back.
      if (again && announced !== null && announced === displayedRevision) again = false;
      announced = null;
    } while (again);
  } finally {
    running = false;
    controller = null;
  }
}

// ---- wiring ----------------------------------------------------------------------------------

bucketSelect.value = readBucket();
bucketSelect.addEventListener('change', () => {
  try {
    localStorage.setItem(BUCKET_KEY, bucket());
  } catch {
    // Not kept across visits then.
  }
  displayedRevision = null;
  refresh(true);
});

window.addEventListener('hashchange', () => {
  const next = parseRoute(location.hash);
  if (next === null) return;
  if (routeKey(next) === routeKey(route)) {
    // Another view of the overview (a shared link, back, "Overview"): same data, no reload.
    route = next;
    if (next.kind === 'overview' && view?.page instanceof OverviewView) view.page.setState(next.query);
    return;
  }
  route = next;
  displayedRevision = null;
  focusOnRender = true;
  updateNav();
  showLoading();
  window.scrollTo(0, 0);
  refresh(true);
});

// The skip link targets #main, which is no route: move the focus without touching the hash.
document.querySelector('.skip-link')?.addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});

startLive({
  url: apiUrl('/api/events'),
  onMode: (mode) => {
    liveMode = mode;
    renderStatus();
    // The stream dropped: find out whether the server is reachable at all (shows "Offline" if not).
    if (mode === 'reconnecting') refresh();
  },
  onChange: (revision) => {
    if (revision !== null && revision === displayedRevision && problem === null) return;
    refresh(false, revision);
  },
});

updateNav();
renderStatus();
refresh();
startProjectPicker(byId<HTMLSelectElement>('project'), byId<HTMLElement>('project-control'));
