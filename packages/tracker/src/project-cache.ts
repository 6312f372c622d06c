/**
 * What is made per project (a service, a dashboard view, a hook endpoint), made on first use and
 * kept for the next request, at most `max` of them: a caller allowed every project may name any
 * number. Beyond `max` the least recently used one that is idle (`idle`, default always) is
 * dropped (`drop` releases it); busy ones stay, so the cache may exceed `max` while they are.
 *
 * @example
 * const endpoints = new ProjectCache(64, (project) => createEndpoint(project));
 * await endpoints.get('alpha')(body);
 */
export class ProjectCache<V> {
  readonly #entries = new Map<string, V>();
  readonly #max: number;
  readonly #make: (project: string) => V;
  readonly #idle: (value: V) => boolean;
  readonly #drop: (value: V) => void;

  constructor(max: number, make: (project: string) => V, options: { idle?: (value: V) => boolean; drop?: (value: V) => void } = {}) {
    this.#max = max;
    this.#make = make;
    this.#idle = options.idle ?? (() => true);
    this.#drop = options.drop ?? (() => undefined);
  }

  /** The value of `project`, made now when there is none, and marked most recently used. */
  get(project: string): V {
    const entries = this.#entries;
    let value = entries.get(project);
    // Deleted and set again: the map's order is the order of use.
    if (value !== undefined) entries.delete(project);
    else value = this.#make(project);
    entries.set(project, value);
    let excess = entries.size - this.#max;
    for (const [name, kept] of entries) {
      if (excess <= 0) break;
      if (kept === value || !this.#idle(kept)) continue;
      entries.delete(name);
      this.#drop(kept);
      excess--;
    }
    return value;
  }

  /** The value kept for `project`, if any, without marking it used or making one. */
  peek(project: string): V | undefined {
    return this.#entries.get(project);
  }

  /** Forgets `project`'s value (nothing is dropped: the caller releases it). */
  delete(project: string): void {
    this.#entries.delete(project);
  }

  /** How many values are kept. */
  get size(): number {
    return this.#entries.size;
  }

  /** Every value kept. */
  values(): IterableIterator<V> {
    return this.#entries.values();
  }
}
