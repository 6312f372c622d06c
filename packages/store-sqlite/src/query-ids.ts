import { createHash } from 'node:crypto';
import { normaliseQuery, QUERY_KEY_BYTES } from '@skills/protocol';
import type { Connection } from './connection.js';
import type { Prepared } from './prepared.js';
import { named } from './named.js';
import { ID_CACHE_LIMIT } from './names.js';

/** Prepared lookups and inserts of the queries table, made once per connection. */
export class QueryStatements {
  readonly #find: Prepared;
  readonly #insert: Prepared;

  constructor(conn: Connection) {
    const b = conn.builder;
    this.#find = conn.prepare(
      b
        .selectFrom('queries')
        .select('id')
        .where('project_id', '=', named<number>('project_id'))
        .where('hash', '=', named<Uint8Array>('hash')),
    );
    this.#insert = conn.prepare(b.insertInto('queries').values({ project_id: named('project_id'), hash: named('hash'), text: named('text') }));
  }

  /** The id of the project's query with this hash. */
  find(projectId: number, hash: Uint8Array): number | undefined {
    return this.#find.get<{ id: number }>({ project_id: projectId, hash })?.id;
  }

  /** Stores a new query of the project; returns its id. */
  insert(projectId: number, hash: Uint8Array, text: string): number {
    return Number(this.#insert.run({ project_id: projectId, hash, text }).lastInsertRowid);
  }
}

/**
 * Query-text-to-id mapping of one connection, per project (a text is a query of each project
 * using it), kept across its write transactions (reset like {@link NameIds}). Keyed by the text as
 * given as well as by its normal form, so a text seen before costs one map lookup: no
 * normalising, no hashing.
 */
export class QueryIds {
  readonly #statements: QueryStatements;
  /** By project id: the ids of texts. */
  readonly #byProject = new Map<number, Map<string, number | null>>();
  #size = 0;
  /** The project of the last lookup: a batch is usually all one project's. */
  #lastProjectId = -1;
  #last: Map<string, number | null> | undefined;

  constructor(statements: QueryStatements) {
    this.#statements = statements;
  }

  /** The id of the project's query a text stands for once normalised (stored now if it is new), or null for no query. */
  idOfText(projectId: number, text: string | null): number | null {
    if (text === null) return null;
    const cache = projectId === this.#lastProjectId ? this.#last! : this.#cacheOf(projectId);
    let id = cache.get(text);
    if (id !== undefined) return id;
    const normalised = normaliseQuery(text);
    if (normalised === null) {
      id = null;
    } else {
      id = cache.get(normalised);
      if (id === undefined) {
        const hash = createHash('sha256').update(normalised).digest().subarray(0, QUERY_KEY_BYTES);
        id = this.#statements.find(projectId, hash) ?? this.#statements.insert(projectId, hash, normalised);
        this.#remember(cache, normalised, id);
      }
    }
    this.#remember(cache, text, id);
    return id;
  }

  /** Forgets every id. */
  reset(): void {
    this.#byProject.clear();
    this.#size = 0;
    this.#lastProjectId = -1;
    this.#last = undefined;
  }

  #cacheOf(projectId: number): Map<string, number | null> {
    let cache = this.#byProject.get(projectId);
    if (!cache) this.#byProject.set(projectId, (cache = new Map()));
    this.#lastProjectId = projectId;
    this.#last = cache;
    return cache;
  }

  #remember(cache: Map<string, number | null>, text: string, id: number | null): void {
    if (this.#size >= ID_CACHE_LIMIT) {
      // Every project's texts go: the limit bounds the whole cache. The current one stays in use.
      for (const texts of this.#byProject.values()) texts.clear();
      this.#size = 0;
    }
    const before = cache.size;
    cache.set(text, id);
    this.#size += cache.size - before;
  }
}
