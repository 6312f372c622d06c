import { ChangeListeners } from '@skills/protocol';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { connectTimeoutMs } from './pool.js';
import type { StoreDatabase } from './schema.js';

/** The channel every write transaction notifies, and the feed listens on. */
export const CHANGE_CHANNEL = 'skills_changes';

/** `application_name` of the listening connection, to tell it apart in `pg_stat_activity`. */
export const LISTENER_NAME = 'skills-change-feed';

/**
 * Writes that only fill a cache every process computes for itself (vectors, trained models):
 * announcing them would make every other process catch up for nothing.
 */
const CACHE_WRITES: ReadonlySet<string> = new Set(['putEmbeddings', 'deleteEmbeddings', 'putModelState']);

/** Waits before reconnecting: the first time, and at most (doubling in between). */
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;
/** TCP keep-alive probes start after this much silence, so that a dead peer is noticed at all. */
const KEEP_ALIVE_DELAY_MS = 10_000;

/**
 * Queues the change notice of the write transaction `trx` runs, unless `operation` only fills a
 * cache. PostgreSQL delivers it when the transaction commits, never before and never for a
 * rollback, to every session listening on {@link CHANGE_CHANNEL}.
 */
export async function announceChange(trx: Kysely<StoreDatabase>, operation: string): Promise<void> {
  if (!CACHE_WRITES.has(operation)) await sql`SELECT pg_notify(${CHANGE_CHANNEL}, '')`.execute(trx);
}

/**
 * The change feed of a PostgreSQL store: while anyone listens, one connection of its own (not one
 * of the pool's, which come and go) LISTENs on {@link CHANGE_CHANNEL}, and each notice calls the
 * listeners. Each time the LISTEN starts (the first time, and after the connection was lost: a
 * server restart, a killed backend) the listeners are called too, since changes committed before
 * it was in place were not heard. A lost connection is opened again after a wait that doubles up
 * to {@link MAX_RETRY_MS}. Nothing is logged or thrown: the connection string holds the password.
 *
 * @example
 * const feed = new PostgresChangeFeed('postgres://skills:PASSWORD@127.0.0.1:5432/skills');
 * const unsubscribe = feed.watch(() => console.log('the store changed'));
 * unsubscribe();
 * await feed.close();
 */
export class PostgresChangeFeed {
  readonly #connectionString: string;
  readonly #listeners = new ChangeListeners({ start: () => this.#connect(), stop: () => this.#disconnect() });
  #client: pg.Client | undefined;
  #retry: NodeJS.Timeout | undefined;
  #retryMs = FIRST_RETRY_MS;
  /** Connections being closed: {@link close} waits for them. */
  readonly #ending = new Set<Promise<void>>();

  constructor(connectionString: string) {
    this.#connectionString = connectionString;
  }

  /** Subscribes `listener` (see the protocol's `ChangeFeed.watchChanges`); returns the unsubscribe. */
  watch(listener: () => void): () => void {
    return this.#listeners.add(listener);
  }

  /** Ends every subscription and closes the listening connection. */
  async close(): Promise<void> {
    this.#listeners.clear();
    await Promise.all(this.#ending);
  }

  #connect(): void {
    const client = new pg.Client({
      connectionString: this.#connectionString,
      application_name: LISTENER_NAME,
      // An attempt that hangs (a host that drops packets) is given up after this, and retried.
      connectionTimeoutMillis: connectTimeoutMs(this.#connectionString),
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEP_ALIVE_DELAY_MS,
    });
    this.#client = client;
    // A dropped connection emits 'error' (unhandled, it would end the process), then 'end'.
    client.on('error', () => undefined);
    client.on('notification', () => this.#listeners.signal());
    client.once('end', () => this.#lost(client));
    client
      .connect()
      .then(() => client.query(`LISTEN ${CHANGE_CHANNEL}`))
      .then(
        () => {
          if (this.#client !== client) return;
          // Listening is no reason to keep a host process alive (the pool's idle connections
          // are not either): it ends when its own work is done.
          (client as pg.Client & { unref(): void }).unref();
          this.#retryMs = FIRST_RETRY_MS;
          this.#listeners.signal();
        },
        () => this.#lost(client),
      );
  }

  /** `client` failed or ended: unless it was closed on purpose, try again after a wait. */
  #lost(client: pg.Client): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    this.#end(client);
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.#connect();
    }, this.#retryMs);
    // Waiting to reconnect is no reason to keep the process alive.
    this.#retry.unref();
    this.#retryMs = Math.min(this.#retryMs * 2, MAX_RETRY_MS);
  }

  #disconnect(): void {
    clearTimeout(this.#retry);
    this.#retry = undefined;
    this.#retryMs = FIRST_RETRY_MS;
    const client = this.#client;
    this.#client = undefined;
    if (client) this.#end(client);
  }

  #end(client: pg.Client): void {
    const ending = client.end().catch(() => undefined);
    this.#ending.add(ending);
    void ending.finally(() => this.#ending.delete(ending));
  }
}
