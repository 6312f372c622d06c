import { sql, type RawBuilder } from 'kysely';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A named parameter (`@name`) in a kysely query. The query is compiled once and better-sqlite3
 * binds it from an object for every row, instead of kysely recompiling it with each row's values.
 * Names are identifiers written in the code, never data.
 *
 * @example
 * const insert = conn.prepare(conn.builder.insertInto('skills').values({ name: named<string>('name') }));
 * insert.run({ name: 'code-reviewer' });
 */
export function named<T>(name: string): RawBuilder<T> {
  if (!NAME.test(name)) throw new Error(`not a parameter name: ${JSON.stringify(name)}`);
  return sql<T>`${sql.raw(`@${name}`)}`;
}
