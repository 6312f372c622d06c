/** The project picker: the projects the token may show, and every project together when it may see all. */

import { fetchProjects, PAGE_PROJECT } from './api.js';
import { h } from './dom.js';

/** The picker's value for the all-projects view (the server's `?project=*`). */
const ALL = '*';

/**
 * Fills `select` from `/api/projects` and shows `control` when there is a choice to make (more
 * than one project). Picking one loads the page for it: `/?project=<name>`, keeping the view.
 * On failure it stays hidden; the page's own requests say what is wrong.
 */
export function startProjectPicker(select: HTMLSelectElement, control: HTMLElement): void {
  void fetchProjects().then(
    (answer) => {
      if (answer.projects.length < 2) return;
      const options = answer.projects.map((name) => h('option', { value: name }, name));
      if (answer.allProjects) options.push(h('option', { value: ALL }, 'All projects'));
      select.replaceChildren(...options);
      // A project the token does not reach selects nothing: the page says why, the picker offers the rest.
      select.value = PAGE_PROJECT ?? answer.project;
      control.hidden = false;
      select.addEventListener('change', () => {
        location.assign(`/?${new URLSearchParams({ project: select.value }).toString()}${location.hash}`);
      });
    },
    () => {},
  );
}
