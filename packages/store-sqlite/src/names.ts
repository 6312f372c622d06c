import type { Connection } from './connection.js';
import type { Prepared } from './prepared.js';
import { named } from './named.js';

/** The tables that store a name once and give it an integer id. */
export type NameTable = 'skills' | 'sessions' | 'phases' | 'sources' | 'projects';

/** Every name of `table` by its id: for readers that put names into rows themselves instead of joining. */
export function nameMap(conn: Connection, table: NameTable): Map<number, string> {
  // The name tables have the same columns; one of them stands for all in the types.
  const rows = conn.all<{ id: number; name: string }>(conn.builder.selectFrom(table as 'skills').select(['id', 'name']));
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Prepared lookups and inserts of one names table, made once per connection. */
export class NameStatements {
  readonly #find: Prepared;
  readonly #insert: Prepared;

  constructor(conn: Connection, table: NameTable) {
    // The name tables have the same columns; one of them stands for all in the types.
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

/** Entries a cache of ids keeps before it starts over (bounds memory; a miss costs one lookup). */
export const ID_CACHE_LIMIT = 100_000;

/**
 * Name-to-id mapping of one connection, kept across its write transactions. The owner must
 * {@link NameIds.reset} it whenever the ids it holds may have gone: when another connection
 * committed since (it may have pruned a session, and its id), after this connection pruned, and
 * after a transaction that rolled back (it may have stored a new name that is gone again).
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
      if (this.#cache.size >= ID_CACHE_LIMIT) this.#cache.clear();
      this.#cache.set(name, id);
    }
    return id;
  }

  /** Forgets every id. */
  reset(): void {
    this.#cache.clear();
  }
}
