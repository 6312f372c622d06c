/** The skill × phase heat map: a real table whose cells are coloured by success rate. */

import type { DashboardOverview, PhaseCell, SkillSummary } from '@skills/protocol';
import { rateColour, textOn } from './colour.js';
import { h, rawValue, skillHref } from './dom.js';
import { formatDuration, formatInt, formatInterval, formatPercent, phaseLabel } from './format.js';

function key(skill: string, phase: string | null): string {
  return JSON.stringify([skill, phase]);
}

function describe(skill: string, phase: string | null, cell: PhaseCell | undefined): string {
  const where = `${skill} in ${phaseLabel(phase)}`;
  if (!cell || cell.invocations === 0) return `${where}: no invocations`;
  const parts = [`${formatInt(cell.invocations)} invocations`];
  if (cell.successRate !== null) {
    parts.push(`success ${formatPercent(cell.successRate)}${cell.successInterval ? ` (95% interval ${formatInterval(cell.successInterval)})` : ''}`);
  } else parts.push('none finished');
  parts.push(`${formatInt(cell.completed)} completed, ${formatInt(cell.failed)} failed, ${formatInt(cell.abandoned)} abandoned, ${formatInt(cell.pending)} pending`);
  if (cell.meanDurationSeconds !== null) parts.push(`mean ${formatDuration(cell.meanDurationSeconds)}`);
  if (cell.p95DurationSeconds !== null) parts.push(`p95 ${formatDuration(cell.p95DurationSeconds)}`);
  return `${where}: ${parts.join(', ')}`;
}

function cellFor(skill: string, phase: string | null, cell: PhaseCell | undefined): HTMLTableCellElement {
  const invocations = cell?.invocations ?? 0;
  const rate = cell?.successRate ?? null;
  const td = h('td', {
    class: rate === null ? 'heat-cell heat-empty' : 'heat-cell',
    'data-skill': skill,
    'data-phase': phase ?? '',
    'data-value': rawValue(rate),
    'data-invocations': invocations,
    title: describe(skill, phase, cell),
  });
  if (invocations === 0) td.textContent = '–';
  else td.textContent = `${rate === null ? '—' : `${Math.round(rate * 100)}%`} · ${formatInt(invocations)}`;
  if (rate !== null) {
    const background = rateColour(rate);
    td.style.backgroundColor = background;
    td.style.color = textOn(background);
  }
  return td;
}

function legend(): HTMLElement {
  const swatches = [0, 0.25, 0.5, 0.75, 1].map((rate) => {
    const background = rateColour(rate);
    const swatch = h('span', { class: 'legend-swatch' }, `${rate * 100}%`);
    swatch.style.backgroundColor = background;
    swatch.style.color = textOn(background);
    return h('li', null, swatch);
  });
  return h(
    'div',
    { class: 'heat-legend' },
    h('span', { class: 'legend-title', id: 'heat-legend-title' }, 'Success rate'),
    h('ul', { 'aria-labelledby': 'heat-legend-title' }, ...swatches, h('li', null, h('span', { class: 'legend-swatch heat-empty' }, 'no finished runs'))),
  );
}

/** The heat map of `skills` (the rows, in this order) with its legend. */
export function renderHeatmap(overview: DashboardOverview, skills: readonly SkillSummary[]): HTMLElement {
  const cells = new Map<string, PhaseCell>();
  for (const cell of overview.heatmap) cells.set(key(cell.skillName, cell.workflowPhase), cell);
  const table = h(
    'table',
    { id: 'heatmap', class: 'data-table heatmap' },
    h('caption', null, h('span', { class: 'caption-text' }, 'Success rate and invocations by workflow phase of the skills listed above, in the same order; grey: no finished runs')),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', { scope: 'col' }, 'Skill'),
        ...overview.phases.map((phase) => h('th', { scope: 'col', class: phase === null ? 'num no-phase' : 'num', 'data-phase': phase ?? '' }, phaseLabel(phase))),
      ),
    ),
    h(
      'tbody',
      null,
      skills.length === 0
        ? h('tr', { class: 'empty-row' }, h('td', { colspan: overview.phases.length + 1 }, 'No skill to show'))
        : null,
      ...skills.map((skill) =>
        h(
          'tr',
          { 'data-skill': skill.skillName },
          h('th', { scope: 'row' }, h('a', { href: skillHref(skill.skillName) }, skill.skillName)),
          ...overview.phases.map((phase) => cellFor(skill.skillName, phase, cells.get(key(skill.skillName, phase)))),
        ),
      ),
    ),
  );
  return h('div', { class: 'heatmap-block' }, h('div', { class: 'table-wrap' }, table), legend());
}
