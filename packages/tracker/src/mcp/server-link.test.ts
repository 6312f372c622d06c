import { describe, expect, it } from 'vitest';
import { McpUnavailableError } from '@skills/mcp-client';
import type { Logger } from '@skills/protocol';
import { ServerLink, type LinkTimers, type McpTrackerClient } from './server-link.js';

/** Timers stepped by hand: the test says when the wait is over, nothing really waits. */
class ManualTimers implements LinkTimers {
  readonly pending = new Map<number, { run: () => void; ms: number }>();
  #next = 0;
  set(run: () => void, ms: number): number {
    this.pending.set(++this.#next, { run, ms });
    return this.#next;
  }
  clear(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  /** The delays waiting now. */
  get delays(): number[] {
    return [...this.pending.values()].map((t) => t.ms);
  }
  /** Runs every timer due now (as if their time had come). */
  fire(): void {
    const due = [...this.pending.entries()];
    this.pending.clear();
    for (const [, t] of due) t.run();
  }
}

/**
 * Stands in for the server's reachability: connecting is the only thing a link does with it,
 * and an unreachable server cannot be made on demand and undone within a test otherwise.
 */
function reachability() {
  const state = { up: false, attempts: 0, closed: 0 };
  const client: McpTrackerClient = {
    trackInvocations: async () => ({ inserted: 0, duplicates: 0, completed: 0, abandoned: 0, already_finished: [], unknown: [] }),
    recommendSkills: async () => [],
    close: async () => void state.closed++,
  };
  const connect = async (): Promise<McpTrackerClient> => {
    state.attempts++;
    if (!state.up) throw new McpUnavailableError('refused', { reason: 'connection refused (ECONNREFUSED)' });
    return client;
  };
  return { state, client, connect };
}

function capturingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, debug: () => {}, info: (m) => lines.push(`info: ${m}`), warn: (m) => lines.push(`warn: ${m}`), error: (m) => lines.push(`error: ${m}`) };
}

/** Lets the connection attempt a timer started run to its end. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function setup() {
  const timers = new ManualTimers();
  const server = reachability();
  const logger = capturingLogger();
  const events = { failures: [] as string[], back: 0 };
  const link = new ServerLink({
    url: 'http://127.0.0.1:1',
    timeoutMs: 100,
    connect: server.connect,
    logger,
    reconnectIntervalMs: 1_000,
    spoolDir: '/spool',
    timers,
    onFailure: (error) => events.failures.push((error as Error).message),
    onBack: () => events.back++,
  });
  return { timers, server, logger, events, link };
}

describe('ServerLink', () => {
  it('starts fallen back when the server is absent, and says why once', async () => {
    const { link, logger, events } = setup();
    expect(await link.connect()).toBe(false);
    expect(link.client).toBeNull();
    expect(link.fallback).toMatchObject({ reason: 'connection refused (ECONNREFUSED)', at: expect.any(String) });
    expect(events.failures).toHaveLength(1);
    link.fallBack(new Error('again')); // a second failure while away: counted, not announced
    expect(events.failures).toHaveLength(2);
    expect(logger.lines.filter((l) => l.startsWith('warn'))).toEqual([
      'warn: skills server at http://127.0.0.1:1 not available (connection refused (ECONNREFUSED)); tracking into the local spool /spool until it is back',
    ]);
  });

  it('retries with a doubling interval, capped at 60 times the first, and comes back when the server answers', async () => {
    const { link, timers, server, events, logger } = setup();
    await link.connect();
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      delays.push(...timers.delays);
      timers.fire();
      await settle();
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
    expect(server.state.attempts).toBe(9);
    server.state.up = true;
    timers.fire();
    await settle();
    expect(link.client).toBe(server.client);
    expect(link.fallback).toBeUndefined();
    expect(events.back).toBe(1);
    expect(timers.pending.size).toBe(0);
    expect(logger.lines.at(-1)).toBe('info: skills server at http://127.0.0.1:1 is back; replaying the spool');
  });

  it('after a call goes through, the next outage starts again from the first interval and is announced again', async () => {
    const { link, timers, server, logger } = setup();
    server.state.up = true;
    expect(await link.connect()).toBe(true);
    link.fallBack(new McpUnavailableError('gone', { reason: 'socket hang up' }));
    expect(await link.reconnectNow()).toBe(true);
    link.recovered();
    link.fallBack(new McpUnavailableError('gone', { reason: 'socket hang up' }));
    expect(timers.delays).toEqual([1_000]);
    expect(logger.lines.filter((l) => l.includes('socket hang up'))).toHaveLength(2);
  });

  it('stops reconnecting when asked (the tracker is closing), and ends the session once', async () => {
    const { link, timers, server } = setup();
    await link.connect();
    link.stopReconnecting();
    expect(timers.pending.size).toBe(0);
    server.state.up = true;
    expect(await link.reconnectNow()).toBe(false);
    expect(server.state.attempts).toBe(1);

    const other = setup();
    other.server.state.up = true;
    await other.link.connect();
    await other.link.close();
    await other.link.close();
    expect(other.server.state.closed).toBe(1);
    expect(other.link.client).toBeNull();
  });
});
