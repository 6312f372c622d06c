/**
 * Knowing when stored data changed: Server-Sent Events from `/api/events` (event `change`), or,
 * when the event stream fails for good, polling every few seconds.
 */

export type LiveMode = 'connecting' | 'live' | 'reconnecting' | 'polling';

export interface LiveOptions {
  /** Stored data may have changed (revision when the server said which, else null). */
  readonly onChange: (revision: string | null) => void;
  readonly onMode: (mode: LiveMode) => void;
  readonly pollMs?: number;
  readonly url?: string;
}

/** Starts listening; returns a function that stops. */
export function startLive(options: LiveOptions): () => void {
  const pollMs = options.pollMs ?? 5000;
  let source: EventSource | null = null;
  let poller: number | undefined;
  let opened = false;

  const poll = (): void => {
    if (poller !== undefined) return;
    source?.close();
    source = null;
    options.onMode('polling');
    poller = window.setInterval(() => {
      if (!document.hidden) options.onChange(null);
    }, pollMs);
  };

  const onVisible = (): void => {
    if (!document.hidden && poller !== undefined) options.onChange(null);
  };
  document.addEventListener('visibilitychange', onVisible);

  if (typeof EventSource === 'undefined') poll();
  else {
    options.onMode('connecting');
    source = new EventSource(options.url ?? '/api/events');
    source.addEventListener('open', () => {
      options.onMode('live');
      // Changes made while the stream was down were not announced.
      if (opened) options.onChange(null);
      opened = true;
    });
    source.addEventListener('change', (event) => {
      let revision: string | null = null;
      try {
        const data: unknown = JSON.parse((event as MessageEvent<string>).data);
        if (data !== null && typeof data === 'object' && typeof (data as { revision?: unknown }).revision === 'string') revision = (data as { revision: string }).revision;
      } catch {
        revision = null;
      }
      options.onChange(revision);
    });
    source.addEventListener('error', () => {
      if (source === null) return;
      // CLOSED: the browser gave up (an error status, a wrong content type); CONNECTING: it retries.
      if (source.readyState === EventSource.CLOSED) poll();
      else options.onMode('reconnecting');
    });
  }

  return () => {
    source?.close();
    source = null;
    window.clearInterval(poller);
    poller = undefined;
    document.removeEventListener('visibilitychange', onVisible);
  };
}
