import type { Connection } from './connection.js';
import type { Prepared } from './prepared.js';
import { named } from './named.js';
import { queryHash } from './query-text.js';

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

/** Text-to-id mapping of normalised queries for one write transaction (see {@link NameIds} for why no longer). */
export class QueryIds {
  readonly #statements: QueryStatements;
  readonly #cache = new Map<string, number>();

  constructor(statements: QueryStatements) {
    this.#statements = statements;
  }

  /** The id of a normalised query text, stored now if it is new. */
  idOf(text: string): number {
    let id = this.#cache.get(text);
    if (id === undefined) {
      const hash = queryHash(text);
      id = this.#statements.find(hash) ?? this.#statements.insert(hash, text);
      this.#cache.set(text, id);
    }
    return id;
  }
}
