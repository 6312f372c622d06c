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
    this.#find = conn.prepare(b.selectFrom('queries').select('id').where('hash', '=', named<Uint8Array>('hash')));
    this.#insert = conn.prepare(b.insertInto('queries').values({ hash: named('hash'), text: named('text') }));
  }

  /** The id of the query with this hash. */
  find(hash: Uint8Array): number | undefined {
    return this.#find.get<{ id: number }>({ hash })?.id;
  }

  /** Stores a new query; returns its id. */
  insert(hash: Uint8Array, text: string): number {
    return Number(this.#insert.run({ hash, text }).lastInsertRowid);
  }
}

/**
 * Query-text-to-id mapping of one connection, kept across its write transactions (reset like
 * {@link NameIds}). Keyed by the text as given as well as by its normal form, so a text seen
 * before costs one map lookup: no normalising, no hashing.
 */
export class QueryIds {
  readonly #statements: QueryStatements;
  readonly #cache = new Map<string, number | null>();

  constructor(statements: QueryStatements) {
    this.#statements = statements;
  }

  /** The id of the query a text stands for once normalised (stored now if it is new), or null for no query. */
  idOfText(text: string | null): number | null {
    if (text === null) return null;
    let id = this.#cache.get(text);
    if (id !== undefined) return id;
    const normalised = normaliseQuery(text);
    if (normalised === null) {
      id = null;
    } else {
      id = this.#cache.get(normalised);
      if (id === undefined) {
        const hash = createHash('sha256').update(normalised).digest().subarray(0, QUERY_KEY_BYTES);
        id = this.#statements.find(hash) ?? this.#statements.insert(hash, normalised);
        this.#remember(normalised, id);
      }
    }
    this.#remember(text, id);
    return id;
  }

  /** Forgets every id. */
  reset(): void {
    this.#cache.clear();
  }

  #remember(text: string, id: number | null): void {
    if (this.#cache.size >= ID_CACHE_LIMIT) this.#cache.clear();
    this.#cache.set(text, id);
  }
}
