/** A skill's page (`#/skills/<name>`): its figures, trends, phases, failures and the queries it served. */

import type { DashboardSkill, PhaseCell, RankCount, ServedQuery, SourceCount, ValueCount } from '@skills/protocol';
import { TrendCharts } from './charts.js';
import { h, replaceChildren, skillHref } from './dom.js';
import { formatDuration, formatInt, formatPercent, formatRateWithInterval, phaseLabel } from './format.js';
import { plainTable, type Column } from './tables.js';
import { outcomeTiles, tiles } from './tiles.js';
import { timeAgo } from './time.js';

function card(title: string, id: string, ...children: Node[]): HTMLElement {
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

function valueCountTable(id: string, caption: string, valueLabel: string, rows: readonly ValueCount[], link = false): HTMLElement {
  const columns: Column<ValueCount>[] = [
    { key: 'value', label: valueLabel, value: (r) => r.value, cell: (r) => (link ? h('a', { href: skillHref(r.value) }, r.value) : r.value) },
    { key: 'count', label: 'Count', numeric: true, value: (r) => r.count, cell: (r) => formatInt(r.count) },
  ];
  return plainTable({ id, caption, columns, rowAttrs: (r) => ({ 'data-value': r.value }), empty: 'None recorded' }, rows);
}

const phaseColumns: Column<PhaseCell>[] = [
  { key: 'phase', label: 'Phase', value: (p) => p.workflowPhase ?? '', cell: (p) => phaseLabel(p.workflowPhase) },
  { key: 'invocations', label: 'Invocations', numeric: true, value: (p) => p.invocations, cell: (p) => formatInt(p.invocations) },
  { key: 'successRate', label: 'Success rate', numeric: true, value: (p) => p.successRate, cell: (p) => formatRateWithInterval(p.successRate, p.successInterval) },
  { key: 'meanDurationSeconds', label: 'Mean duration', numeric: true, value: (p) => p.meanDurationSeconds, cell: (p) => formatDuration(p.meanDurationSeconds) },
];

const rankColumns: Column<RankCount>[] = [
  { key: 'rank', label: 'Rank', numeric: true, value: (r) => r.rank, cell: (r) => (r.rank === 1 ? '1 (first choice)' : formatInt(r.rank)) },
  { key: 'count', label: 'Count', numeric: true, value: (r) => r.count, cell: (r) => formatInt(r.count) },
];

/** Who recorded the invocations: the count and its share of the skill's invocations. */
function sourceColumns(total: number): Column<SourceCount>[] {
  return [
    { key: 'source', label: 'Integration', value: (r) => r.source ?? '', cell: (r) => r.source ?? '(unknown)' },
    { key: 'count', label: 'Invocations', numeric: true, value: (r) => r.count, cell: (r) => formatInt(r.count) },
    { key: 'share', label: 'Share', numeric: true, value: (r) => (total > 0 ? r.count / total : null), cell: (r) => formatPercent(total > 0 ? r.count / total : null) },
  ];
}

function queryColumns(now: number): Column<ServedQuery>[] {
  return [
    { key: 'query', label: 'Query', value: (q) => q.query, cell: (q) => h('span', { class: 'query-text' }, q.query) },
    { key: 'phase', label: 'Phase', value: (q) => q.workflowPhase ?? '', cell: (q) => phaseLabel(q.workflowPhase) },
    { key: 'status', label: 'Status', value: (q) => q.status, cell: (q) => h('span', { class: `status status-${q.status}` }, q.status) },
    { key: 'when', label: 'When', value: (q) => q.invokedAt, cell: (q) => timeAgo(q.invokedAt, now) },
  ];
}

export class SkillView {
  readonly element: HTMLElement;
  readonly heading: HTMLHeadingElement;
  private readonly updated: HTMLParagraphElement;
  private readonly kpis: HTMLElement;
  private readonly charts = new TrendCharts();
  private readonly details: HTMLElement;
  private readonly queries: HTMLElement;

  constructor(readonly name: string) {
    this.heading = h('h1', { 'data-testid': 'skill-title', tabindex: '-1' }, name);
    this.updated = h('p', { class: 'updated' });
    this.kpis = h('div', { class: 'kpis' });
    this.details = h('div', { class: 'detail-grid' });
    this.queries = h('div');
    this.element = h(
      'div',
      { class: 'view skill-page' },
      h('p', { class: 'breadcrumb' }, h('a', { href: '#/' }, '← All skills')),
      h('div', { class: 'view-head' }, this.heading, this.updated),
      this.kpis,
      this.charts.element,
      this.details,
      card('Latest queries', 'queries-heading', this.queries),
    );
  }

  update(data: DashboardSkill): void {
    const now = Date.parse(data.generatedAt) || Date.now();
    const s = data.skill;
    const p = data.profile;
    this.updated.textContent = `Updated ${new Date(now).toLocaleTimeString('en-GB')}`;
    replaceChildren(
      this.kpis,
      tiles([
        ...outcomeTiles(s, 'invocations'),
        { testid: 'mean-duration', label: 'Mean duration', value: s.meanDurationSeconds, display: formatDuration(s.meanDurationSeconds), detail: 'of completed runs' },
        { testid: 'p95-duration', label: 'p95 duration', value: s.p95DurationSeconds, display: formatDuration(s.p95DurationSeconds), detail: `median ${formatDuration(s.p50DurationSeconds)}` },
        { testid: 'first-choice-rate', label: 'First choice', value: data.firstChoiceRate, display: formatPercent(data.firstChoiceRate), detail: 'of ranked selections' },
        { testid: 'last-used', label: 'Last used', value: s.lastUsed, display: timeAgo(s.lastUsed, now), detail: `${formatInt(s.pending)} pending · ${formatInt(s.abandoned)} abandoned` },
      ]),
    );
    this.charts.update(data.activity);
    replaceChildren(
      this.details,
      card(
        'By workflow phase',
        'phases-heading',
        plainTable({ id: 'skill-phases', caption: `${s.skillName} by workflow phase`, columns: phaseColumns, rowAttrs: (c) => ({ 'data-phase': c.workflowPhase ?? '' }), empty: 'None recorded' }, data.phases),
      ),
      card(
        'Recorded by',
        'sources-heading',
        plainTable(
          { id: 'sources', caption: 'The integrations that recorded its invocations', columns: sourceColumns(s.invocations), rowAttrs: (r) => ({ 'data-source': r.source ?? '' }), empty: 'None recorded' },
          p.sources,
        ),
      ),
      card('Selection rank', 'ranks-heading', plainTable({ id: 'selection-ranks', caption: 'How often it was picked at each rank among candidates', columns: rankColumns, rowAttrs: (r) => ({ 'data-rank': r.rank }), empty: 'None recorded' }, p.selectionRanks)),
      card('Error types', 'errors-heading', valueCountTable('error-types', 'Commonest error types of failed runs', 'Error type', p.errorTypes)),
      card('Follow-up actions', 'follow-ups-heading', valueCountTable('follow-ups', 'Commonest follow-up actions after a run', 'Follow-up action', p.followUpActions)),
      card('Chosen over', 'alternatives-heading', valueCountTable('alternatives', 'Skills this one was chosen over', 'Alternative', p.alternatives, true)),
    );
    replaceChildren(
      this.queries,
      plainTable({ id: 'queries', caption: `The latest queries ${s.skillName} served, newest first, as stored`, columns: queryColumns(now), empty: 'None recorded' }, p.queries),
    );
  }

  destroy(): void {
    this.charts.destroy();
  }
}

/** The page of a skill the server does not know. */
export function notFoundView(name: string, message: string): { element: HTMLElement; heading: HTMLHeadingElement } {
  const heading = h('h1', { tabindex: '-1', 'data-testid': 'not-found' }, 'Skill not found');
  const element = h(
    'div',
    { class: 'view not-found' },
    heading,
    h('div', { class: 'card' }, h('p', null, 'No invocation of the skill ', h('strong', { class: 'query-text' }, name), ' has been recorded.'), h('p', { class: 'hint' }, message), h('p', null, h('a', { href: '#/' }, '← Back to the overview'))),
  );
  return { element, heading };
}
