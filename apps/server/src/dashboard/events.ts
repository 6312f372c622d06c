import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@skills/protocol';

/** How often the store's revision is read while a page listens. */
const POLL_MS = 1_000;
/** A comment line this often keeps proxies from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;
/** Pages listening at once at most; more get 503 and fall back to polling. */
export const MAX_LISTENERS = 100;

/**
 * Server-sent events for the dashboard: one `change` event (data `{"revision": ...}`) to every
 * open page whenever the store's revision changes, whoever wrote. The revision is read once per
 * second for all listeners together, and only while someone listens.
 */
export class ChangeEvents {
  readonly #listeners = new Set<ServerResponse>();
  readonly #revision: () => Promise<string>;
  readonly #logger: Logger;
  #last: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #beats = 0;

  constructor(revision: () => Promise<string>, logger: Logger) {
    this.#revision = revision;
    this.#logger = logger;
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
    this.#timer ??= setInterval(() => void this.#tick(), POLL_MS);
  }

  /** Ends every stream (before the server closes: open streams would hold it up). */
  close(): void {
    this.#stop();
    for (const res of this.#listeners) res.end();
    this.#listeners.clear();
  }

  async #tick(): Promise<void> {
    let revision: string;
    try {
      revision = await this.#revision();
    } catch (error) {
      this.#logger.warn(`dashboard events: cannot read the store's revision: ${(error as Error).message}`);
      return;
    }
    const beat = ++this.#beats % (HEARTBEAT_MS / POLL_MS) === 0;
    if (revision === this.#last && !beat) return;
    const message = revision === this.#last ? ': heartbeat\n\n' : `event: change\ndata: ${JSON.stringify({ revision })}\n\n`;
    this.#last = revision;
    for (const res of this.#listeners) res.write(message);
  }

  #stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#last = undefined;
  }
}
