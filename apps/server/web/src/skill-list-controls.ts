/** The controls above the overview's skills: a filter box, how many are shown, and "show all". */

import { h } from './dom.js';
import { formatInt, plural } from './format.js';
import { TOP, type OverviewState } from './overview-state.js';

/** How many skills there are at each step: stored, passing the filter, listed. */
export interface SkillCounts {
  readonly total: number;
  readonly matching: number;
  readonly shown: number;
}

/** "Showing 20 of 200 skills", or with a filter "Showing 3 of 3 skills matching “deb” (200 in all)". */
export function shownText(filter: string, counts: SkillCounts): string {
  const { total, matching, shown } = counts;
  if (filter.trim() === '') return `Showing ${formatInt(shown)} of ${plural(total, 'skill')}`;
  const which = `“${filter.trim()}”`;
  if (matching === 0) return `No skill matches ${which} (${formatInt(total)} in all)`;
  return `Showing ${formatInt(shown)} of ${plural(matching, 'skill')} matching ${which} (${formatInt(total)} in all)`;
}

export class SkillListControls {
  readonly element: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly count: HTMLParagraphElement;
  private readonly toggle: HTMLButtonElement;
  private all = false;

  /** `onChange` gets what the reader changed: the filter text, or whether to show all. */
  constructor(onChange: (change: Partial<Pick<OverviewState, 'filter' | 'all'>>) => void) {
    this.input = h('input', {
      id: 'skill-filter',
      type: 'search',
      name: 'filter',
      autocomplete: 'off',
      spellcheck: 'false',
      placeholder: 'Part of a skill’s name',
      'aria-controls': 'skills-table heatmap',
    });
    this.count = h('p', { id: 'skills-shown', class: 'skills-shown', role: 'status', 'aria-live': 'polite', 'data-testid': 'skills-shown' });
    this.toggle = h('button', { id: 'show-all', type: 'button', class: 'secondary', 'aria-controls': 'skills-table heatmap', hidden: true });
    this.input.addEventListener('input', () => onChange({ filter: this.input.value }));
    this.toggle.addEventListener('click', () => onChange({ all: !this.all }));
    this.element = h(
      'div',
      { class: 'skill-list-controls' },
      h('div', { class: 'field field-filter' }, h('label', { for: 'skill-filter' }, 'Filter skills by name'), this.input),
      h('div', { class: 'shown-line' }, this.count, this.toggle),
    );
  }

  /** Shows `state` (the filter box is left alone while it already holds that text) and the counts. */
  render(state: OverviewState, counts: SkillCounts): void {
    this.all = state.all;
    if (this.input.value !== state.filter) this.input.value = state.filter;
    const text = shownText(state.filter, counts);
    // Rewriting the same text would make screen readers announce it again on every live update.
    if (this.count.textContent !== text) this.count.textContent = text;
    this.toggle.hidden = counts.matching <= TOP;
    this.toggle.textContent = state.all ? `Show the first ${TOP}` : `Show all ${plural(counts.matching, 'skill')}`;
  }
}
