import type { Server, ServerResponse } from 'node:http';

/** Counts the requests being answered, so that a stop can wait for them. */
export class InFlightRequests {
  #count = 0;
  #idleWaiters: (() => void)[] = [];

  get count(): number {
    return this.#count;
  }

  /** Counts `res` until it closes (answered, or its client went away). */
  track(res: ServerResponse): void {
    this.#count++;
    res.on('close', () => {
      this.#count--;
      if (this.#count > 0) return;
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const wake of waiters) wake();
    });
  }

  /** Settles when no request is being answered, or after `graceMs`, whichever comes first. */
  async idle(graceMs: number): Promise<void> {
    if (this.#count === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.#idleWaiters.push(resolve)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs).unref())),
    ]);
    clearTimeout(timer);
  }
}

/**
 * Stops `server` gracefully: no new connections, idle keep-alive connections closed at once,
 * requests in flight given up to `graceMs` to finish, then every connection closed.
 */
export async function stopGracefully(server: Server, inFlight: InFlightRequests, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  await inFlight.idle(graceMs);
  server.closeAllConnections();
  await closed;
}
