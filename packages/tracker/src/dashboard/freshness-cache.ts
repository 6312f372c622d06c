/** Entries kept at most: one per page and bucket asked for lately. */
const MAX_ENTRIES = 256;
/** Recomputing waits at most this long, however slow the last computation was. */
const MAX_PAUSE_MS = 10_000;
/** After a computation, the next one of the same key waits this many times as long as it took. */
const PAUSE_FACTOR = 10;

interface Entry<T> {
  readonly revision: string;
  readonly value: T;
  /** When the next computation of this key may start (ms since the epoch). */
  readonly nextAt: number;
}

/**
 * Answers computed at a store revision, served until the revision changes. A changed revision is
 * recomputed, but no sooner than ten times the last computation's cost after it ended: cheap
 * answers are always current, while one that took a second at a million invocations is recomputed
 * at most every ten seconds however fast writes come, so that a busy store spends at most a tenth
 * of a core on its dashboard. Answers are never stale: a request in the pause waits for it.
 * Concurrent requests for the same key share one computation.
 */
export class FreshnessCache {
  readonly #entries = new Map<string, Entry<unknown>>();
  readonly #pending = new Map<string, Promise<unknown>>();

  async get<T>(key: string, revisionOf: () => Promise<string>, compute: (revision: string) => Promise<T>): Promise<T> {
    const revision = await revisionOf();
    const entry = this.#entries.get(key) as Entry<T> | undefined;
    if (entry?.revision === revision) return entry.value;
    let pending = this.#pending.get(key) as Promise<T> | undefined;
    if (!pending) {
      pending = this.#compute(key, entry, revisionOf, compute).finally(() => this.#pending.delete(key));
      this.#pending.set(key, pending);
    }
    return pending;
  }

  async #compute<T>(key: string, entry: Entry<T> | undefined, revisionOf: () => Promise<string>, compute: (revision: string) => Promise<T>): Promise<T> {
    const pause = entry ? entry.nextAt - Date.now() : 0;
    if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
    const revision = await revisionOf();
    const started = performance.now();
    const value = await compute(revision);
    const cost = performance.now() - started;
    this.#entries.delete(key); // re-inserted last: the map's order is the age order
    this.#entries.set(key, { revision, value, nextAt: Date.now() + Math.min(MAX_PAUSE_MS, cost * PAUSE_FACTOR) });
    if (this.#entries.size > MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value as string);
    return value;
  }
}
