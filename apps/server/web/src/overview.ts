/** The overview (`#/`): totals, trends, the skills table, the heat map and the recommend box. */

import type { DashboardOverview, SkillSummary } from '@skills/protocol';
import { TrendCharts } from './charts.js';
import { h, replaceChildren, skillHref } from './dom.js';
import { formatDuration, formatInt, formatRateWithInterval, plural } from './format.js';
import { renderHeatmap } from './heatmap.js';
import { DEFAULT_STATE, matchesFilter, overviewHash, parseOverviewState, TOP, type OverviewState } from './overview-state.js';
import { RecommendBox } from './recommend.js';
import { SkillListControls } from './skill-list-controls.js';
import { SortableTable, type Column } from './tables.js';
import { outcomeTiles, tiles } from './tiles.js';
import { timeAgo } from './time.js';

function section(title: string, id: string, ...children: (Node | null)[]): HTMLElement {
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

/** APPROXIMATE_PERCENTILE_ERROR of @skills/protocol, as text: the bundle imports no protocol code. */
const P95_HINT = "Within 0.8% of the exact p95; the skill's page shows the exact one";

function skillColumns(now: () => number): Column<SkillSummary>[] {
  return [
    { key: 'skill', label: 'Skill', value: (s) => s.skillName, cell: (s) => h('a', { href: skillHref(s.skillName) }, s.skillName) },
    { key: 'invocations', label: 'Invocations', numeric: true, value: (s) => s.invocations, cell: (s) => formatInt(s.invocations) },
    { key: 'successRate', label: 'Success rate', numeric: true, value: (s) => s.successRate, cell: (s) => formatRateWithInterval(s.successRate, s.successInterval) },
    { key: 'meanDurationSeconds', label: 'Mean duration', numeric: true, value: (s) => s.meanDurationSeconds, cell: (s) => formatDuration(s.meanDurationSeconds) },
    {
      key: 'p95DurationSeconds',
      label: 'p95 duration',
      numeric: true,
      value: (s) => s.p95DurationSeconds,
      cell: (s) => h('span', { title: P95_HINT }, formatDuration(s.p95DurationSeconds)),
    },
    { key: 'lastUsed', label: 'Last used', value: (s) => s.lastUsed, cell: (s) => timeAgo(s.lastUsed, now()) },
  ];
}

function firstRun(): HTMLElement {
  const code = (text: string): HTMLElement => h('code', null, text);
  return h(
    'section',
    { class: 'card first-run', 'data-testid': 'first-run', 'aria-labelledby': 'first-run-heading' },
    h('h2', { id: 'first-run-heading' }, 'Nothing tracked yet'),
    h('p', null, 'This dashboard shows what your agents’ skills do: how often each is invoked, how often it succeeds, and which skill fits a task. No invocation has been recorded in this database so far. To start:'),
    h(
      'ol',
      { class: 'steps' },
      h('li', null, h('strong', null, 'See it with sample data: '), 'run ', code('pnpm demo'), ' from the repository root to fill a sample database.'),
      h('li', null, h('strong', null, 'Track from code: '), 'create a tracker with ', code("createSkillsTracker({ backend: 'mcp' })"), ' pointed at this server, and record each skill invocation.'),
      h('li', null, h('strong', null, 'Track from the shell: '), 'run ', code('skills track <skill> --query "<text>"'), ', then ', code('skills complete <id>'), ' when it ends.'),
    ),
    h('p', { class: 'hint' }, 'This page updates by itself as soon as invocations arrive; no reload needed.'),
  );
}

export class OverviewView {
  readonly element: HTMLElement;
  readonly heading: HTMLHeadingElement;
  private readonly updated: HTMLParagraphElement;
  private readonly kpis: HTMLElement;
  private readonly body: HTMLElement;
  private readonly charts = new TrendCharts();
  private readonly recommend = new RecommendBox();
  private readonly skills: SortableTable<SkillSummary>;
  private readonly controls: SkillListControls;
  private readonly heatmapSlot: HTMLElement;
  private readonly full: HTMLElement;
  private readonly empty = firstRun();
  private now = Date.now();
  private data: DashboardOverview | null = null;
  private state: OverviewState = DEFAULT_STATE;

  /** `query`: the query part of the overview's hash (see {@link parseOverviewState}). */
  constructor(query: string) {
    this.heading = h('h1', { tabindex: '-1' }, 'Overview');
    this.updated = h('p', { class: 'updated' });
    this.kpis = h('div', { class: 'kpis' });
    this.skills = new SortableTable<SkillSummary>(
      {
        id: 'skills-table',
        caption: 'Skills with their invocations, success rate (95% interval in brackets) and durations',
        columns: skillColumns(() => this.now),
        rowAttrs: (s) => ({ 'data-skill': s.skillName }),
        empty: 'No skill to show',
        tiebreak: (a, b) => a.skillName.localeCompare(b.skillName, 'en'),
        onSort: (sort) => this.change({ sort }),
      },
      DEFAULT_STATE.sort,
    );
    this.controls = new SkillListControls((change) => this.change(change));
    this.heatmapSlot = h('div');
    this.full = h(
      'div',
      { class: 'overview-full' },
      this.charts.element,
      this.recommend.element,
      section('Skills', 'skills-heading', this.controls.element, this.skills.element),
      section('Success by workflow phase', 'heatmap-heading', this.heatmapSlot),
    );
    this.body = h('div', { class: 'view-body' });
    this.element = h('div', { class: 'view overview' }, h('div', { class: 'view-head' }, this.heading, this.updated), this.kpis, this.body);
    this.setState(query);
  }

  /** Shows the view a hash's query part names (after the address changed). */
  setState(query: string): void {
    this.state = parseOverviewState(query, (key) => this.skills.hasColumn(key));
    this.skills.setSort(this.state.sort);
    this.renderSkills();
  }

  update(data: DashboardOverview): void {
    this.now = Date.parse(data.generatedAt) || Date.now();
    const t = data.totals;
    this.updated.textContent = `Updated ${new Date(this.now).toLocaleTimeString('en-GB')}`;
    replaceChildren(
      this.kpis,
      tiles([
        ...outcomeTiles(t, 'total-invocations'),
        { testid: 'active-sessions', label: 'Active sessions', value: t.activeSessions, display: formatInt(t.activeSessions), detail: `in the last ${plural(t.activeWindowMinutes, 'minute')}` },
        { testid: 'sessions', label: 'Sessions', value: t.sessions, display: formatInt(t.sessions), detail: 'in total' },
        { testid: 'skills-count', label: 'Skills', value: t.skills, display: formatInt(t.skills), detail: 'with an invocation' },
        { testid: 'pending', label: 'Pending', value: t.pending, display: formatInt(t.pending), detail: `${formatInt(t.abandoned)} abandoned` },
      ]),
    );
    if (t.invocations === 0) {
      if (this.body.firstChild !== this.empty) replaceChildren(this.body, this.empty);
      return;
    }
    if (this.body.firstChild !== this.full) replaceChildren(this.body, this.full);
    this.charts.update(data.activity);
    this.recommend.setPhases(data.phases);
    this.data = data;
    this.renderSkills();
  }

  /** Applies what the reader changed, and keeps it in the address (without a new history entry). */
  private change(change: Partial<OverviewState>): void {
    this.state = { ...this.state, ...change };
    history.replaceState(history.state, '', overviewHash(this.state));
    this.renderSkills();
  }

  /** The skills table and the heat map: the same skills (filtered, the first {@link TOP} unless all) in the same order. */
  private renderSkills(): void {
    const data = this.data;
    if (data === null) return;
    const matching = data.skills.filter((s) => matchesFilter(s.skillName, this.state.filter));
    const shown = this.skills.show(matching, this.state.all ? matching.length : TOP);
    this.controls.render(this.state, { total: data.skills.length, matching: matching.length, shown: shown.length });
    replaceChildren(this.heatmapSlot, renderHeatmap(data, shown));
  }

  destroy(): void {
    this.charts.destroy();
    this.recommend.destroy();
  }
}
