/**
 * A tiny element builder. Text always goes in as text nodes, never as markup: any stored string
 * (skill names, queries, reasons) may contain HTML.
 */

export type Child = Node | string | number | null | undefined | false | readonly Child[];

/** Attribute values; null, undefined and false leave the attribute out, true sets it empty. */
export type Attrs = Readonly<Record<string, string | number | boolean | null | undefined>>;

/** Creates `<tag>` with `attrs` and `children`. `class` sets the class name; never pass `style`. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [name, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (name === 'class') el.className = String(value);
      else el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

/** Appends children (strings as text nodes) to `parent`. */
export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child as readonly Child[]);
    else if (child instanceof Node) parent.appendChild(child);
    else parent.appendChild(document.createTextNode(String(child)));
  }
}

/** Replaces every child of `parent` with `children`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  const frag = document.createDocumentFragment();
  append(frag, children);
  parent.replaceChildren(frag);
}

/** The value of a `data-value` attribute: the raw number or string, or empty for null. */
export function rawValue(value: number | string | null | undefined): string {
  return value === null || value === undefined ? '' : String(value);
}

/** The link to a skill's page. */
export function skillHref(name: string): string {
  return `#/skills/${encodeURIComponent(name)}`;
}
