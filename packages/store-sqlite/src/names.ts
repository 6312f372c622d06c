import type { Connection } from './connection.js';
import type { Prepared } from './prepared.js';
import { named } from './named.js';

/** The tables that store a name once and give it an integer id. */
export type NameTable = 'skills' | 'sessions' | 'phases';

/** Prepared lookups and inserts of one names table, made once per connection. */
export class NameStatements {
  readonly #find: Prepared;
  readonly #insert: Prepared;

  constructor(conn: Connection, table: NameTable) {
    // The three tables have the same columns; one of them stands for all in the types.
    const t = table as 'skills';
    this.#find = conn.prepare(conn.builder.selectFrom(t).select('id').where('name', '=', named<string>('name')));
    this.#insert = conn.prepare(conn.builder.insertInto(t).values({ name: named('name') }));
  }

  /** The id of a stored name. */
  find(name: string): number | undefined {
    return this.#find.get<{ id: number }>({ name })?.id;
  }

  /** Stores a new name; returns its id. */
  insert(name: string): number {
    return Number(this.#insert.run({ name }).lastInsertRowid);
  }
}

/**
 * Name-to-id mapping for one write transaction. The cache lives no longer than the transaction:
 * another connection may prune a session, and its id, between two of ours.
 */
export class NameIds {
  readonly #statements: NameStatements;
  readonly #cache = new Map<string, number>();

  constructor(statements: NameStatements) {
    this.#statements = statements;
  }

  /** The id of `name`, stored now if it is new. */
  idOf(name: string): number {
    let id = this.#cache.get(name);
    if (id === undefined) {
      id = this.#statements.find(name) ?? this.#statements.insert(name);
      this.#cache.set(name, id);
    }
    return id;
  }
}
