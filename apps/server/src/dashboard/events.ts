import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChangeFeed, Logger } from '@skills/protocol';

/** How often the store's revision is read while a page listens (with a change feed too: a fallback). */
const POLL_MS = 1_000;
/** A comment line this often keeps proxies from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;
/** Pages listening at once at most; more get 503 and fall back to polling. */
export const MAX_LISTENERS = 100;

/** What else {@link ChangeEvents} may use. */
export interface ChangeEventsOptions {
  /** The store's change feed, when it has one: the revision is read as soon as it signals. */
  readonly changes?: ChangeFeed;
  /** How often the revision is read anyway, in ms. Default 1000. */
  readonly pollMs?: number;
}

/**
 * Server-sent events for the dashboard: one `change` event (data `{"revision": ...}`) to every
 * open page whenever the store's revision changes, whoever wrote. The revision is read once per
 * second for all listeners together, and only while someone listens; with the store's change
 * feed, also as soon as the feed signals a change.
 */
export class ChangeEvents {
  readonly #listeners = new Set<ServerResponse>();
  readonly #revision: () => Promise<string>;
  readonly #logger: Logger;
  readonly #changes: ChangeFeed | undefined;
  readonly #pollMs: number;
  #last: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #unwatch: (() => void) | undefined;
  #beats = 0;
  /** A read of the revision is under way; {@link #again}: another was asked for meanwhile. */
  #reading = false;
  #again = false;

  constructor(revision: () => Promise<string>, logger: Logger, options: ChangeEventsOptions = {}) {
    this.#revision = revision;
    this.#logger = logger;
    this.#changes = options.changes;
    this.#pollMs = options.pollMs ?? POLL_MS;
  }

  get listeners(): number {
    return this.#listeners.size;
  }

  /** Holds `res` open as an event stream until the client leaves or {@link close} is called. */
  async listen(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.#listeners.size >= MAX_LISTENERS) {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '30' });
      res.end(JSON.stringify({ error: `too many open dashboards (${MAX_LISTENERS}); poll instead` }));
      return;
    }
    const revision = await this.#revision();
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    // The first event tells the page where it stands; a reconnecting page compares it with what it shows.
    res.write(`retry: 3000\nevent: change\ndata: ${JSON.stringify({ revision })}\n\n`);
    this.#listeners.add(res);
    req.on('close', () => {
      this.#listeners.delete(res);
      if (this.#listeners.size === 0) this.#stop();
    });
    this.#last ??= revision;
    this.#timer ??= setInterval(() => void this.#tick(true), this.#pollMs);
    this.#unwatch ??= this.#changes?.watchChanges(() => void this.#tick(false));
  }

  /** Ends every stream (before the server closes: open streams would hold it up). */
  close(): void {
    this.#stop();
    for (const res of this.#listeners) res.end();
    this.#listeners.clear();
  }

  /** Reads the revision (once more after the read under way, if one is) and tells the pages. */
  async #tick(fromTimer: boolean): Promise<void> {
    if (this.#reading) {
      this.#again = true;
      return;
    }
    this.#reading = true;
    try {
      let beat = fromTimer && ++this.#beats % Math.max(1, Math.round(HEARTBEAT_MS / this.#pollMs)) === 0;
      do {
        this.#again = false;
        await this.#announce(beat);
        beat = false;
      } while (this.#again && this.#listeners.size > 0);
    } finally {
      this.#reading = false;
    }
  }

  /** Sends a `change` event when the revision moved, else the heartbeat when `beat`. */
  async #announce(beat: boolean): Promise<void> {
    let revision: string;
    try {
      revision = await this.#revision();
    } catch (error) {
      this.#logger.warn(`dashboard events: cannot read the store's revision: ${(error as Error).message}`);
      return;
    }
    if (revision === this.#last && !beat) return;
    const message = revision === this.#last ? ': heartbeat\n\n' : `event: change\ndata: ${JSON.stringify({ revision })}\n\n`;
    this.#last = revision;
    for (const res of this.#listeners) res.write(message);
  }

  #stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#unwatch?.();
    this.#unwatch = undefined;
    this.#last = undefined;
  }
}
