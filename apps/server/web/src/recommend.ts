/** "Which skill for this?": asks `/api/recommend` on submit and as the user types. */

import type { Recommendation } from '@skills/protocol';
import { ApiError, fetchRecommendations, isAbort } from './api.js';
import { h, replaceChildren, skillHref } from './dom.js';
import { formatDuration, formatInt, formatPercent } from './format.js';

const DEBOUNCE_MS = 250;
export const NO_RESULTS = 'No skill has served a query like this yet.';

function fact(label: string, value: string): HTMLElement {
  return h('div', { class: 'fact' }, h('dt', null, label), h('dd', null, value));
}

function item(rec: Recommendation): HTMLLIElement {
  return h(
    'li',
    { 'data-skill': rec.skillName, class: 'rec' },
    h(
      'div',
      { class: 'rec-head' },
      h('a', { class: 'rec-name', href: skillHref(rec.skillName) }, rec.skillName),
      h('span', { class: 'rec-score', 'data-value': rec.score, title: 'Overall score: similarity × chance of success' }, `Score ${formatPercent(rec.score, 0)}`),
    ),
    h(
      'dl',
      { class: 'rec-facts' },
      fact('Similarity', formatPercent(rec.similarityScore, 0)),
      fact('Success', formatPercent(rec.successRate)),
      fact('Mean duration', formatDuration(rec.durationSeconds)),
      fact('Best phase', rec.workflowPhase ?? '—'),
      fact('Runs', formatInt(rec.invocationCount)),
    ),
    rec.reason ? h('p', { class: 'rec-reason' }, rec.reason) : null,
  );
}

export class RecommendBox {
  readonly element: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly phase: HTMLSelectElement;
  private readonly list: HTMLOListElement;
  private readonly status: HTMLParagraphElement;
  private timer: number | undefined;
  private controller: AbortController | null = null;
  private phases: readonly string[] = [];

  constructor() {
    this.input = h('input', { id: 'query', type: 'search', name: 'query', autocomplete: 'off', spellcheck: 'false', placeholder: 'e.g. review this pull request for security issues' });
    this.phase = h('select', { id: 'phase', name: 'phase' }, h('option', { value: '' }, 'Any phase'));
    this.list = h('ol', { id: 'recommendations', class: 'recommendations' });
    this.status = h('p', { class: 'recommend-status', 'data-testid': 'recommend-status', hidden: true });
    const form = h(
      'form',
      { id: 'recommend-form', class: 'recommend-form', role: 'search', 'aria-labelledby': 'recommend-heading' },
      h('div', { class: 'field field-query' }, h('label', { for: 'query' }, 'Which skill for this?'), this.input),
      h('div', { class: 'field field-phase' }, h('label', { for: 'phase' }, 'Workflow phase'), this.phase),
      h('button', { type: 'submit', class: 'primary' }, 'Recommend'),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.schedule(0);
    });
    this.input.addEventListener('input', () => this.schedule(DEBOUNCE_MS));
    this.phase.addEventListener('change', () => this.schedule(0));
    this.element = h(
      'section',
      { class: 'card recommend', 'aria-labelledby': 'recommend-heading' },
      h('h2', { id: 'recommend-heading' }, 'Ask for a skill'),
      h('p', { class: 'hint' }, 'Describe a task; skills that served similar queries and succeeded rank first.'),
      form,
      h('div', { class: 'recommend-results', id: 'recommend-results', 'aria-live': 'polite' }, this.status, this.list),
    );
  }

  /** The named phases offered in the select (the selection is kept when still offered). */
  setPhases(phases: readonly (string | null)[]): void {
    const named = phases.filter((p): p is string => p !== null);
    if (named.length === this.phases.length && named.every((p, i) => p === this.phases[i])) return;
    this.phases = named;
    const selected = this.phase.value;
    replaceChildren(this.phase, h('option', { value: '' }, 'Any phase'), ...named.map((p) => h('option', { value: p }, p)));
    this.phase.value = named.includes(selected) ? selected : '';
  }

  destroy(): void {
    window.clearTimeout(this.timer);
    this.controller?.abort();
  }

  private schedule(delay: number): void {
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => void this.run(), delay);
  }

  private async run(): Promise<void> {
    this.controller?.abort();
    this.controller = null;
    const query = this.input.value.trim();
    if (query === '') {
      this.list.replaceChildren();
      this.setStatus('');
      return;
    }
    const controller = new AbortController();
    this.controller = controller;
    this.element.setAttribute('aria-busy', 'true');
    try {
      const answer = await fetchRecommendations(query, this.phase.value, controller.signal);
      if (controller.signal.aborted) return;
      replaceChildren(this.list, answer.recommendations.map(item));
      this.setStatus(answer.recommendations.length === 0 ? NO_RESULTS : '');
    } catch (error) {
      if (isAbort(error) || controller.signal.aborted) return;
      this.list.replaceChildren();
      this.setStatus(error instanceof ApiError ? error.message : 'Could not get recommendations.', true);
    } finally {
      if (this.controller === controller) {
        this.controller = null;
        this.element.removeAttribute('aria-busy');
      }
    }
  }

  private setStatus(text: string, isError = false): void {
    this.status.textContent = text;
    this.status.hidden = text === '';
    this.status.classList.toggle('error', isError);
  }
}
